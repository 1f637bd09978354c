// Protocol tests: the registry client against a small node:http server that provokes
// the quirks real registries and proxies have.
import test from 'ava';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryClient, CATALOG_SCOPE, pullScope, type Credential } from '../../src/registry/client.ts';
import { listRepositories, listTags } from '../../src/registry/catalog.ts';
import { fetchManifest, MEDIA } from '../../src/registry/manifest.ts';
import { AuthError, NotFoundError, RegistryError } from '../../src/errors.ts';
import { ManifestError } from '../../src/registry/errors.ts';
import { freePort } from '../helpers/engine.ts';
import { createHash } from 'node:crypto';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function serve(handler: Handler): Promise<{ host: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    server,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

const manifestBytes = Buffer.from(JSON.stringify({
  schemaVersion: 2,
  mediaType: MEDIA.ociManifest,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: 'sha256:' + 'c'.repeat(64), size: 10 },
  layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: 'sha256:' + 'd'.repeat(64), size: 20 }],
}));
const manifestDigest = 'sha256:' + createHash('sha256').update(manifestBytes).digest('hex');

function sendManifest(res: ServerResponse, digest = manifestDigest): void {
  res.writeHead(200, { 'content-type': MEDIA.ociManifest, 'docker-content-digest': digest, 'content-length': manifestBytes.length });
  res.end(manifestBytes);
}

test('Bearer challenge: token fetched with the scopes (colons intact), cached, and sent', async (t) => {
  const tokenRequests: URL[] = [];
  let tokenAuth: string | undefined;
  const srv = await serve((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/token') {
      tokenRequests.push(url);
      tokenAuth = req.headers.authorization;
      return json(res, 200, { token: 'T-' + url.searchParams.getAll('scope').join('|'), expires_in: 300 });
    }
    const scope = 'repository:localhost:5000/x:pull';
    if (req.headers.authorization !== `Bearer T-${scope}`) {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${srv.host}/token",service="reg,istry",scope="${scope}"` });
      return res.end();
    }
    sendManifest(res);
  });
  t.teardown(srv.close);
  const client = new RegistryClient(srv.host, { credentials: async () => ({ username: 'u', password: 'p' }) });
  t.teardown(() => client.close());
  const m = await fetchManifest(client, 'localhost:5000/x', 'latest');
  t.is(m.digest, manifestDigest);
  await fetchManifest(client, 'localhost:5000/x', 'latest');
  t.is(tokenRequests.length, 1, 'the token is cached for its scope');
  t.deepEqual(tokenRequests[0]!.searchParams.getAll('scope'), ['repository:localhost:5000/x:pull']);
  t.is(tokenRequests[0]!.searchParams.get('service'), 'reg,istry');
  t.is(tokenAuth, 'Basic ' + Buffer.from('u:p').toString('base64'));
});

test('Bearer challenge without credentials asks for an anonymous token; an identity token is POSTed as a refresh token', async (t) => {
  const seen: Array<{ method: string; auth?: string; body: string }> = [];
  const srv = await serve((req, res, body) => {
    if (req.url!.startsWith('/token')) {
      seen.push({ method: req.method!, auth: req.headers.authorization, body });
      return json(res, 200, { access_token: 'A', token: 'ignored' });
    }
    if (req.headers.authorization !== 'Bearer A') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${srv.host}/token",service="svc"` });
      return res.end();
    }
    json(res, 200, { repositories: ['a'] });
  });
  t.teardown(srv.close);
  const anonymous = new RegistryClient(srv.host);
  t.deepEqual(await listRepositories(anonymous), ['a']);
  await anonymous.close();
  t.is(seen[0]!.method, 'GET');
  t.is(seen[0]!.auth, undefined);

  const identity: Credential = { identityToken: 'REFRESH-SECRET' };
  const withToken = new RegistryClient(srv.host, { credentials: async () => identity });
  t.deepEqual(await listRepositories(withToken), ['a']);
  await withToken.close();
  t.is(seen[1]!.method, 'POST');
  const form = new URLSearchParams(seen[1]!.body);
  t.is(form.get('grant_type'), 'refresh_token');
  t.is(form.get('refresh_token'), 'REFRESH-SECRET');
  t.is(form.get('service'), 'svc');
  t.is(form.get('scope'), CATALOG_SCOPE);
});

