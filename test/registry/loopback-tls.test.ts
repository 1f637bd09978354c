// A loopback registry with TLS (start --tls): the client finds out by the registry's answer
// to plain HTTP, and when certs.d has a CA for it (given as `ca`) it verifies the registry
// with it; without one it does not verify, as Docker. The probe behind info/stat says the same.
import test, { type ExecutionContext } from 'ava';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { RegistryClient } from '../../src/registry/client.ts';
import { tlsRegistryPort } from '../fakes/tls-port.ts';
import { probeRegistry } from '../../src/registry/probe.ts';
import { RegistryError } from '../../src/errors.ts';
import { makeCa, makeServerCertificate } from '../../src/security/x509.ts';

const ca = makeCa({ commonName: 'loopback test CA' });
const server = makeServerCertificate({ ca, names: ['localhost', '127.0.0.1', '::1'] });

async function listen(t: ExecutionContext, s: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  t.teardown(() => s.close());
  return (s.address() as AddressInfo).port;
}

/** One port speaking TLS to TLS clients and answering plain HTTP as Go's server does (400). */
async function registryWithTls(t: ExecutionContext, handler: RequestListener): Promise<number> {
  const registry = await tlsRegistryPort(server, handler);
  t.teardown(() => registry.close());
  return registry.port;
}

const catalog: RequestListener = (req, res) => {
  if (req.headers.authorization !== 'Basic ' + Buffer.from('alice:pw').toString('base64')) {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="docker-jindr"', 'content-type': 'application/json' });
    res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ repositories: ['tls'] }));
};

const credentials = async (): Promise<{ username: string; password: string }> => ({ username: 'alice', password: 'pw' });

test('loopback with TLS and the CA from certs.d: detected, verified, logged in', async (t) => {
  const port = await registryWithTls(t, catalog);
  const client = new RegistryClient(`localhost:${port}`, { ca: ca.cert, credentials });
  const response = await client.request({ path: '/v2/_catalog' });
  t.deepEqual(JSON.parse(response.body.toString()), { repositories: ['tls'] });
  t.is(client.origin, `https://localhost:${port}`);
  await client.close();
});

test('loopback with TLS and a CA that did not sign its certificate: a TLS error naming certs.d', async (t) => {
  const port = await registryWithTls(t, catalog);
  const other = makeCa({ commonName: 'some other CA' });
  const client = new RegistryClient(`localhost:${port}`, { ca: other.cert, credentials, retries: 0 });
  const err = await t.throwsAsync(client.request({ path: '/v2/_catalog' }), { instanceOf: RegistryError });
  t.regex(err.message, new RegExp(`^TLS connection to localhost:${port} failed \\(\\w+\\): trust its CA in /etc/docker/certs\\.d/localhost:${port}/ca\\.crt`));
  await client.close();
});

test('loopback with TLS and no CA known: not verified, as Docker does for loopback', async (t) => {
  const port = await registryWithTls(t, catalog);
  const client = new RegistryClient(`127.0.0.1:${port}`, { credentials });
  t.is((await client.request({ path: '/v2/_catalog' })).status, 200);
  await client.close();
});

test('probe: TLS and Basic, plain and open, plain and Bearer, no answer', async (t) => {
  const secure = await registryWithTls(t, catalog);
  t.deepEqual(await probeRegistry(`127.0.0.1:${secure}`), { tls: true, auth: 'basic' });
  const open = await listen(t, createHttpServer((_req, res) => res.end('{}')));
  t.deepEqual(await probeRegistry(`127.0.0.1:${open}`), { tls: false, auth: null });
  const token = await listen(t, createHttpServer((_req, res) => {
    res.writeHead(401, { 'www-authenticate': 'Bearer realm="http://x/token",service="r"' });
    res.end();
  }));
  t.deepEqual(await probeRegistry(`127.0.0.1:${token}`), { tls: false, auth: 'bearer' });
  // Accepts connections and never answers: given up on after a short time.
  const silent = await listen(t, createNetServer());
  t.is(await probeRegistry(`127.0.0.1:${silent}`), undefined);
});
