// The registry client against a hostile registry (the in-process fake's raw, flood and drip
// faults): malformed answers, bodies over their limits (announced or endless), silence and
// slow drips, redirect loops and downgrades. Each ends with one line naming the registry
// (and the limit), in bounded time and memory.
import test, { type ExecutionContext } from 'ava';
import { RegistryClient, type RegistryClientOptions } from '../../src/registry/client.ts';
import { listTags } from '../../src/registry/catalog.ts';
import { fetchManifest } from '../../src/registry/manifest.ts';
import { fetchImageConfig } from '../../src/registry/image-config.ts';
import { openBlob } from '../../src/registry/blobs.ts';
import { RegistryError } from '../../src/errors.ts';
import { startOciRegistry, type OciRegistry, type OciRegistryOptions } from '../fakes/oci-registry.ts';
import { buildManifest, tar } from '../helpers/images.ts';
import { RAW_ANSWERS } from './raw-answers.ts';

const image = buildManifest(
  'oci',
  { os: 'linux', architecture: 'amd64' },
  [tar([{ name: 'a.txt', type: 'file', data: Buffer.from('a'.repeat(5000)) }])],
  ['/a.txt'],
);

async function registry(t: ExecutionContext, options: OciRegistryOptions = {}): Promise<OciRegistry> {
  const fake = await startOciRegistry(options);
  t.teardown(fake.close);
  fake.store.pushImage('app', 'v1', image);
  return fake;
}

function clientFor(t: ExecutionContext, fake: OciRegistry, options: RegistryClientOptions = {}): RegistryClient {
  const client = new RegistryClient(fake.host, { retries: 0, ...options });
  t.teardown(() => client.close());
  return client;
}

/** Runs fn, expecting a RegistryError of one line matching message, within `withinMs`. */
async function refuses(t: ExecutionContext, fn: () => Promise<unknown>, message: RegExp, withinMs = 10_000): Promise<void> {
  const started = Date.now();
  const err = await t.throwsAsync(fn, { instanceOf: RegistryError });
  t.regex(err.message, message);
  t.notRegex(err.message, /\n/);
  t.true(Date.now() - started < withinMs, `took ${Date.now() - started} ms`);
}

const MALFORMED = [
  'both Content-Length and Transfer-Encoding',
  'duplicate differing Content-Length',
  'whitespace before a header colon',
  'obs-fold line',
  'NUL in a header value',
  'control character 0x01 in a header value',
  'space in a header name',
  'bare LF after a header',
  'two-digit status',
  'HTTP/1.2 status line',
  'negative Content-Length',
  'chunk extension with a control character',
  'trailer with a NUL',
];

for (const name of MALFORMED) {
  test(`a manifest answer with ${name}: refused, one line naming the registry`, async (t) => {
    const fake = await registry(t);
    const raw = RAW_ANSWERS[name]!;
    t.truthy(raw);
    fake.faults.add({ method: 'GET', path: '/manifests/', raw });
    await refuses(
      t,
      () => fetchManifest(clientFor(t, fake), 'app', 'v1'),
      new RegExp(`^request to ${fake.host} failed: malformed HTTP answer: `),
    );
  });
}

test('a manifest announced as 2 GiB: refused before its body is read, naming the 4 MiB limit; memory stays put', async (t) => {
  const fake = await registry(t);
  fake.faults.add({ method: 'GET', path: '/manifests/', flood: { announce: 2 ** 31 } });
  const before = process.memoryUsage().rss;
  await refuses(
    t,
    () => fetchManifest(clientFor(t, fake), 'app', 'v1'),
    new RegExp(`^${fake.host} sent a manifest larger than 4 MiB \\(the limit\\) for GET /v2/app/manifests/v1: not read$`),
  );
  t.true(process.memoryUsage().rss - before < 64 * 1024 * 1024, `rss grew ${(process.memoryUsage().rss - before) >> 20} MiB`);
});

for (const framing of ['chunked', 'close'] as const) {
  test(`a manifest whose ${framing} body never ends: refused once past 4 MiB`, async (t) => {
    const fake = await registry(t);
    fake.faults.add({ method: 'GET', path: '/manifests/', flood: { framing } });
    await refuses(t, () => fetchManifest(clientFor(t, fake), 'app', 'v1'), /sent a manifest larger than 4 MiB \(the limit\)/);
  });
}

test('an image config over 8 MiB is refused naming its limit (a manifest may be up to 4 MiB, a config 8)', async (t) => {
  const fake = await registry(t);
  fake.faults.add({ method: 'GET', path: `/blobs/${image.config.digest}`, flood: { announce: 8 * 1024 * 1024 + 1 } });
  await refuses(
    t,
    () => fetchImageConfig(clientFor(t, fake), 'app', image.config),
    /sent an image config larger than 8 MiB \(the limit\) for GET /,
  );
  fake.faults.clear();
  fake.faults.add({ method: 'GET', path: '/manifests/', flood: { announce: 4 * 1024 * 1024 } });
  await t.throwsAsync(
    () => fetchManifest(clientFor(t, fake), 'app', 'v1'),
    { message: /not JSON/ },
    'exactly 4 MiB is read (and then is no manifest)',
  );
});

