// The test fixtures (test/helpers/images.ts) are only useful if real tools see what they
// claim: skopeo reads the same digests back, and the engine pulls and runs each platform
// of the two-platform image.
import { createHash } from 'node:crypto';
import { e2e, registryImages, startTestRegistry } from '../helpers/engine.ts';
import { pushArchy, pushRandomImage, pushUntaggedManifest, sha256, type ImageFormat } from '../helpers/images.ts';
import { docker, removePulledImages, run } from '../helpers/run.ts';

async function skopeoRaw(ref: string): Promise<Buffer> {
  const result = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);
  if (result.code !== 0) throw new Error(`skopeo inspect ${ref}: ${result.stderr}`);
  return Buffer.from(result.stdout);
}

for (const image of registryImages) {
  for (const format of ['oci', 'docker'] as ImageFormat[]) {
    e2e(`${image}: a ${format} two-platform image: skopeo agrees on digests, and each platform runs`, async (t) => {
      const registry = await startTestRegistry({ image });
      t.teardown(async () => {
        await removePulledImages(registry.host);
        await registry.remove();
      });
      const pushed = await pushArchy(registry.host, { format });
      t.is(pushed.reference, `${registry.host}/archy:latest`);
      const raw = await skopeoRaw(pushed.reference);
      t.is('sha256:' + createHash('sha256').update(raw).digest('hex'), pushed.digest);
      for (const m of pushed.manifests) {
        const child = await skopeoRaw(`${registry.host}/archy@${m.digest}`);
        t.is(sha256(child), m.digest);
      }
      const expected = new Map([
        ['amd64', 'x86_64'],
        ['arm64', 'aarch64'],
      ]);
      for (const m of pushed.manifests) {
        const platform = `linux/${m.platform.architecture}`;
        const result = await docker(['run', '--rm', '--pull', 'always', '--platform', platform, pushed.reference]);
        t.is(result.code, 0, result.stderr);
        t.is(result.stdout.trim(), expected.get(m.platform.architecture) ?? `uname -m of ${platform}`);
      }
    });
  }

  e2e(`${image}: a random image and an untagged leftover`, async (t) => {
    const registry = await startTestRegistry({ image });
    t.teardown(() => registry.remove());
    const pushed = await pushRandomImage(registry.host, 'team/random', 'v1', { layers: 3 });
    const raw = await skopeoRaw(pushed.reference);
    t.is(sha256(raw), pushed.digest);
    const manifest = JSON.parse(raw.toString()) as { layers: { digest: string }[] };
    t.deepEqual(
      manifest.layers.map((l) => l.digest),
      pushed.layers.map((l) => l.digest),
    );

    const leftover = await pushUntaggedManifest(registry.host, 'team/random');
    t.is(sha256(await skopeoRaw(leftover.reference)), leftover.digest);
    const tags = (await (await fetch(`http://${registry.host}/v2/team/random/tags/list`)).json()) as { tags: string[] };
    t.deepEqual(tags.tags, ['v1']);
  });
}
