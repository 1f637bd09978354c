// lsi's listing goes on when one tag cannot be read: a config blob missing from the
// registry, or one whose bytes do not match its digest, gives that tag a row with an error.
import test from 'ava';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryClient } from '../../src/registry/client.ts';
import { listImages } from '../../src/registry/images.ts';
import { MEDIA } from '../../src/registry/manifest.ts';

const sha = (b: Buffer): string => 'sha256:' + createHash('sha256').update(b).digest('hex');

const goodConfig = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'arm64' }));
const badConfigDigest = sha(Buffer.from('the real config'));
const lostConfigDigest = sha(Buffer.from('a config no longer stored'));

function manifest(config: string, size: number): Buffer {
  return Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MEDIA.ociManifest,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size },
    layers: [],
  }));
}

const tags: Record<string, Buffer> = {
  good: manifest(sha(goodConfig), goodConfig.length),
  corrupt: manifest(badConfigDigest, 9),
  lost: manifest(lostConfigDigest, 9),
};

test('a tag whose config blob is missing or corrupt gets an error row; the others are listed', async (t) => {
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/v2/x/tags/list') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ name: 'x', tags: Object.keys(tags) }));
    }
    const m = /^\/v2\/x\/(manifests|blobs)\/(.+)$/.exec(url.pathname);
    if (m?.[1] === 'manifests' && tags[m[2]!]) {
      res.writeHead(200, { 'content-type': MEDIA.ociManifest, 'docker-content-digest': sha(tags[m[2]!]!) });
      return res.end(tags[m[2]!]);
    }
    if (m?.[1] === 'blobs' && m[2] === sha(goodConfig)) return res.end(goodConfig);
    if (m?.[1] === 'blobs' && m[2] === badConfigDigest) return res.end('garbage!!');
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new RegistryClient(`127.0.0.1:${(server.address() as AddressInfo).port}`, { retries: 0 });
  t.teardown(async () => {
    await client.close();
    server.closeAllConnections();
    server.close();
  });
  const rows = await listImages(client, ['x']);
  t.deepEqual(rows.map((r) => [r.tag, r.platforms, r.error !== undefined]), [
    ['corrupt', [], true],
    ['good', ['linux/arm64'], false],
    ['lost', [], true],
  ]);
  t.regex(rows[0]!.error!, /config blob .* does not match its digest/);
  t.regex(rows[2]!.error!, /config blob .*(missing|not found)/);
});
