// The copy engine against the in-process registry (test/fakes/oci-registry.ts) where it must
// cope with what real registries rarely do on demand: a declined mount (ECR, some Harbor
// versions) and transient upload failures. Against real registry containers: test/e2e/copy-engine.test.ts.
import test, { type ExecutionContext } from 'ava';
import { RegistryClient } from '../../src/registry/client.ts';
import { copyImages, type CopyEvents } from '../../src/registry/copy.ts';
import { startOciRegistry, type OciRegistry, type OciRegistryOptions } from '../fakes/oci-registry.ts';
import { buildIndex, buildRandomImage, type BuiltManifest } from '../helpers/images.ts';

async function registry(t: ExecutionContext, options: OciRegistryOptions = {}): Promise<OciRegistry> {
  const fake = await startOciRegistry(options);
  t.teardown(fake.close);
  return fake;
}

function repo(t: ExecutionContext, fake: OciRegistry, repository: string) {
  const client = new RegistryClient(fake.host, { retries: 1 });
  t.teardown(() => client.close());
  return { client, repository };
}

/** The destination holds the image under tag, byte for byte. */
function holds(t: ExecutionContext, fake: OciRegistry, repository: string, tag: string, image: BuiltManifest): void {
  t.is(fake.store.manifest(repository, tag)?.digest, image.digest);
  t.true(fake.store.manifest(repository, tag)?.bytes.equals(image.bytes));
  for (const b of [image.config, ...image.layers]) t.true(fake.store.blob(repository, b.digest)?.equals(b.bytes), b.digest);
}

test('a registry declining the mount (202) gets an upload instead', async (t) => {
  const reg = await registry(t, { mounts: false });
  const img = buildRandomImage({ layers: 2 });
  reg.store.pushImage('app', 'v1', img);
  const report = await copyImages(repo(t, reg, 'app'), repo(t, reg, 'other'), [{ source: 'v1', tag: 'v1' }]);
  t.deepEqual(report.blobs, { exists: 0, mounted: 0, copied: 3 });
  t.true(reg.requests().some((l) => l.startsWith('POST /v2/other/blobs/uploads/?mount=')));
  holds(t, reg, 'other', 'v1', img);
});

test('transient upload failures are retried from the start of the blob', async (t) => {
  const [src, dst] = [await registry(t), await registry(t)];
  const img = buildRandomImage({ layers: 1, layerSize: 300_000 });
  src.store.pushImage('app', 'v1', img);
  dst.faults.add({ method: 'PATCH', path: '/blobs/uploads/', times: 2, status: 503, code: 'UNAVAILABLE' });
  let retries = 0;
  const events: CopyEvents = { blobRetry: () => (retries += 1) };
  const report = await copyImages(repo(t, src, 'app'), repo(t, dst, 'app'), [{ source: 'v1', tag: 'v1' }], { events, jobs: 1 });
  t.is(retries, 2);
  t.is(report.blobs.copied, 2);
  t.is(dst.log.filter((r) => r.method === 'PATCH' && r.status === 503).length, 2);
  holds(t, dst, 'app', 'v1', img);
});

for (const status of [501, 405]) {
  test(`a registry answering ${status} to an upload is not asked again: one failure, no retries`, async (t) => {
    const [src, dst] = [await registry(t), await registry(t)];
    src.store.pushImage('app', 'v1', buildRandomImage({ layers: 3 }));
    dst.faults.add({ method: 'POST', path: '/blobs/uploads/', times: 100, status, code: 'UNSUPPORTED' });
    let retries = 0;
    const events: CopyEvents = { blobRetry: () => (retries += 1) };
    const err = await t.throwsAsync(
      copyImages(repo(t, src, 'app'), repo(t, dst, 'app'), [{ source: 'v1', tag: 'v1' }], { events, jobs: 1 }),
    );
    t.regex(err.message, new RegExp(`${status}|unsupported`, 'i'));
    t.is(retries, 0);
    const posts = dst.requests().filter((l) => l.startsWith('POST /v2/app/blobs/uploads/'));
    t.true(posts.length >= 1 && posts.length <= 4, `each blob asked once at most (${posts.length}), not again and again`);
    t.is(dst.store.manifest('app', 'v1'), undefined);
  });
}

/** A two-platform index of random images, at the source as app:v1. */
function seedIndex(src: OciRegistry) {
  const index = buildIndex('oci', [buildRandomImage({ layers: 1 }), buildRandomImage({ layers: 2 })]);
  src.store.pushIndex('app', 'v1', index);
  return index;
}

const manifestReads = (fake: OciRegistry) => fake.requests().filter((l) => l.startsWith('GET /v2/app/manifests/'));

test('a warm copy of an index whose counts are not shown (cp -q): one read of the source, one question to the destination', async (t) => {
  const [src, dst] = [await registry(t), await registry(t)];
  const index = seedIndex(src);
  dst.store.pushIndex('app', 'v1', index);
  const report = await copyImages(repo(t, src, 'app'), repo(t, dst, 'app'), [{ source: 'v1', tag: 'v1' }], { countPresent: false });
  t.is(report.images[0]!.digest, index.digest);
  t.deepEqual(manifestReads(src), ['GET /v2/app/manifests/v1']);
  t.deepEqual(dst.requests(), ['HEAD /v2/app/manifests/v1']);
  t.deepEqual(report.blobs, { exists: 0, mounted: 0, copied: 0 });
});

test('a warm copy of an index whose counts are shown reads each child once and counts its blobs', async (t) => {
  const [src, dst] = [await registry(t), await registry(t)];
  const index = seedIndex(src);
  dst.store.pushIndex('app', 'v1', index);
  const report = await copyImages(repo(t, src, 'app'), repo(t, dst, 'app'), [{ source: 'v1', tag: 'v1' }]);
  t.deepEqual(
    manifestReads(src).sort(),
    ['GET /v2/app/manifests/v1', ...index.manifests.map((m) => `GET /v2/app/manifests/${m.digest}`)].sort(),
  );
  t.deepEqual(dst.requests(), ['HEAD /v2/app/manifests/v1']);
  t.deepEqual(report.blobs, { exists: 5, mounted: 0, copied: 0 });
});

for (const countPresent of [true, false]) {
  test(`a cold copy of an index (counts ${countPresent ? 'shown' : 'not shown'}) reads each child from the source once and arrives whole`, async (t) => {
    const [src, dst] = [await registry(t), await registry(t)];
    const index = seedIndex(src);
    const report = await copyImages(repo(t, src, 'app'), repo(t, dst, 'app'), [{ source: 'v1', tag: 'v1' }], { countPresent });
    t.is(manifestReads(src).length, 3);
    t.is(new Set(manifestReads(src)).size, 3);
    t.deepEqual(report.blobs, { exists: 0, mounted: 0, copied: 5 });
    t.is(dst.store.manifest('app', 'v1')?.digest, index.digest);
    for (const m of index.manifests) holds(t, dst, 'app', m.digest, m);
  });
}

test('a child the source cannot serve fails the copy with its error, and the tag is not written', async (t) => {
  const [src, dst] = [await registry(t), await registry(t)];
  const index = seedIndex(src);
  const child = index.manifests[1]!.digest;
  src.faults.add({ method: 'GET', path: `/manifests/${child}`, times: 100, status: 404, code: 'MANIFEST_UNKNOWN' });
  await t.throwsAsync(copyImages(repo(t, src, 'app'), repo(t, dst, 'app'), [{ source: 'v1', tag: 'v1' }]));
  t.is(dst.store.manifest('app', 'v1'), undefined);
});
