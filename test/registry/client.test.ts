// Protocol tests: the registry client against the in-process registry (test/fakes/oci-registry.ts),
// told to behave as real registries and proxies do when they are awkward.
import test, { type ExecutionContext } from 'ava';
import { RegistryClient, CATALOG_SCOPE, pullScope, type Credential } from '../../src/registry/client.ts';
import { listRepositories, listTags } from '../../src/registry/catalog.ts';
import { fetchManifest } from '../../src/registry/manifest.ts';
import { AuthError, NotFoundError, RegistryError } from '../../src/errors.ts';
import { ManifestError } from '../../src/registry/errors.ts';
import { closedHost, startOciRegistry, type OciRegistry, type OciRegistryOptions } from '../fakes/oci-registry.ts';
import { buildManifest, tar } from '../helpers/images.ts';

const image = buildManifest(
  'oci',
  { os: 'linux', architecture: 'amd64' },
  [tar([{ name: 'a.txt', type: 'file', data: Buffer.from('a') }])],
  ['/a.txt'],
);

async function registry(t: ExecutionContext, options: OciRegistryOptions = {}): Promise<OciRegistry> {
  const fake = await startOciRegistry(options);
  t.teardown(fake.close);
  return fake;
}

function clientFor(t: ExecutionContext, host: string, options: ConstructorParameters<typeof RegistryClient>[1] = {}): RegistryClient {
  const client = new RegistryClient(host, options);
  t.teardown(() => client.close());
  return client;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('Bearer challenge: token fetched with the scopes (colons intact), cached, and sent', async (t) => {
  const fake = await registry(t, { auth: { bearer: { users: { u: 'p' }, service: 'reg,istry' } } });
  fake.store.pushImage('team/x', 'latest', image);
  const client = clientFor(t, fake.host, { credentials: async () => ({ username: 'u', password: 'p' }) });
  const m = await fetchManifest(client, 'team/x', 'latest');
  t.is(m.digest, image.digest);
  await fetchManifest(client, 'team/x', 'latest');
  t.is(fake.tokenRequests.length, 1, 'the token is cached for its scope');
  const [asked] = fake.tokenRequests;
  t.deepEqual(asked!.query.getAll('scope'), ['repository:team/x:pull']);
  t.is(asked!.query.get('service'), 'reg,istry');
  t.is(asked!.authorization, 'Basic ' + Buffer.from('u:p').toString('base64'));
  t.is(asked!.subject, 'u');
  t.deepEqual(
    fake.log.map((r) => r.authorization?.split(' ')[0] ?? 'none'),
    ['none', 'Basic', 'Bearer', 'Bearer'],
    'challenged, the token endpoint (Basic), the retry, the cached token',
  );
});

test('Bearer challenge without credentials asks for an anonymous token; an identity token is POSTed as a refresh token; access_token wins over token', async (t) => {
  const fake = await registry(t, {
    auth: {
      bearer: {
        service: 'svc',
        anonymous: true,
        refreshTokens: { 'REFRESH-SECRET': 'alice' },
        tokenResponse: (token) => ({ access_token: token, token: 'ignored' }),
      },
    },
  });
  fake.store.pushImage('a', 'v1', image);
  const anonymous = new RegistryClient(fake.host);
  t.deepEqual(await listRepositories(anonymous), ['a']);
  await anonymous.close();
  t.is(fake.tokenRequests[0]!.method, 'GET');
  t.is(fake.tokenRequests[0]!.authorization, undefined);

  const identity: Credential = { identityToken: 'REFRESH-SECRET' };
  const withToken = new RegistryClient(fake.host, { credentials: async () => identity });
  t.deepEqual(await listRepositories(withToken), ['a']);
  await withToken.close();
  const post = fake.tokenRequests[1]!;
  t.is(post.method, 'POST');
  t.is(post.subject, 'alice');
  t.is(post.form?.get('grant_type'), 'refresh_token');
  t.is(post.form?.get('refresh_token'), 'REFRESH-SECRET');
  t.is(post.form?.get('service'), 'svc');
  t.is(post.form?.get('scope'), CATALOG_SCOPE);
});

test('Basic challenge: retried with the credentials; refused credentials give an AuthError naming docker login, without secrets', async (t) => {
  const fake = await registry(t, { auth: { basic: { users: { alice: 'right' } } } });
  fake.store.pushImage('x', '1', image);
  const good = new RegistryClient(fake.host, { credentials: async () => ({ username: 'alice', password: 'right' }) });
  t.deepEqual(await listTags(good, 'x'), ['1']);
  await good.close();
  const bad = new RegistryClient(fake.host, { credentials: async () => ({ username: 'alice', password: 'WRONG-SECRET' }) });
  const err = await t.throwsAsync(listTags(bad, 'x'), { instanceOf: AuthError });
  await bad.close();
  t.regex(err.message, new RegExp(`docker login ${escape(fake.host)}`));
  t.notRegex(`${err.message} ${err.stack}`, /WRONG-SECRET|Basic /);
  const none = new RegistryClient(fake.host);
  const err2 = await t.throwsAsync(listTags(none, 'x'), { instanceOf: AuthError });
  await none.close();
  t.regex(err2.message, /log in first: docker login/);
});

test('403 is an AuthError', async (t) => {
  const fake = await registry(t);
  fake.faults.add({ status: 403, code: 'DENIED' });
  const client = clientFor(t, fake.host);
  await t.throwsAsync(listTags(client, 'x'), { instanceOf: AuthError, message: /denied access \(403\)/ });
});

for (const absoluteLinks of [false, true]) {
  test(`Link paging: ${absoluteLinks ? 'absolute' : 'relative'} next links are followed to the end`, async (t) => {
    const fake = await registry(t, { pageCap: 100, absoluteLinks }); // the server caps pages at 100
    const all = Array.from({ length: 250 }, (_, i) => `repo-${String(i).padStart(3, '0')}`);
    for (const name of all) fake.store.pushImage(name, 'v1', image);
    const client = clientFor(t, fake.host);
    t.deepEqual(await listRepositories(client), all);
    t.deepEqual(
      fake.log.map((r) => r.query),
      ['?n=1000', '?last=repo-099&n=1000', '?last=repo-199&n=1000'],
    );
  });
}

test('a 500 or 503 on a read is retried; a 400 is not', async (t) => {
  const fake = await registry(t);
  fake.store.pushImage('x', 'ok', image);
  fake.faults.add({ path: '/v2/x/tags/list', times: 1, status: 500, code: 'UNKNOWN' });
  fake.faults.add({ path: '/v2/x/tags/list', times: 1, status: 503, headers: { 'retry-after': '0' } });
  const client = clientFor(t, fake.host);
  t.deepEqual(await listTags(client, 'x'), ['ok']);
  t.deepEqual(
    fake.log.map((r) => r.status),
    [500, 503, 200],
  );
  const err = await t.throwsAsync(listTags(client, 'Bad'), { instanceOf: RegistryError });
  t.is(fake.log.filter((r) => r.path === '/v2/Bad/tags/list').length, 1, 'a 400 is not retried');
  t.regex(err.message, /400 .*NAME_INVALID: invalid repository name/);
});

test('404: NotFoundError naming the image or the repository', async (t) => {
  const fake = await registry(t);
  fake.store.pushImage('x', 'v0', image);
  const client = clientFor(t, fake.host);
  await t.throwsAsync(fetchManifest(client, 'x', 'v1'), { instanceOf: NotFoundError, message: `no image ${fake.host}/x:v1` });
  await t.throwsAsync(fetchManifest(client, 'norepo', 'v1'), { instanceOf: NotFoundError, message: `no repository ${fake.host}/norepo` });
  await t.throwsAsync(listTags(client, 'norepo'), { instanceOf: NotFoundError, message: `no repository ${fake.host}/norepo` });
});

test('an HTML error page becomes one line with the status and the page title, never the HTML', async (t) => {
  const fake = await registry(t);
  fake.faults.add({
    status: 502,
    contentType: 'text/html',
    body: '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1>' + 'x'.repeat(5000) + '</body></html>',
  });
  const client = clientFor(t, fake.host, { retries: 1 });
  const err = await t.throwsAsync(listRepositories(client), { instanceOf: RegistryError });
  t.is(
    err.message,
    `${fake.host} answered 502 (bad gateway) to GET /v2/_catalog: an HTML page titled "502 Bad Gateway" (check that ${fake.host} is a Docker registry and is running)`,
  );
});

test('a manifest whose bytes do not match the digest is refused; without a Docker-Content-Digest the bytes decide', async (t) => {
  const fake = await registry(t);
  fake.store.pushImage('x', 'latest', image);
  // Corrupt storage: the bytes of one manifest stored under another digest.
  const wrong = 'sha256:' + 'f'.repeat(64);
  fake.store.repository('x')!.manifests.set(wrong, { bytes: image.bytes, mediaType: image.mediaType });
  const client = clientFor(t, fake.host);
  await t.throwsAsync(fetchManifest(client, 'x', wrong), { instanceOf: ManifestError, message: /digest is sha256:/ });
  const lying = fake.faults.add({ headers: { 'docker-content-digest': 'sha256:' + 'e'.repeat(64) } });
  await t.throwsAsync(fetchManifest(client, 'x', 'latest'), { instanceOf: ManifestError, message: /digest is sha256:/ });
  fake.faults.list.splice(fake.faults.list.indexOf(lying), 1);
  fake.faults.add({ headers: { 'docker-content-digest': null } });
  t.is((await fetchManifest(client, 'x', image.digest)).digest, image.digest);
});

test('a truncated body is retried, and fails with a RegistryError naming the host when it stays truncated', async (t) => {
  const fake = await registry(t);
  fake.store.pushImage('x', 'latest', image);
  const once = fake.faults.add({ path: '/manifests/', cut: 20, times: 1 });
  const client = clientFor(t, fake.host, { retries: 2 });
  t.is((await fetchManifest(client, 'x', 'latest')).digest, image.digest);
  t.deepEqual(
    fake.log.map((r) => r.status),
    [-1, 200],
  );
  once.times = Infinity;
  fake.log.length = 0;
  await t.throwsAsync(fetchManifest(client, 'x', 'latest'), {
    instanceOf: RegistryError,
    message: new RegExp(`${escape(fake.host)} closed the connection`),
  });
  t.is(fake.log.length, 3);
});

test('nothing listening on a loopback port: "no registry answers", with the start hint, at once', async (t) => {
  const port = (await closedHost()).split(':')[1];
  const client = clientFor(t, `localhost:${port}`);
  await t.throwsAsync(listRepositories(client), {
    instanceOf: RegistryError,
    message: `no registry answers on localhost:${port} (start one with: docker jindr -r localhost:${port} start)`,
  });
});

test('a registry that does not answer in time: RegistryError naming the host', async (t) => {
  const fake = await registry(t);
  fake.faults.add({ stall: true });
  const client = clientFor(t, fake.host, { timeoutMs: 300 });
  await t.throwsAsync(listRepositories(client), {
    instanceOf: RegistryError,
    message: `${fake.host} did not answer within 0.3 s (JINDR_TIMEOUT_MS=<milliseconds> waits longer)`,
  });
});

test('concurrency is bounded and connections are kept alive', async (t) => {
  const fake = await registry(t);
  for (let i = 0; i < 60; i++) fake.store.pushImage(`r${i}`, 'v1', image);
  fake.faults.add({ delayMs: 5 });
  const client = clientFor(t, fake.host, { concurrency: 4, connections: 4 });
  await Promise.all(Array.from({ length: 60 }, (_, i) => client.request({ path: `/v2/r${i}/tags/list`, scopes: [pullScope(`r${i}`)] })));
  t.true(fake.maxInFlight <= 4, `at most 4 in flight (saw ${fake.maxInFlight})`);
  t.true(fake.maxInFlight >= 2, 'requests do run concurrently');
  const connections = new Set(fake.log.map((r) => r.connection)).size;
  t.true(connections <= 4, `connections reused (saw ${connections})`);
});

test('a redirect to another origin does not carry the Authorization header', async (t) => {
  const storage = await registry(t);
  const digest = storage.store.putBlob('x', Buffer.from('blob'));
  const fake = await registry(t, {
    auth: { basic: { users: { u: 'p' } } },
    blobRedirect: (repo, d) => `${storage.origin}/v2/${repo}/blobs/${d}`,
  });
  fake.store.putBlob('x', Buffer.from('blob'));
  const client = clientFor(t, fake.host, { credentials: async () => ({ username: 'u', password: 'p' }) });
  const response = await client.request({ path: `/v2/x/blobs/${digest}`, scopes: [pullScope('x')] });
  t.is(response.body.toString(), 'blob');
  t.deepEqual(
    fake.log.map((r) => r.status),
    [401, 307],
  );
  t.truthy(fake.log[1]!.authorization);
  t.is(storage.log.length, 1);
  t.is(storage.log[0]!.authorization, undefined);
});
