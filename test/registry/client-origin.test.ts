// Credentials go to the registry's own origin only: a Link (paging) or Location (upload)
// header naming another host must not receive the Authorization header, as a redirect
// does not; and --debug lines name paths, never a URL's query (upload state) or userinfo.
import test from 'ava';
import { RegistryClient } from '../../src/registry/client.ts';
import { listRepositories } from '../../src/registry/catalog.ts';
import { startOciRegistry } from '../fakes/oci-registry.ts';
import { buildManifest, tar } from '../helpers/images.ts';

const image = buildManifest(
  'oci',
  { os: 'linux', architecture: 'amd64' },
  [tar([{ name: 'a.txt', type: 'file', data: Buffer.from('a') }])],
  ['/a.txt'],
);

test('a next link to another origin is followed without the Authorization header', async (t) => {
  const other = await startOciRegistry();
  t.teardown(other.close);
  other.store.pushImage('b', 'v1', image);
  const registry = await startOciRegistry({ auth: { basic: { users: { u: 'secret' } } } });
  t.teardown(registry.close);
  registry.store.pushImage('a', 'v1', image);
  registry.faults.add({ path: '/v2/_catalog', headers: { link: `<${other.origin}/v2/_catalog?last=a&n=1000>; rel="next"` } });
  const client = new RegistryClient(registry.host, { credentials: async () => ({ username: 'u', password: 'secret' }) });
  t.teardown(() => client.close());
  t.deepEqual(await listRepositories(client), ['a', 'b']);
  t.deepEqual(other.requests(), ['GET /v2/_catalog?last=a&n=1000']);
  t.is(other.log[0]!.authorization, undefined);
  t.truthy(registry.log.at(-1)!.authorization);
});

test('a retried request is logged by path only: no query, no userinfo', async (t) => {
  const registry = await startOciRegistry();
  t.teardown(registry.close);
  const upload = registry.store.startUpload('x');
  registry.faults.add({ reset: true, times: 1 }); // a connection reset: retried
  const lines: string[] = [];
  const client = new RegistryClient(registry.host, { log: (m) => lines.push(m) });
  t.teardown(() => client.close());
  const response = await client.request({
    method: 'GET',
    path: `http://user:pw@${registry.host}/v2/x/blobs/uploads/${upload}?_state=SECRETSTATE`,
  });
  t.is(response.status, 204);
  t.is(registry.log.length, 2);
  t.true(
    lines.some((l) => l.includes(`/v2/x/blobs/uploads/${upload}`)),
    lines.join('\n'),
  );
  t.false(
    lines.some((l) => /SECRETSTATE|pw@/.test(l)),
    lines.join('\n'),
  );
});
