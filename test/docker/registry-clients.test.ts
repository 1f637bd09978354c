// Clients as Docker makes them: JINDR_TIMEOUT_MS checked before any request, the caller's
// defaults (completion: a short deadline) and options applied.
import test from 'ava';
import { dockerRegistryClients, registryTimeoutMs } from '../../src/docker/registry-clients.ts';
import { UsageError } from '../../src/errors.ts';

const env = { HOME: '/nonexistent-jindr-home', JINDR_CERTS_D: '/nonexistent-jindr-certs' };

test('JINDR_TIMEOUT_MS: whole milliseconds, 1 or more; unset means the default', (t) => {
  t.is(registryTimeoutMs({}), undefined);
  t.is(registryTimeoutMs({ JINDR_TIMEOUT_MS: '' }), undefined);
  t.is(registryTimeoutMs({ JINDR_TIMEOUT_MS: '1500' }), 1500);
  for (const bad of ['0', '-1', '1.5', 'soon']) {
    t.throws(
      () => registryTimeoutMs({ JINDR_TIMEOUT_MS: bad }),
      { instanceOf: UsageError, message: /^JINDR_TIMEOUT_MS must be a whole number of milliseconds/ },
      bad,
    );
  }
});

test('a bad JINDR_TIMEOUT_MS is refused when the opener is made, before any client', (t) => {
  t.throws(() => dockerRegistryClients({ env: { ...env, JINDR_TIMEOUT_MS: 'x' }, configFlag: undefined }), { instanceOf: UsageError });
});

test("clients get JINDR_TIMEOUT_MS, then the opener's defaults, then the caller's options", async (t) => {
  const open = dockerRegistryClients({ env: { ...env, JINDR_TIMEOUT_MS: '1234' }, configFlag: undefined });
  const plain = open('localhost:5001');
  t.is(plain.host, 'localhost:5001');
  t.is(plain.timeoutMs, 1234);
  t.is(plain.origin, 'http://localhost:5001', 'loopback: plain HTTP first');
  const hub = open('index.docker.io');
  t.is(hub.origin, 'https://registry-1.docker.io');
  const quick = dockerRegistryClients({
    env: { ...env, JINDR_TIMEOUT_MS: 'ignored: completion has its own deadline' },
    configFlag: undefined,
    defaults: { timeoutMs: 200 },
  });
  const defaulted = quick('ghcr.io');
  const asked = quick('ghcr.io', { timeoutMs: 300 });
  t.is(defaulted.timeoutMs, 200);
  t.is(asked.timeoutMs, 300);
  await Promise.all([plain, hub, defaulted, asked].map((c) => c.close()));
});

test('a host that is not HOST[:PORT] never becomes a client', (t) => {
  const open = dockerRegistryClients({ env, configFlag: undefined });
  t.throws(() => open('http://x/y'), { instanceOf: UsageError });
});
