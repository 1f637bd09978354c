// Registries and token services that answer 200 with a body of the wrong shape: the real
// client against the in-process registry (test/fakes/oci-registry.ts) told to send each
// canned body. Every one is refused with the client's named error, one line naming the
// host, where the body came from and which member is wrong; well-formed bodies (and null
// lists) still read.
import test, { type ExecutionContext } from 'ava';
import { AuthError, RegistryError } from '../../src/errors.ts';
import { listRepositories, listTags } from '../../src/registry/catalog.ts';
import { RegistryClient } from '../../src/registry/client.ts';
import { ManifestError } from '../../src/registry/errors.ts';
import { fetchManifest } from '../../src/registry/manifest.ts';
import { startOciRegistry, type OciRegistry, type OciRegistryOptions } from '../fakes/oci-registry.ts';
import { buildManifest, tar } from '../helpers/images.ts';

async function serve(t: ExecutionContext, options: OciRegistryOptions = {}): Promise<{ registry: OciRegistry; client: RegistryClient }> {
  const registry = await startOciRegistry(options);
  const client = new RegistryClient(registry.host, { retries: 0, credentials: async () => ({ username: 'u', password: 'p' }) });
  t.teardown(async () => {
    await client.close();
    await registry.close();
  });
  return { registry, client };
}

/** The registry answers requests to path with 200 and this JSON body (or text, when a string). */
function answers(registry: OciRegistry, path: string, body: unknown): void {
  registry.faults.add({ path, status: 200, contentType: 'application/json', body: typeof body === 'string' ? body : JSON.stringify(body) });
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
    const { registry, client } = await serve(t);
    answers(registry, '/v2/_catalog', body);
    const err = await t.throwsAsync(listRepositories(client), { instanceOf: RegistryError });
    oneLine(
      t,
      err,
      client.host,
      `${client.host} answered /v2/_catalog with a malformed body: ${problem} (check that the registry at ${client.host} is a Docker registry)`,
    );
  });
}

test('tags: a list that is absent or null is empty (a repository whose tags are all deleted); a number is not a tag', async (t) => {
  const { registry, client } = await serve(t);
  const image = buildManifest(
    'oci',
    { os: 'linux', architecture: 'amd64' },
    [tar([{ name: 'a', type: 'file', data: Buffer.from('a') }])],
    ['/a'],
  );
  for (const tag of ['v1', 'v2']) registry.store.pushImage('app', tag, image);
  answers(registry, '/v2/gone/', { name: 'gone', tags: null });
  answers(registry, '/v2/none/', { name: 'none' });
  answers(registry, '/v2/odd/', { name: 'odd', tags: ['v1', 2] });
  t.deepEqual(await listTags(client, 'app'), ['v1', 'v2']);
  t.deepEqual(await listTags(client, 'gone'), []);
  t.deepEqual(await listTags(client, 'none'), []);
  const err = await t.throwsAsync(listTags(client, 'odd'), { instanceOf: RegistryError });
  oneLine(t, err, client.host, 'answered /v2/odd/tags/list with a malformed body: tags[1]: not a string but a number');
});

test('a manifest with a negative layer size: a ManifestError naming the image, the member and the registry', async (t) => {
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'c'.repeat(64)}`, size: 10 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${'a'.repeat(64)}`, size: -5 }],
  };
  const { registry, client } = await serve(t);
  registry.store.putManifest('app', 'v1', Buffer.from(JSON.stringify(manifest)), 'application/vnd.oci.image.manifest.v1+json');
  const err = await t.throwsAsync(fetchManifest(client, 'app', 'v1'), { instanceOf: ManifestError });
  t.is(
    err?.message,
    `${client.host}/app:v1: the registry sent a malformed manifest: layers[0].size: not a size (a whole number, 0 or more) but a negative number (check that the registry at ${client.host} is a Docker registry)`,
  );
});

/** A registry asking for Bearer tokens from /token, which answers body. */
async function tokenService(t: ExecutionContext, body: unknown): Promise<RegistryClient> {
  const { registry, client } = await serve(t, { auth: { bearer: { users: { u: 'p' }, service: 'svc' } } });
  answers(registry, '/token', body);
  return client;
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