test('an error body over 64 KiB is refused naming the limit, announced or not', async (t) => {
  const fake = await registry(t);
  fake.faults.add({ method: 'GET', path: '/manifests/', status: 500, flood: { announce: 65 * 1024 }, times: 1 });
  await refuses(t, () => fetchManifest(clientFor(t, fake), 'app', 'v1'), /sent an error answer \(500\) larger than 64 KiB \(the limit\)/);
  fake.faults.add({ method: 'GET', path: '/manifests/', status: 404, flood: { framing: 'chunked' }, times: 1 });
  await refuses(t, () => fetchManifest(clientFor(t, fake), 'app', 'v1'), /sent an error answer \(404\) larger than 64 KiB/);
});

test('a tag list that never ends is refused at 16 MiB, the limit of other whole answers', async (t) => {
  const fake = await registry(t);
  fake.faults.add({ path: '/tags/list', flood: { framing: 'chunked' } });
  await refuses(
    t,
    () => listTags(clientFor(t, fake), 'app'),
    /sent an answer larger than 16 MiB \(the limit\) for GET \/v2\/app\/tags\/list/,
  );
});

test('a registry that accepts and never answers: a timeout naming it', async (t) => {
  const fake = await registry(t);
  fake.faults.add({ stall: true });
  await refuses(
    t,
    () => fetchManifest(clientFor(t, fake, { timeoutMs: 300 }), 'app', 'v1'),
    new RegExp(`^${fake.host} did not answer within 0.3 s \\(JINDR_TIMEOUT_MS`),
  );
});

const slow = { timeoutMs: 5000, minRate: { bytesPerSecond: 100, windowMs: 1000 } };

test('a manifest dripped a byte every 100 ms: ended by the minimum rate, not held by the idle timeout', async (t) => {
  const fake = await registry(t);
  fake.faults.add({ method: 'GET', path: '/manifests/', dripMs: 100 });
  await refuses(
    t,
    () => fetchManifest(clientFor(t, fake, slow), 'app', 'v1'),
    new RegExp(`^${fake.host} sent too slowly: its answer came slower than 100 bytes/s for 1 s`),
    4000,
  );
});

test('a blob dripped a byte every 100 ms: the streamed download ends by the minimum rate too', async (t) => {
  const fake = await registry(t);
  const layer = image.layers[0]!;
  fake.faults.add({ method: 'GET', path: `/blobs/${layer.digest}`, dripMs: 100 });
  const client = clientFor(t, fake, slow);
  const started = Date.now();
  // Its head comes as slowly as its body: the rate is watched from the request's first byte.
  await refuses(
    t,
    async () => {
      const { body } = await openBlob({ client, repository: 'app' }, layer.digest);
      for await (const chunk of body) void chunk;
    },
    new RegExp(`^${fake.host} sent too slowly: its answer came slower than 100 bytes/s for 1 s`),
    4000,
  );
  t.true(Date.now() - started < 4000);
});

test('a slow answer above the minimum rate is read whole', async (t) => {
  const fake = await registry(t);
  fake.faults.add({ method: 'GET', path: '/manifests/', dripMs: 20, dripBytes: 50 });
  const m = await fetchManifest(clientFor(t, fake, { timeoutMs: 5000, minRate: { bytesPerSecond: 50, windowMs: 300 } }), 'app', 'v1');
  t.is(m.digest, image.digest);
});

test('a redirect loop ends after 10 hops with one line', async (t) => {
  const fake = await registry(t);
  fake.faults.add({ method: 'GET', path: '/manifests/', status: 307, headers: { location: '/v2/app/manifests/v1' } });
  await refuses(
    t,
    () => fetchManifest(clientFor(t, fake), 'app', 'v1'),
    /redirected GET \/v2\/app\/manifests\/v1 more than 10 times: refused/,
  );
  t.is(fake.log.filter((r) => r.path === '/v2/app/manifests/v1').length, 11);
});

test('a redirect to another origin goes without the Authorization header (the client keeps no cookies: none is sent anywhere)', async (t) => {
  const fake = await registry(t, { auth: { basic: { users: { u: 'p' } } } });
  const other = await registry(t);
  fake.faults.add({
    method: 'GET',
    path: '/manifests/',
    status: 307,
    headers: { location: `${other.origin}/v2/app/manifests/v1`, 'set-cookie': 'session=secret' },
  });
  const client = clientFor(t, fake, { credentials: async () => ({ username: 'u', password: 'p' }) });
  await client.request({ path: '/v2/' }); // learns that the registry wants Basic
  const m = await fetchManifest(client, 'app', 'v1');
  t.is(m.digest, image.digest);
  const there = other.log.find((r) => r.path === '/v2/app/manifests/v1');
  t.truthy(there);
  t.is(there!.authorization, undefined);
  t.truthy(
    fake.log.find((r) => r.path === '/v2/app/manifests/v1' && r.authorization !== undefined),
    'the registry itself had the credentials',
  );
});
