// The in-process registry speaks the distribution spec: checked here with plain fetch
// (independent of src/registry), and with skopeo as a second opinion.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { MISBEHAVIOURS, closedHost, startOciRegistry, type OciRegistry, type OciRegistryOptions } from './oci-registry.ts';
import { buildIndex, buildManifest, tar, sha256, type BuiltManifest, type ImageFormat } from '../helpers/images.ts';
import { run } from '../helpers/run.ts';

async function registry(t: import('ava').ExecutionContext, options: OciRegistryOptions = {}): Promise<OciRegistry> {
  const fake = await startOciRegistry(options);
  t.teardown(fake.close);
  return fake;
}

function image(format: ImageFormat, architecture = 'amd64', text = 'hello'): BuiltManifest {
  return buildManifest(
    format,
    { os: 'linux', architecture },
    [tar([{ name: 'a.txt', type: 'file', data: Buffer.from(`${text} ${architecture}\n`) }])],
    ['/a.txt'],
  );
}

const api = (fake: OciRegistry, path: string, init: RequestInit = {}) => fetch(`${fake.origin}${path}`, { redirect: 'manual', ...init });
const errorCode = async (response: Response): Promise<string> =>
  ((await response.json()) as { errors: { code: string }[] }).errors[0]!.code;

async function pushBlob(fake: OciRegistry, repo: string, bytes: Buffer): Promise<Response> {
  const start = await api(fake, `/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  const location = new URL(start.headers.get('location')!, fake.origin);
  location.searchParams.set('digest', sha256(bytes));
  return fetch(location, { method: 'PUT', body: new Uint8Array(bytes), headers: { 'content-type': 'application/octet-stream' } });
}

async function pushManifest(
  fake: OciRegistry,
  repo: string,
  reference: string,
  m: { bytes: Buffer; mediaType: string },
): Promise<Response> {
  return api(fake, `/v2/${repo}/manifests/${reference}`, {
    method: 'PUT',
    body: new Uint8Array(m.bytes),
    headers: { 'content-type': m.mediaType },
  });
}

test('/v2/ answers 200 with the API version header; other paths are 404 pages', async (t) => {
  const fake = await registry(t);
  const base = await api(fake, '/v2/');
  t.is(base.status, 200);
  t.is(base.headers.get('docker-distribution-api-version'), 'registry/2.0');
  t.is((await api(fake, '/nothing')).status, 404);
});

for (const format of ['oci', 'docker'] as const) {
  test(`${format}: an image manifest and an index are stored as pushed bytes, with their own type and digest, by tag and by digest`, async (t) => {
    const fake = await registry(t);
    const platforms = [image(format, 'amd64'), image(format, 'arm64')];
    const index = buildIndex(format, platforms);
    for (const m of platforms) {
      for (const b of [m.config, ...m.layers]) t.is((await pushBlob(fake, 'multi', b.bytes)).status, 201);
      t.is((await pushManifest(fake, 'multi', m.digest, m)).status, 201);
    }
    const put = await pushManifest(fake, 'multi', 'v1', index);
    t.is(put.status, 201);
    t.is(put.headers.get('docker-content-digest'), index.digest);
    t.is(put.headers.get('location'), `/v2/multi/manifests/${index.digest}`);
    for (const [reference, m] of [
      ['v1', index],
      [index.digest, index],
      [platforms[1]!.digest, platforms[1]!],
    ] as const) {
      const got = await api(fake, `/v2/multi/manifests/${reference}`);
      t.is(got.headers.get('content-type'), m.mediaType);
      t.is(got.headers.get('docker-content-digest'), m.digest);
      t.true(Buffer.from(await got.arrayBuffer()).equals(m.bytes));
      const head = await api(fake, `/v2/multi/manifests/${reference}`, { method: 'HEAD' });
      t.is(head.status, 200);
      t.is(head.headers.get('content-length'), String(m.bytes.length));
      t.is(head.headers.get('docker-content-digest'), m.digest);
    }
    t.is(await errorCode(await api(fake, '/v2/multi/manifests/nope')), 'MANIFEST_UNKNOWN');
    t.is(await errorCode(await api(fake, '/v2/other/manifests/v1')), 'NAME_UNKNOWN');
  });
}

test('a manifest PUT is checked: its blobs, the digest it is pushed under, its type; bad names are NAME_INVALID', async (t) => {
  const fake = await registry(t);
  const m = image('oci');
  t.is(await errorCode(await pushManifest(fake, 'app', 'v1', m)), 'MANIFEST_BLOB_UNKNOWN');
  fake.store.pushImage('app', 'v0', m);
  t.is(await errorCode(await pushManifest(fake, 'app', sha256('other'), m)), 'DIGEST_INVALID');
  t.is(await errorCode(await pushManifest(fake, 'app', 'v1', { ...m, mediaType: 'text/plain' })), 'MANIFEST_INVALID');
  t.is(
    await errorCode(await pushManifest(fake, 'app', 'v1', { ...m, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' })),
    'MANIFEST_INVALID',
  );
  t.is((await pushManifest(fake, 'app', 'v1', m)).status, 201);
  t.is(await errorCode(await api(fake, '/v2/App/tags/list')), 'NAME_INVALID');
  t.deepEqual(fake.store.tags('app'), ['v0', 'v1']);
});

test('DELETE: by tag untags (3.x), by digest takes every tag; 2.x refuses a tag; deletes off is 405', async (t) => {
  const m = image('oci');
  const v3 = await registry(t);
  v3.store.pushImage('app', 'a', m);
  v3.store.putManifest('app', 'b', m.bytes, m.mediaType);
  v3.store.putManifest('app', 'c', m.bytes, m.mediaType);
  t.is((await api(v3, '/v2/app/manifests/a', { method: 'DELETE' })).status, 202);
  t.deepEqual(v3.store.tags('app'), ['b', 'c']);
  t.is((await api(v3, `/v2/app/manifests/${m.digest}`, { method: 'DELETE' })).status, 202);
  t.deepEqual(v3.store.tags('app'), []);
  t.is((await api(v3, `/v2/app/manifests/${m.digest}`)).status, 404);
  const v2 = await registry(t, { deleteTags: false });
  v2.store.pushImage('app', 'a', m);
  const refused = await api(v2, '/v2/app/manifests/a', { method: 'DELETE' });
  t.is(refused.status, 400);
  t.is(await errorCode(refused), 'DIGEST_INVALID');
  const off = await registry(t, { deletes: false });
  off.store.pushImage('app', 'a', m);
  for (const path of [`/v2/app/manifests/${m.digest}`, `/v2/app/blobs/${m.config.digest}`]) {
    const r = await api(off, path, { method: 'DELETE' });
    t.is(r.status, 405);
    t.is(await errorCode(r), 'UNSUPPORTED');
  }
});

test('blobs: monolithic POST, chunked PATCH with Content-Range, progress, a wrong digest refused; GET, HEAD, DELETE', async (t) => {
  const fake = await registry(t);
  const whole = Buffer.from('monolithic blob');
  const mono = await api(fake, `/v2/b/blobs/uploads/?digest=${sha256(whole)}`, { method: 'POST', body: new Uint8Array(whole) });
  t.is(mono.status, 201);
  t.is(mono.headers.get('docker-content-digest'), sha256(whole));

  const [one, two] = [Buffer.from('first chunk, '), Buffer.from('second chunk')];
  const start = await api(fake, '/v2/b/blobs/uploads/', { method: 'POST' });
  t.is(start.status, 202);
  t.truthy(start.headers.get('docker-upload-uuid'));
  let at = start.headers.get('location')!;
  const patch1 = await api(fake, at, { method: 'PATCH', body: new Uint8Array(one), headers: { 'content-range': `0-${one.length - 1}` } });
  t.is(patch1.status, 202);
  t.is(patch1.headers.get('range'), `0-${one.length - 1}`);
  at = patch1.headers.get('location')!;
  const badRange = await api(fake, at, { method: 'PATCH', body: new Uint8Array(two), headers: { 'content-range': `0-${two.length - 1}` } });
  t.is(badRange.status, 416);
  t.is((await api(fake, at, { method: 'PATCH', body: new Uint8Array(two) })).status, 202);
  t.is((await api(fake, at)).headers.get('range'), `0-${one.length + two.length - 1}`);
  const all = Buffer.concat([one, two]);
  t.is(await errorCode(await api(fake, `${at}?digest=${sha256('something else')}`, { method: 'PUT' })), 'DIGEST_INVALID');
  const done = await api(fake, `${at}?digest=${sha256(all)}`, { method: 'PUT' });
  t.is(done.status, 201);
  t.is(done.headers.get('location'), `/v2/b/blobs/${sha256(all)}`);
  t.is(await errorCode(await api(fake, at)), 'BLOB_UPLOAD_UNKNOWN');

  const got = await api(fake, `/v2/b/blobs/${sha256(all)}`);
  t.is(Buffer.from(await got.arrayBuffer()).toString(), 'first chunk, second chunk');
  const head = await api(fake, `/v2/b/blobs/${sha256(whole)}`, { method: 'HEAD' });
  t.is(head.headers.get('content-length'), String(whole.length));
  t.is((await api(fake, `/v2/b/blobs/${sha256(whole)}`, { method: 'DELETE' })).status, 202);
  t.is(await errorCode(await api(fake, `/v2/b/blobs/${sha256(whole)}`)), 'BLOB_UNKNOWN');
  const cancel = await api(fake, '/v2/b/blobs/uploads/', { method: 'POST' });
  t.is((await api(fake, cancel.headers.get('location')!, { method: 'DELETE' })).status, 204);
});

test('cross-repository mount: 201 when the source has the blob, else an upload (202); mounts off is always 202', async (t) => {
  const fake = await registry(t);
  const digest = fake.store.putBlob('src', Buffer.from('shared layer'));
  const mounted = await api(fake, `/v2/dst/blobs/uploads/?mount=${digest}&from=src`, { method: 'POST' });
  t.is(mounted.status, 201);
  t.is(mounted.headers.get('location'), `/v2/dst/blobs/${digest}`);
  t.is((await api(fake, `/v2/dst/blobs/${digest}`, { method: 'HEAD' })).status, 200);
  const declined = await api(fake, `/v2/dst/blobs/uploads/?mount=${digest}&from=elsewhere`, { method: 'POST' });
  t.is(declined.status, 202);
  t.regex(declined.headers.get('location')!, /^\/v2\/dst\/blobs\/uploads\/[0-9a-f-]+$/);
  const ecr = await registry(t, { mounts: false });
  ecr.store.putBlob('src', Buffer.from('shared layer'));
  t.is((await api(ecr, `/v2/dst/blobs/uploads/?mount=${digest}&from=src`, { method: 'POST' })).status, 202);
  t.is((await api(ecr, `/v2/dst/blobs/${digest}`, { method: 'HEAD' })).status, 404);
});

test('catalog and tags: sorted, paged by n and last with a Link to the next page; 100 by default; n over 1000 refused', async (t) => {
  const fake = await registry(t);
  const m = image('oci');
  for (let i = 0; i < 150; i++) fake.store.pushImage(`r${String(i).padStart(3, '0')}`, 'latest', m);
  for (const tag of ['c', 'a', 'b']) fake.store.putManifest('r000', tag, m.bytes, m.mediaType);
  const first = await api(fake, '/v2/_catalog');
  t.is(((await first.json()) as { repositories: string[] }).repositories.length, 100);
  t.is(first.headers.get('link'), '</v2/_catalog?last=r099&n=100>; rel="next"');
  const next = await api(fake, '/v2/_catalog?last=r099&n=100');
  t.deepEqual(((await next.json()) as { repositories: string[] }).repositories.at(-1), 'r149');
  t.is(next.headers.get('link'), null);
  const tags = await api(fake, '/v2/r000/tags/list?n=2');
  t.deepEqual(await tags.json(), { name: 'r000', tags: ['a', 'b'] });
  t.is(tags.headers.get('link'), '</v2/r000/tags/list?last=b&n=2>; rel="next"');
  t.deepEqual(await (await api(fake, '/v2/r000/tags/list?last=b&n=2')).json(), { name: 'r000', tags: ['c', 'latest'] });
  t.deepEqual(((await (await api(fake, '/v2/r000/tags/list')).json()) as { tags: string[] }).tags, ['a', 'b', 'c', 'latest']);
  t.is(await errorCode(await api(fake, '/v2/_catalog?n=1001')), 'PAGINATION_NUMBER_INVALID');
  const absolute = await registry(t, { absoluteLinks: true, pageCap: 1 });
  absolute.store.pushImage('a', 'x', m);
  absolute.store.pushImage('b', 'x', m);
  t.is((await api(absolute, '/v2/_catalog?n=1000')).headers.get('link'), `<${absolute.origin}/v2/_catalog?last=a&n=1000>; rel="next"`);
  t.is(await errorCode(await api(await registry(t, { catalog: false }), '/v2/_catalog')), 'NOT_FOUND');
});

test('referrers: manifests whose subject is the digest, filtered by artifactType', async (t) => {
  const fake = await registry(t);
  const m = image('oci');
  fake.store.pushImage('app', 'v1', m);
  const empty = fake.store.putBlob('app', Buffer.from('{}'));
  const signature = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.example.sig',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty, size: 2 },
      layers: [],
      subject: { mediaType: m.mediaType, digest: m.digest, size: m.size },
    }),
  );
  const put = await pushManifest(fake, 'app', sha256(signature), {
    bytes: signature,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
  });
  t.is(put.headers.get('oci-subject'), m.digest);
  const list = (await (await api(fake, `/v2/app/referrers/${m.digest}`)).json()) as {
    manifests: { digest: string; artifactType: string }[];
  };
  t.deepEqual(
    list.manifests.map((d) => [d.digest, d.artifactType]),
    [[sha256(signature), 'application/vnd.example.sig']],
  );
  const filtered = await api(fake, `/v2/app/referrers/${m.digest}?artifactType=other`);
  t.is(filtered.headers.get('oci-filters-applied'), 'artifactType');
  t.deepEqual(((await filtered.json()) as { manifests: unknown[] }).manifests, []);
});

test('Basic: 401 with the challenge until the right user and password come', async (t) => {
  const fake = await registry(t, { auth: { basic: { users: { alice: 'pw' } } } });
  const none = await api(fake, '/v2/_catalog');
  t.is(none.status, 401);
  t.is(none.headers.get('www-authenticate'), 'Basic realm="Registry Realm"');
  const basic = (u: string, p: string) => ({ authorization: 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64') });
  t.is((await api(fake, '/v2/_catalog', { headers: basic('alice', 'wrong') })).status, 401);
  t.is((await api(fake, '/v2/_catalog', { headers: basic('alice', 'pw') })).status, 200);
});

test('Bearer: the challenge names realm, service and scope; tokens carry only what was granted', async (t) => {
  const fake = await registry(t, { auth: { bearer: { users: { bob: 'pw' }, anonymous: 'pull', refreshTokens: { R1: 'bob' } } } });
  fake.store.pushImage('app', 'v1', image('oci'));
  const challenge = await api(fake, '/v2/app/tags/list');
  t.is(challenge.headers.get('www-authenticate'), `Bearer realm="${fake.origin}/token",service="${fake.host}",scope="repository:app:pull"`);
  const token = async (query: string, headers: Record<string, string> = {}) =>
    ((await (await api(fake, `/token?${query}`, { headers })).json()) as { token: string }).token;
  const anonymous = await token('service=x&scope=repository:app:pull,push');
  t.is((await api(fake, '/v2/app/tags/list', { headers: { authorization: `Bearer ${anonymous}` } })).status, 200);
  const upload = await api(fake, '/v2/app/blobs/uploads/', { method: 'POST', headers: { authorization: `Bearer ${anonymous}` } });
  t.is(upload.status, 401, 'anonymous: pull only');
  t.regex(upload.headers.get('www-authenticate')!, /error="insufficient_scope"/);
  const bob = await token('scope=repository:app:pull,push', { authorization: 'Basic ' + Buffer.from('bob:pw').toString('base64') });
  t.is((await api(fake, '/v2/app/blobs/uploads/', { method: 'POST', headers: { authorization: `Bearer ${bob}` } })).status, 202);
  t.is(
    (await api(fake, '/token?scope=x', { headers: { authorization: 'Basic ' + Buffer.from('bob:no').toString('base64') } })).status,
    401,
  );
  const refreshed = await api(fake, '/token', {
    method: 'POST',
    body: 'grant_type=refresh_token&refresh_token=R1&service=s&scope=registry:catalog:*',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const catalogToken = ((await refreshed.json()) as { access_token: string }).access_token;
  t.is((await api(fake, '/v2/_catalog', { headers: { authorization: `Bearer ${catalogToken}` } })).status, 200);
  t.deepEqual(
    fake.tokenRequests.map((r) => [r.method, r.subject ?? 'refused', r.scopes.join(' ')]),
    [
      ['GET', 'anonymous', 'repository:app:pull,push'],
      ['GET', 'bob', 'repository:app:pull,push'],
      ['GET', 'refused', 'x'],
      ['POST', 'bob', 'registry:catalog:*'],
    ],
  );
});

test('faults: a status for some requests, headers changed, a cut body, a reset, a stall; all in the request log', async (t) => {
  const fake = await registry(t);
  const m = image('oci');
  fake.store.pushImage('app', 'v1', m);
  fake.faults.add({ path: '/tags/list', skip: 1, times: 1, status: 500, code: 'UNKNOWN' });
  t.is((await api(fake, '/v2/app/tags/list')).status, 200);
  t.is((await api(fake, '/v2/app/tags/list')).status, 500);
  t.is((await api(fake, '/v2/app/tags/list')).status, 200);
  fake.faults.clear();
  fake.faults.add({ path: '/manifests/', times: 1, headers: { 'docker-content-digest': null, 'x-extra': 'yes' } });
  const changed = await api(fake, '/v2/app/manifests/v1');
  t.is(changed.headers.get('docker-content-digest'), null);
  t.is(changed.headers.get('x-extra'), 'yes');
  fake.faults.add({ path: '/manifests/', times: 1, cut: 10 });
  const cut = await api(fake, '/v2/app/manifests/v1');
  t.is(cut.headers.get('content-length'), String(m.bytes.length));
  await t.throwsAsync(cut.arrayBuffer());
  fake.faults.add({ path: '/blobs/', times: 1, reset: true });
  await t.throwsAsync(api(fake, `/v2/app/blobs/${m.config.digest}`));
  fake.faults.add({ path: '/v2/_catalog', stall: true });
  const giveUp = new AbortController();
  const stalled = api(fake, '/v2/_catalog', { signal: giveUp.signal });
  await fake.arrived((r) => r.path === '/v2/_catalog'); // it arrived, and is not answered
  giveUp.abort();
  await t.throwsAsync(stalled);
  t.deepEqual(
    fake.log.map((r) => `${r.method} ${r.path} ${r.status ?? 'none'}`),
    [
      'GET /v2/app/tags/list 200',
      'GET /v2/app/tags/list 500',
      'GET /v2/app/tags/list 200',
      'GET /v2/app/manifests/v1 200',
      'GET /v2/app/manifests/v1 -1',
      `GET /v2/app/blobs/${m.config.digest} -1`,
      'GET /v2/_catalog none',
    ],
  );
  t.regex(await closedHost(), /^127\.0\.0\.1:\d+$/);
});

test('faults: part of a body then silence; whole misbehaving registries; connections counted', async (t) => {
  const fake = await registry(t);
  const m = image('oci');
  fake.store.pushImage('app', 'v1', m);
  fake.faults.add({ path: `/blobs/${m.layers[0]!.digest}`, cut: 5, stall: true });
  const half = await api(fake, `/v2/app/blobs/${m.layers[0]!.digest}`);
  t.is(half.status, 200);
  const reader = half.body!.getReader();
  t.is((await reader.read()).value?.length, 5);
  const rest = reader.read();
  const timeout = new Promise((resolve) => setTimeout(resolve, 200, 'silent'));
  t.is(await Promise.race([rest, timeout]), 'silent');
  void reader.cancel().catch(() => {});
  t.true(fake.connections >= 1);
  const truncated = await registry(t);
  truncated.faults.add(MISBEHAVIOURS.truncated);
  const cut = await api(truncated, '/v2/_catalog');
  t.is(cut.headers.get('content-length'), '4096');
  await t.throwsAsync(cut.text());
  const html = await registry(t);
  html.faults.add(MISBEHAVIOURS['html-502']);
  const page = await api(html, '/v2/app/tags/list');
  t.is(page.status, 502);
  t.regex(await page.text(), /<title>502 Bad Gateway<\/title>/);
  const silent = await registry(t);
  silent.faults.add(MISBEHAVIOURS.silent);
  t.is(silent.connections, 0);
});

// ---- skopeo as a second opinion ---------------------------------------------------------

const skopeo = (() => {
  try {
    execFileSync('skopeo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!skopeo && process.env.CI === 'true') throw new Error('skopeo is missing: CI installs it (.ci/run)');
const withSkopeo = skopeo ? test : test.skip;

withSkopeo(
  'skopeo reads an index from the fake and copies it, every platform, to another fake behind Bearer auth: chunked uploads, digests unchanged',
  async (t) => {
    const [a, b] = [await registry(t), await registry(t, { auth: { bearer: { users: { u: 'pw' } } } })];
    const index = buildIndex('oci', [image('oci', 'amd64'), image('oci', 'arm64')]);
    a.store.pushIndex('app', 'v1', index);
    const inspect = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${a.host}/app:v1`]);
    t.is(inspect.code, 0, inspect.stderr);
    const seen = JSON.parse(inspect.stdout) as { Digest: string; Architecture: string; Os: string };
    t.is(seen.Digest, index.digest);
    t.is(seen.Os, 'linux');
    const copy = await run('skopeo', [
      'copy',
      '--all',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      '--dest-creds',
      'u:pw',
      `docker://${a.host}/app:v1`,
      `docker://${b.host}/copied:v1`,
    ]);
    t.is(copy.code, 0, copy.stderr);
    t.is(b.store.manifest('copied', 'v1')?.digest, index.digest);
    for (const m of index.manifests) t.true(b.store.manifest('copied', m.digest)?.bytes.equals(m.bytes));
    t.true(
      b.requests().some((r) => r.startsWith('PATCH /v2/copied/blobs/uploads/')),
      'skopeo uploads in chunks',
    );
    t.deepEqual(
      b.tokenRequests.map((r) => r.subject),
      ['u'],
    );
  },
);
