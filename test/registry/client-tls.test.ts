// The client's choice of scheme and its TLS options, against node:https servers with
// certificates from a throwaway CA: verified HTTPS with a CA, client certificates,
// `insecure` (TLS without verification, then plain HTTP), and a loopback registry that
// speaks TLS (Go's "HTTP request to an HTTPS server" answer makes the client switch).
import test, { type ExecutionContext } from 'ava';
import { RegistryClient } from '../../src/registry/client.ts';
import { RegistryError } from '../../src/errors.ts';
import { makePki, type Pki } from '../fakes/pki.ts';
import { outsideAddress } from '../helpers/network.ts';
import { tlsRegistryPort } from '../fakes/tls-port.ts';
import { startOciRegistry, type OciRegistry, type OciRegistryOptions } from '../fakes/oci-registry.ts';

const outside = outsideAddress();
let pki: Pki;
test.before(() => {
  pki = makePki();
});
test.after.always(() => pki?.cleanup());

async function registry(t: ExecutionContext, options: OciRegistryOptions = {}): Promise<OciRegistry> {
  const fake = await startOciRegistry(options);
  t.teardown(fake.close);
  return fake;
}

/** Asks the catalog through client; which way it reached the registry, by the registry's own log. */
async function catalog(client: RegistryClient, fake: OciRegistry): Promise<'tls' | 'plain'> {
  const response = await client.request({ path: '/v2/_catalog' });
  if (response.status !== 200) throw new Error(`catalog: ${response.status}`);
  return fake.log.at(-1)!.tls ? 'tls' : 'plain';
}

// A remote (verified) registry needs an address that is not loopback: every machine with
// a network interface or a Docker bridge has one; fail rather than skip without it.
const remote = (title: string, fn: (t: ExecutionContext) => Promise<void>): void => {
  test(title, async (t) => {
    if (outside === undefined) return t.fail('no non-loopback IPv4 address on this machine');
    await fn(t);
  });
};

remote(
  'a remote registry: HTTPS verified with the given CA; without it a TLS error naming certs.d; insecure skips verification',
  async (t) => {
    const cert = pki.server('remote', [outside!]);
    const fake = await registry(t, { address: outside!, tls: { cert: cert.cert, key: cert.key } });
    const host = fake.host;

    const trusted = new RegistryClient(host, { ca: pki.ca.cert });
    t.is(await catalog(trusted, fake), 'tls');
    await trusted.close();

    const untrusted = new RegistryClient(host, { retries: 0 });
    const err = await t.throwsAsync(catalog(untrusted, fake), { instanceOf: RegistryError });
    await untrusted.close();
    t.regex(
      err.message,
      new RegExp(`TLS connection to ${host.replace(/\./g, '\\.')} failed \\(\\w+.*\\).*certs\\.d/${host.replace(/\./g, '\\.')}/ca\\.crt`),
    );

    const insecure = new RegistryClient(host, { insecure: true });
    t.is(await catalog(insecure, fake), 'tls');
    await insecure.close();
  },
);

remote('a remote registry asking for a client certificate gets the one given', async (t) => {
  const cert = pki.server('mtls', [outside!]);
  const fake = await registry(t, {
    address: outside!,
    tls: { cert: cert.cert, key: cert.key, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true },
  });
  const client = pki.client('jindr');
  const withCert = new RegistryClient(fake.host, { ca: pki.ca.cert, cert: client.cert, key: client.key });
  t.is(await catalog(withCert, fake), 'tls');
  await withCert.close();
  const without = new RegistryClient(fake.host, { ca: pki.ca.cert, retries: 0 });
  await t.throwsAsync(catalog(without, fake), { instanceOf: RegistryError });
  await without.close();
});

remote('insecure: a remote registry that speaks plain HTTP is reached over HTTP', async (t) => {
  const fake = await registry(t, { address: outside! });
  const client = new RegistryClient(fake.host, { insecure: true });
  t.is(await catalog(client, fake), 'plain');
  t.true(client.origin.startsWith('http://'));
  await client.close();
});

test('loopback: plain HTTP first; a registry answering "HTTP request to an HTTPS server" is asked again over TLS, unverified', async (t) => {
  const cert = pki.server('loop');
  const behindTls = await registry(t);
  const tlsPort = await tlsRegistryPort(cert, behindTls.handler);
  t.teardown(() => tlsPort.close());
  const plain = await registry(t);

  const client = new RegistryClient(`localhost:${tlsPort.port}`);
  t.is(await catalog(client, behindTls), 'tls');
  t.is(client.origin, `https://localhost:${tlsPort.port}`);
  await client.close();
  const other = new RegistryClient(plain.host);
  t.is(await catalog(other, plain), 'plain');
  t.is(other.origin, `http://${plain.host}`);
  await other.close();
});

// The first requests of a command may go at once (cp: the tags of several images, a warm
// copy's HEADs): each of them meets the scheme question, and each must end on the scheme found.
test('loopback with TLS: first requests made at once all arrive over TLS, GETs and HEADs', async (t) => {
  const behindTls = await registry(t);
  const tlsPort = await tlsRegistryPort(pki.server('loop'), behindTls.handler);
  t.teardown(() => tlsPort.close());
  const client = new RegistryClient(`localhost:${tlsPort.port}`, { retries: 0 });
  t.teardown(() => client.close());
  const asks = [...Array<undefined>(4)].flatMap(() => [
    client.request({ path: '/v2/_catalog' }),
    client.request({ method: 'HEAD', path: '/v2/', accept: [404] }),
  ]);
  const statuses = (await Promise.all(asks)).map((r) => r.status);
  t.deepEqual(
    statuses,
    [...Array<undefined>(4)].flatMap(() => [200, 200]),
  );
  t.true(behindTls.log.every((r) => r.tls));
});

remote('insecure: first requests made at once to a registry without TLS all arrive over plain HTTP', async (t) => {
  const fake = await registry(t, { address: outside! });
  const client = new RegistryClient(fake.host, { insecure: true, retries: 0 });
  t.teardown(() => client.close());
  const statuses = (await Promise.all([...Array<undefined>(6)].map(() => client.request({ path: '/v2/_catalog' })))).map((r) => r.status);
  t.deepEqual(statuses, [200, 200, 200, 200, 200, 200]);
  t.true(fake.log.every((r) => !r.tls));
});
