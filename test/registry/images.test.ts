// lsi's listing goes on when one tag cannot be read: a config blob missing from the
// registry, or one whose bytes do not match its digest, gives that tag a row with an error.
import test from 'ava';
import { createHash } from 'node:crypto';
import { RegistryClient } from '../../src/registry/client.ts';
import { listImages } from '../../src/registry/images.ts';
import { MEDIA } from '../../src/registry/manifest.ts';
import { startOciRegistry } from '../fakes/oci-registry.ts';

const sha = (b: Buffer): string => 'sha256:' + createHash('sha256').update(b).digest('hex');

const goodConfig = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'arm64' }));
const badConfigDigest = sha(Buffer.from('the real config'));
const lostConfigDigest = sha(Buffer.from('a config no longer stored'));

function manifest(config: string, size: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size },
      layers: [],
    }),
  );
}

test('a tag whose config blob is missing or corrupt gets an error row; the others are listed', async (t) => {
  const fake = await startOciRegistry();
  t.teardown(fake.close);
  fake.store.putBlob('x', goodConfig);
  fake.store.putBlob('x', Buffer.from('garbage!!'), badConfigDigest); // corrupt storage: bytes under another digest
  fake.store.putManifest('x', 'good', manifest(sha(goodConfig), goodConfig.length), MEDIA.ociManifest);
  fake.store.putManifest('x', 'corrupt', manifest(badConfigDigest, 9), MEDIA.ociManifest);
  fake.store.putManifest('x', 'lost', manifest(lostConfigDigest, 9), MEDIA.ociManifest); // its config was never stored
  const client = new RegistryClient(fake.host, { retries: 0 });
  t.teardown(() => client.close());
  const rows = await listImages(client, ['x']);
  t.deepEqual(
    rows.map((r) => [r.tag, r.platforms, r.error !== undefined]),
    [
      ['corrupt', [], true],
      ['good', ['linux/arm64'], false],
      ['lost', [], true],
    ],
  );
  t.regex(rows[0]!.error!, /config blob .* does not match its digest/);
  t.regex(rows[2]!.error!, /config blob .*(missing|not found)/);
  t.true(fake.requests().includes(`GET /v2/x/blobs/${lostConfigDigest}`));
});