test('Basic challenge: retried with the credentials; refused credentials give an AuthError naming docker login, without secrets', async (t) => {
  const srv = await serve((req, res) => {
    if (req.headers.authorization !== 'Basic ' + Buffer.from('alice:right').toString('base64')) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="Registry Realm"' });
      return res.end();
    }
    json(res, 200, { name: 'x', tags: ['1'] });
  });
  t.teardown(srv.close);
  const good = new RegistryClient(srv.host, { credentials: async () => ({ username: 'alice', password: 'right' }) });
  t.deepEqual(await listTags(good, 'x'), ['1']);
  await good.close();
  const bad = new RegistryClient(srv.host, { credentials: async () => ({ username: 'alice', password: 'WRONG-SECRET' }) });
  const err = await t.throwsAsync(listTags(bad, 'x'), { instanceOf: AuthError });
  await bad.close();
  t.regex(err!.message, new RegExp(`docker login ${srv.host.replace('.', '\\.')}`));
  t.notRegex(`${err!.message} ${err!.stack}`, /WRONG-SECRET|Basic /);
  const none = new RegistryClient(srv.host);
  const err2 = await t.throwsAsync(listTags(none, 'x'), { instanceOf: AuthError });
  await none.close();
  t.regex(err2!.message, /log in first: docker login/);
});

test('403 is an AuthError', async (t) => {
  const srv = await serve((_req, res) => json(res, 403, { errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] }));
  t.teardown(srv.close);
  const client = new RegistryClient(srv.host);
  t.teardown(() => client.close());
  await t.throwsAsync(listTags(client, 'x'), { instanceOf: AuthError, message: /denied access \(403\)/ });
});

test('Link paging: relative and absolute next links are followed to the end', async (t) => {
  const all = Array.from({ length: 250 }, (_, i) => `repo-${String(i).padStart(3, '0')}`);
  const requested: string[] = [];
  const srv = await serve((req, res) => {
    const url = new URL(req.url!, `http://${srv.host}`);
    requested.push(url.search);
    const n = Number(url.searchParams.get('n'));
    const last = url.searchParams.get('last');
    const start = last ? all.indexOf(last) + 1 : 0;
    const page = all.slice(start, start + Math.min(n, 100)); // the server caps pages at 100
    const headers: Record<string, string> = {};
    if (start + page.length < all.length) {
      const next = `/v2/_catalog?last=${page.at(-1)}&n=${n}`;
      // alternate relative and absolute links
      headers.link = requested.length % 2 ? `<${next}>; rel="next"` : `<http://${srv.host}${next}>; rel="next"`;
    }
    json(res, 200, { repositories: page }, headers);
  });
  t.teardown(srv.close);
  const client = new RegistryClient(srv.host);
  t.teardown(() => client.close());
  t.deepEqual(await listRepositories(client), all);
  t.is(requested.length, 3);
  t.is(requested[0], '?n=1000');
});

test('a 500 or 503 on a read is retried; a 400 is not', async (t) => {
  let calls = 0;
  const srv = await serve((req, res) => {
    calls += 1;
    if (req.url!.includes('bad')) return json(res, 400, { errors: [{ code: 'NAME_INVALID', message: 'invalid repository name' }] });
    if (calls === 1) return json(res, 500, { errors: [{ code: 'UNKNOWN', message: 'boom' }] });
    if (calls === 2) return json(res, 503, {}, { 'retry-after': '0' });
    json(res, 200, { name: 'x', tags: ['ok'] });
  });
  t.teardown(srv.close);
  const client = new RegistryClient(srv.host);
  t.teardown(() => client.close());
  t.deepEqual(await listTags(client, 'x'), ['ok']);
  t.is(calls, 3);
  calls = 10;
  const err = await t.throwsAsync(listTags(client, 'bad'), { instanceOf: RegistryError });
  t.is(calls, 11, 'a 400 is not retried');
  t.regex(err!.message, /400 .*NAME_INVALID: invalid repository name/);
});

test('404: NotFoundError naming the image or the repository', async (t) => {
  const srv = await serve((req, res) => {
    if (req.url!.includes('/norepo/')) return json(res, 404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] });
    json(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
  });
  t.teardown(srv.close);
  const client = new RegistryClient(srv.host);
  t.teardown(() => client.close());
  await t.throwsAsync(fetchManifest(client, 'x', 'v1'), { instanceOf: NotFoundError, message: `no image ${srv.host}/x:v1` });
  await t.throwsAsync(fetchManifest(client, 'norepo', 'v1'), { instanceOf: NotFoundError, message: `no repository ${srv.host}/norepo` });
  await t.throwsAsync(listTags(client, 'norepo'), { instanceOf: NotFoundError, message: `no repository ${srv.host}/norepo` });
});

test('an HTML error page becomes one line with the status and the page title, never the HTML', async (t) => {
  const srv = await serve((_req, res) => {
    res.writeHead(502, { 'content-type': 'text/html' });
    res.end('<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1>' + 'x'.repeat(5000) + '</body></html>');
  });
  t.teardown(srv.close);
  const client = new RegistryClient(srv.host, { retries: 1 });
  t.teardown(() => client.close());
  const err = await t.throwsAsync(listRepositories(client), { instanceOf: RegistryError });
  t.is(err!.message, `${srv.host} answered 502 (bad gateway) to GET /v2/_catalog: an HTML page titled "502 Bad Gateway" (check that ${srv.host} is a Docker registry and is running)`);
});

