// A loopback registry with TLS (start --tls): the client finds out by the registry's answer
// to plain HTTP, and when certs.d has a CA for it (given as `ca`) it verifies the registry
// with it; without one it does not verify, as Docker. The probe behind info/stat says the same.
import test, { type ExecutionContext } from 'ava';
import { RegistryClient } from '../../src/registry/client.ts';
import { tlsRegistryPort } from '../fakes/tls-port.ts';
import { startOciRegistry, type OciRegistry, type OciRegistryOptions } from '../fakes/oci-registry.ts';
import { buildManifest, tar } from '../helpers/images.ts';
import { probeRegistry } from '../../src/registry/probe.ts';
import { RegistryError } from '../../src/errors.ts';
import { makeCa, makeServerCertificate } from '../../src/security/x509.ts';

const ca = makeCa({ commonName: 'loopback test CA' });
const server = makeServerCertificate({ ca, names: ['localhost', '127.0.0.1', '::1'] });
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

/** One port speaking TLS to TLS clients and answering plain HTTP as Go's server does (400), with the registry behind it. */
async function registryWithTls(t: ExecutionContext): Promise<number> {
  const fake = await registry(t, { auth: { basic: { users: { alice: 'pw' }, realm: 'docker-jindr' } } });
  fake.store.pushImage('tls', 'v1', image);
  const port = await tlsRegistryPort(server, fake.handler);
  t.teardown(() => port.close());
  return port.port;
}

const credentials = async (): Promise<{ username: string; password: string }> => ({ username: 'alice', password: 'pw' });

test('loopback with TLS and the CA from certs.d: detected, verified, logged in', async (t) => {
  const port = await registryWithTls(t);
  const client = new RegistryClient(`localhost:${port}`, { ca: ca.cert, credentials });
  const response = await client.request({ path: '/v2/_catalog' });
  t.deepEqual(JSON.parse(response.body.toString()), { repositories: ['tls'] });
  t.is(client.origin, `https://localhost:${port}`);
  await client.close();
});

test('loopback with TLS and a CA that did not sign its certificate: a TLS error naming certs.d', async (t) => {
  const port = await registryWithTls(t);
  const other = makeCa({ commonName: 'some other CA' });
  const client = new RegistryClient(`localhost:${port}`, { ca: other.cert, credentials, retries: 0 });
  const err = await t.throwsAsync(client.request({ path: '/v2/_catalog' }), { instanceOf: RegistryError });
  t.regex(
    err.message,
    new RegExp(`^TLS connection to localhost:${port} failed \\(\\w+\\): trust its CA in /etc/docker/certs\\.d/localhost:${port}/ca\\.crt`),
  );
  await client.close();
});

test('loopback with TLS and no CA known: not verified, as Docker does for loopback', async (t) => {
  const port = await registryWithTls(t);
  const client = new RegistryClient(`127.0.0.1:${port}`, { credentials });
  t.is((await client.request({ path: '/v2/_catalog' })).status, 200);
  await client.close();
});

test('probe: TLS and Basic, plain and open, plain and Bearer, no answer', async (t) => {
  const secure = await registryWithTls(t);
  t.deepEqual(await probeRegistry(`127.0.0.1:${secure}`), { tls: true, auth: 'basic' });
  const open = await registry(t);
  t.deepEqual(await probeRegistry(open.host), { tls: false, auth: null });
  const token = await registry(t, { auth: { bearer: { users: { alice: 'pw' } } } });
  t.deepEqual(await probeRegistry(token.host), { tls: false, auth: 'bearer' });
  // Accepts connections and never answers: given up on after a short time.
  const silent = await registry(t);
  silent.faults.add({ stall: true });
  t.is(await probeRegistry(silent.host), undefined);
  t.deepEqual(silent.requests(), ['GET /v2/']);
});
