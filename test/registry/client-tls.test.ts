// The client's choice of scheme and its TLS options, against node:https servers with
// certificates from a throwaway CA: verified HTTPS with a CA, client certificates,
// `insecure` (TLS without verification, then plain HTTP), and a loopback registry that
// speaks TLS (Go's "HTTP request to an HTTPS server" answer makes the client switch).
import test, { type ExecutionContext } from 'ava';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { RegistryClient } from '../../src/registry/client.ts';
import { RegistryError } from '../../src/errors.ts';
import { makePki, type Pki } from '../fakes/pki.ts';
import { outsideAddress } from '../helpers/registry-containers.ts';
import { tlsRegistryPort } from '../fakes/tls-port.ts';

const outside = outsideAddress();
let pki: Pki;
test.before(() => {
  pki = makePki();
});
test.after.always(() => pki?.cleanup());

const answer: RequestListener = (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ repositories: [req.socket.constructor.name === 'TLSSocket' ? 'tls' : 'plain'] }));
};

async function listen(server: { listen(port: number, host: string, cb: () => void): unknown; address(): AddressInfo | string | null }, address: string): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  return (server.address() as AddressInfo).port;
}

async function catalog(client: RegistryClient): Promise<string> {
  const response = await client.request({ path: '/v2/_catalog' });
  return (JSON.parse(response.body.toString()) as { repositories: string[] }).repositories[0]!;
}

// A remote (verified) registry needs an address that is not loopback: every machine with
// a network interface or a Docker bridge has one; fail rather than skip without it.
const remote = (title: string, fn: (t: ExecutionContext) => Promise<void>): void => {
  test(title, async (t) => {
    if (outside === undefined) return t.fail('no non-loopback IPv4 address on this machine');
    await fn(t);
  });
};

remote('a remote registry: HTTPS verified with the given CA; without it a TLS error naming certs.d; insecure skips verification', async (t) => {
  const cert = pki.server('remote', [outside!]);
  const server = createHttpsServer({ cert: cert.cert, key: cert.key }, answer);
  const port = await listen(server, outside!);
  t.teardown(() => server.close());
  const host = `${outside}:${port}`;

  const trusted = new RegistryClient(host, { ca: pki.ca.cert });
  t.is(await catalog(trusted), 'tls');
  await trusted.close();

  const untrusted = new RegistryClient(host, { retries: 0 });
  const err = await t.throwsAsync(catalog(untrusted), { instanceOf: RegistryError });
  await untrusted.close();
  t.regex(err!.message, new RegExp(`TLS connection to ${host.replace(/\./g, '\\.')} failed \\(\\w+.*\\).*certs\\.d/${host.replace(/\./g, '\\.')}/ca\\.crt`));

  const insecure = new RegistryClient(host, { insecure: true });
  t.is(await catalog(insecure), 'tls');
  await insecure.close();
});

remote('a remote registry asking for a client certificate gets the one given', async (t) => {
  const cert = pki.server('mtls', [outside!]);
  const server = createHttpsServer({ cert: cert.cert, key: cert.key, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true }, answer);
  const port = await listen(server, outside!);
  t.teardown(() => server.close());
  const client = pki.client('jindr');
  const withCert = new RegistryClient(`${outside}:${port}`, { ca: pki.ca.cert, cert: client.cert, key: client.key });
  t.is(await catalog(withCert), 'tls');
  await withCert.close();
  const without = new RegistryClient(`${outside}:${port}`, { ca: pki.ca.cert, retries: 0 });
  await t.throwsAsync(catalog(without), { instanceOf: RegistryError });
  await without.close();
});

remote('insecure: a remote registry that speaks plain HTTP is reached over HTTP', async (t) => {
  const server = createHttpServer(answer);
  const port = await listen(server, outside!);
  t.teardown(() => server.close());
  const client = new RegistryClient(`${outside}:${port}`, { insecure: true });
  t.is(await catalog(client), 'plain');
  t.true(client.origin.startsWith('http://'));
  await client.close();
});

test('loopback: plain HTTP first; a registry answering "HTTP request to an HTTPS server" is asked again over TLS, unverified', async (t) => {
  const cert = pki.server('loop');
  const registry = await tlsRegistryPort(cert, answer);
  t.teardown(() => registry.close());
  const { port } = registry;
  const plain = createHttpServer(answer);
  const plainPort = await listen(plain, '127.0.0.1');
  t.teardown(() => plain.close());

  const client = new RegistryClient(`localhost:${port}`);
  t.is(await catalog(client), 'tls');
  t.is(client.origin, `https://localhost:${port}`);
  await client.close();
  const other = new RegistryClient(`127.0.0.1:${plainPort}`);
  t.is(await catalog(other), 'plain');
  t.is(other.origin, `http://127.0.0.1:${plainPort}`);
  await other.close();
});
