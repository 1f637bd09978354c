// Registries and token services that answer 200 with a body of the wrong shape: the real
// client against a small HTTP server on 127.0.0.1 that sends each canned body. Every one
// is refused with the client's named error, one line naming the host, where the body came
// from and which member is wrong; well-formed bodies (and null lists) still read.
import test, { type ExecutionContext } from 'ava';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError, RegistryError } from '../../src/errors.ts';
import { listRepositories, listTags } from '../../src/registry/catalog.ts';
import { RegistryClient } from '../../src/registry/client.ts';
import { ManifestError } from '../../src/registry/errors.ts';
import { fetchManifest } from '../../src/registry/manifest.ts';

type Handler = (path: string, res: ServerResponse, host: string) => void;

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

async function serve(t: ExecutionContext, handler: Handler): Promise<RegistryClient> {
  let host = '';
  const server = createServer((req, res) => {
    req.resume();
    handler(req.url ?? '/', res, host);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new RegistryClient(host, { retries: 0, credentials: async () => ({ username: 'u', password: 'p' }) });
  t.teardown(async () => {
    await client.close();
    server.closeAllConnections();
    server.close();
  });
  return client;
}

/** One line, naming the host, without the body's content. */
function oneLine(t: ExecutionContext, err: Error | undefined, host: string, expected: string): void {
  t.truthy(err);
  t.false(err!.message.includes('\n'));
  t.true(err!.message.includes(host), err!.message);
  t.true(err!.message.includes(expected), `${err!.message}\n  should include: ${expected}`);
  t.false(err!.message.includes('s3cret'), 'the body is never quoted');
}

const catalogs: [string, unknown, string][] = [
  ['an array', ['app'], 'not a JSON object but an array'],
  ['null', null, 'not a JSON object but null'],
  ['repositories as a string', { repositories: 'app' }, 'repositories: not an array but a string'],
  ['a repository that is not a string', { repositories: ['app', { name: 's3cret' }] }, 'repositories[1]: not a string but an object'],
];
for (const [what, body, problem] of catalogs) {
  test(`a catalog page that is ${what}: a RegistryError naming the host, the path and the member`, async (t) => {
    const client = await serve(t, (_path, res) => json(res, 200, body));
    const err = await t.throwsAsync(listRepositories(client), { instanceOf: RegistryError });
    oneLine(t, err, client.host, `${client.host} answered /v2/_catalog with a malformed body: ${problem} (check that the registry at ${client.host} is a Docker registry)`);
  });
}

test('tags: a list that is absent or null is empty (a repository whose tags are all deleted); a number is not a tag', async (t) => {
  const client = await serve(t, (path, res) => {
    if (path.startsWith('/v2/gone/')) return json(res, 200, { name: 'gone', tags: null });
    if (path.startsWith('/v2/none/')) return json(res, 200, { name: 'none' });
    if (path.startsWith('/v2/odd/')) return json(res, 200, { name: 'odd', tags: ['v1', 2] });
    return json(res, 200, { name: 'app', tags: ['v1', 'v2'] });
  });
  t.deepEqual(await listTags(client, 'app'), ['v1', 'v2']);
  t.deepEqual(await listTags(client, 'gone'), []);
  t.deepEqual(await listTags(client, 'none'), []);
  const err = await t.throwsAsync(listTags(client, 'odd'), { instanceOf: RegistryError });
  oneLine(t, err, client.host, 'answered /v2/odd/tags/list with a malformed body: tags[1]: not a string but a number');
});

test('a manifest with a negative layer size: a ManifestError naming the image, the member and the registry', async (t) => {
  const manifest = {
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'c'.repeat(64)}`, size: 10 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${'a'.repeat(64)}`, size: -5 }],
  };
  const client = await serve(t, (_path, res) => json(res, 200, manifest, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }));
  const err = await t.throwsAsync(fetchManifest(client, 'app', 'v1'), { instanceOf: ManifestError });
  t.is(err?.message, `${client.host}/app:v1: the registry sent a malformed manifest: layers[0].size: not a size (a whole number, 0 or more) but a negative number (check that the registry at ${client.host} is a Docker registry)`);
});

/** A registry asking for Bearer tokens from /token, which answers body. */
async function tokenService(t: ExecutionContext, body: unknown): Promise<RegistryClient> {
  return serve(t, (path, res, host) => {
    if (path.startsWith('/token')) return json(res, 200, body);
    if (path === '/v2/_catalog?n=1000') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="svc"` });
      return res.end();
    }
    return json(res, 404, {});
  });
}

const tokens: [string, unknown, string][] = [
  ['an array', [{ token: 's3cret' }], 'not a JSON object but an array'],
  ['a token that is a number', { token: 12345 }, 'token: not a string but a number'],
  ['an access_token that is an object', { access_token: { value: 's3cret' } }, 'access_token: not a string but an object'],
  ['a lifetime in a string', { token: 's3cret', expires_in: '300' }, 'expires_in: not a whole number but a string'],
  ['a fractional lifetime', { token: 's3cret', expires_in: 299.5 }, 'expires_in: not a whole number but a fraction'],
  ['not JSON', 'token=s3cret', 'not JSON'],
];
for (const [what, body, problem] of tokens) {
  test(`a token service answering ${what}: an AuthError naming the member, never the token`, async (t) => {
    const client = await tokenService(t, body);
    const err = await t.throwsAsync(listRepositories(client), { instanceOf: AuthError });
    oneLine(t, err, client.host, `the token service of ${client.host} sent a malformed answer: ${problem}`);
  });
}

test('a token service answering no token at all: "sent no token", as before', async (t) => {
  const client = await tokenService(t, { expires_in: 300 });
  const err = await t.throwsAsync(listRepositories(client), { instanceOf: AuthError });
  oneLine(t, err, client.host, `the token service of ${client.host} sent no token`);
});
