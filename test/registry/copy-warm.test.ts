// A warm copy asks its questions at once (copy.ts): the destination's HEAD of the tag while
// the source reads the image, the source's tag list and referrers API while the destination
// answers. Shown against the in-process registry by holding one answer back (a stall) and
// waiting for the other requests to arrive meanwhile: asked one after the other, they never
// would, and the test would fail on ava's timeout. Failures stay where they were: the
// source's before the destination's, a referrer lookup's after the tag is written.
import test, { type ExecutionContext } from 'ava';
import { RegistryClient } from '../../src/registry/client.ts';
import { copyImages } from '../../src/registry/copy.ts';
import { NotFoundError } from '../../src/errors.ts';
import { startOciRegistry, type OciRegistry } from '../fakes/oci-registry.ts';
import { buildIndex, buildRandomImage } from '../helpers/images.ts';

async function registry(t: ExecutionContext): Promise<OciRegistry> {
  const fake = await startOciRegistry({ referrers: false });
  t.teardown(fake.close);
  return fake;
}

function repo(t: ExecutionContext, fake: OciRegistry) {
  const client = new RegistryClient(fake.host, { retries: 1 });
  t.teardown(() => client.close());
  return { client, repository: 'app' };
}

/** A two-platform index at both ends as app:v1 (a warm copy), and the registries. */
async function warm(t: ExecutionContext) {
  const [src, dst] = [await registry(t), await registry(t)];
  const index = buildIndex('oci', [buildRandomImage({ layers: 1 }), buildRandomImage({ layers: 1 })]);
  src.store.pushIndex('app', 'v1', index);
  dst.store.pushIndex('app', 'v1', index);
  return { src, dst, index };
}

const items = [{ source: 'v1', tag: 'v1' }];

test('a warm copy (cp -q) asks the source 3 things and the destination 1, and carries what referrers there are (none)', async (t) => {
  const { src, dst, index } = await warm(t);
  const report = await copyImages(repo(t, src), repo(t, dst), items, { countPresent: false });
  t.deepEqual(report.images[0]!.digest, index.digest);
  t.deepEqual(report.referrers, []);
  t.deepEqual(src.requests().sort(), ['GET /v2/app/manifests/v1', `GET /v2/app/referrers/${index.digest}`, 'GET /v2/app/tags/list?n=1000']);
  t.deepEqual(dst.requests(), ['HEAD /v2/app/manifests/v1']);
});

test('the destination is asked about the tag while the source has not yet answered for the image', async (t) => {
  const { src, dst } = await warm(t);
  src.faults.add({ method: 'GET', path: '/v2/app/manifests/v1', stall: true });
  const stop = new AbortController();
  const copy = copyImages(repo(t, src), repo(t, dst), items, { countPresent: false, signal: stop.signal });
  const head = await dst.arrived((r) => r.method === 'HEAD' && r.path === '/v2/app/manifests/v1');
  t.is(src.log.find((r) => r.path === '/v2/app/manifests/v1')?.status, undefined, 'the source is still silent');
  t.truthy(head);
  stop.abort();
  await t.throwsAsync(copy);
});

test("the source's tag list and referrers API are asked while the destination has not yet answered", async (t) => {
  const { src, dst, index } = await warm(t);
  dst.faults.add({ method: 'HEAD', path: '/v2/app/manifests/v1', stall: true });
  const stop = new AbortController();
  const copy = copyImages(repo(t, src), repo(t, dst), items, { countPresent: false, signal: stop.signal });
  await src.arrived((r) => r.path === '/v2/app/tags/list');
  await src.arrived((r) => r.path === `/v2/app/referrers/${index.digest}`);
  t.is(dst.log.find((r) => r.method === 'HEAD')?.status, undefined, 'the destination is still silent');
  stop.abort();
  await t.throwsAsync(copy);
});

test("a missing image fails as the source's, whatever the destination answered meanwhile", async (t) => {
  const [src, dst] = [await registry(t), await registry(t)];
  dst.faults.add({ method: 'HEAD', status: 403, code: 'DENIED' });
  const err = await t.throwsAsync(copyImages(repo(t, src), repo(t, dst), items, { countPresent: false }));
  t.true(err instanceof NotFoundError);
  t.regex(err.message, /no image .*app:v1: nothing was copied/);
});

test("a destination refusing the HEAD fails the copy with the destination's error", async (t) => {
  const { src, dst } = await warm(t);
  dst.faults.add({ method: 'HEAD', status: 403, code: 'DENIED' });
  const err = await t.throwsAsync(copyImages(repo(t, src), repo(t, dst), items, { countPresent: false }));
  t.regex(err.message, new RegExp(dst.host));
});

test('a tag list the source refuses fails the copy after the tag is written, as when it was asked last', async (t) => {
  const [src, dst] = [await registry(t), await registry(t)];
  const image = buildRandomImage({ layers: 1 });
  src.store.pushImage('app', 'v1', image);
  src.faults.add({ path: '/v2/app/tags/list', status: 403, code: 'DENIED' });
  const err = await t.throwsAsync(copyImages(repo(t, src), repo(t, dst), items, { countPresent: false }));
  t.regex(err.message, /403/);
  t.is(dst.store.manifest('app', 'v1')?.digest, image.digest);
});
