// Fills a registry for bench/list through the distribution API: per repository one
// small layer, and TAGS single-platform images (each its own config) sharing it.
import { createHash, randomBytes } from 'node:crypto';
import { RegistryClient } from '../../src/registry/client.ts';

const sha256 = (b: Buffer): string => 'sha256:' + createHash('sha256').update(b).digest('hex');
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

async function uploadBlob(client: RegistryClient, repo: string, bytes: Buffer, digest: string): Promise<void> {
  const start = await client.request({ method: 'POST', path: `/v2/${repo}/blobs/uploads/` });
  const location = new URL(String(start.headers.location), client.origin);
  location.searchParams.set('digest', digest);
  await client.request({ method: 'PUT', path: location.href, headers: { 'content-type': 'application/octet-stream' }, body: bytes });
}

export async function populate(host: string, repos: number, tags: number): Promise<{ repository: string; tag: string; accept: string }> {
  const client = new RegistryClient(host, { concurrency: 16 });
  const jobs = Array.from({ length: repos }, (_, r) => async () => {
    const repo = `bench/repo-${String(r).padStart(4, '0')}`;
    const layer = randomBytes(512);
    const layerDigest = sha256(layer);
    await uploadBlob(client, repo, layer, layerDigest);
    await Promise.all(
      Array.from({ length: tags }, async (_, t) => {
        const config = Buffer.from(
          JSON.stringify({
            architecture: t % 2 ? 'arm64' : 'amd64',
            os: 'linux',
            created: new Date(0).toISOString(),
            config: { Env: [`N=${r}-${t}`] },
            rootfs: { type: 'layers', diff_ids: [layerDigest] },
          }),
        );
        const configDigest = sha256(config);
        await uploadBlob(client, repo, config, configDigest);
        const manifest = Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: MANIFEST,
            config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
            layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.length }],
          }),
        );
        await client.request({ method: 'PUT', path: `/v2/${repo}/manifests/v${t}`, headers: { 'content-type': MANIFEST }, body: manifest });
      }),
    );
  });
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < jobs.length) await jobs[next++]!();
    }),
  );
  await client.close();
  return { repository: 'bench/repo-0000', tag: 'v0', accept: MANIFEST };
}