test('a manifest whose bytes do not match the digest is refused', async (t) => {
  const srv = await serve((_req, res) => sendManifest(res, 'sha256:' + 'e'.repeat(64)));
  t.teardown(srv.close);
  const client = new RegistryClient(srv.host);
  t.teardown(() => client.close());
  await t.throwsAsync(fetchManifest(client, 'x', 'latest'), { instanceOf: ManifestError, message: /digest is sha256:/ });
  await t.throwsAsync(fetchManifest(client, 'x', 'sha256:' + 'f'.repeat(64)), { instanceOf: ManifestError });
  const byDigest = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': MEDIA.ociManifest }); // no Docker-Content-Digest
    res.end(manifestBytes);
  });
  t.teardown(byDigest.close);
  const other = new RegistryClient(byDigest.host);
  t.teardown(() => other.close());
  t.is((await fetchManifest(other, 'x', manifestDigest)).digest, manifestDigest);
});

test('a truncated body is retried, and fails with a RegistryError naming the host when it stays truncated', async (t) => {
  let calls = 0;
  let always = false;
  const srv = await serve((_req, res) => {
    calls += 1;
    if (always || calls === 1) {
      res.writeHead(200, { 'content-type': MEDIA.ociManifest, 'content-length': manifestBytes.length });
      res.write(manifestBytes.subarray(0, 20));
      setTimeout(() => res.socket?.destroy(), 10);
      return;
    }
    sendManifest(res);
  });
  t.teardown(srv.close);
  const client = new RegistryClient(srv.host, { retries: 2 });
  t.teardown(() => client.close());
  t.is((await fetchManifest(client, 'x', 'latest')).digest, manifestDigest);
  t.is(calls, 2);
  always = true;
  calls = 0;
  await t.throwsAsync(fetchManifest(client, 'x', 'latest'), { instanceOf: RegistryError, message: new RegExp(`${srv.host.replace('.', '\\.')} closed the connection`) });
  t.is(calls, 3);
});

test('nothing listening on a loopback port: "no registry answers", with the start hint, at once', async (t) => {
  const port = await freePort();
  const client = new RegistryClient(`localhost:${port}`);
  t.teardown(() => client.close());
  await t.throwsAsync(listRepositories(client), { instanceOf: RegistryError, message: `no registry answers on localhost:${port} (start one with: docker jindr -r localhost:${port} start)` });
});

test('a registry that does not answer in time: RegistryError naming the host', async (t) => {
  const srv = await serve(() => {
    // never answers
  });
  t.teardown(srv.close);
  const client = new RegistryClient(srv.host, { timeoutMs: 300 });
  t.teardown(() => client.close());
  await t.throwsAsync(listRepositories(client), { instanceOf: RegistryError, message: `${srv.host} did not answer within 0.3 s (JINDR_TIMEOUT_MS=<milliseconds> waits longer)` });
});

test('concurrency is bounded and connections are kept alive', async (t) => {
  let inFlight = 0;
  let most = 0;
  const sockets = new Set<unknown>();
  const srv = await serve((req, res) => {
    sockets.add(req.socket);
    inFlight += 1;
    most = Math.max(most, inFlight);
    setTimeout(() => {
      inFlight -= 1;
      json(res, 200, { name: 'x', tags: [] });
    }, 5);
  });
  t.teardown(srv.close);
  const client = new RegistryClient(srv.host, { concurrency: 4, connections: 4 });
  t.teardown(() => client.close());
  await Promise.all(Array.from({ length: 60 }, (_, i) => client.request({ path: `/v2/r${i}/tags/list`, scopes: [pullScope(`r${i}`)] })));
  t.true(most <= 4, `at most 4 in flight (saw ${most})`);
  t.true(most >= 2, 'requests do run concurrently');
  t.true(sockets.size <= 4, `connections reused (saw ${sockets.size})`);
});

test('a redirect to another origin does not carry the Authorization header', async (t) => {
  const storageSaw: { called: boolean; authorization?: string } = { called: false };
  const storage = await serve((req, res) => {
    storageSaw.called = true;
    storageSaw.authorization = req.headers.authorization;
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end('blob');
  });
  t.teardown(storage.close);
  const srv = await serve((req, res) => {
    if (req.headers.authorization === undefined) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' });
      return res.end();
    }
    res.writeHead(307, { location: `http://${storage.host}/data` });
    res.end();
  });
  t.teardown(srv.close);
  const client = new RegistryClient(srv.host, { credentials: async () => ({ username: 'u', password: 'p' }) });
  t.teardown(() => client.close());
  const response = await client.request({ path: '/v2/x/blobs/sha256:' + 'a'.repeat(64), scopes: [pullScope('x')] });
  t.is(response.body.toString(), 'blob');
  t.true(storageSaw.called);
  t.is(storageSaw.authorization, undefined);
});
