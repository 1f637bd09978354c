// What start --auth/--tls/--bind asks of the container, decided before anything is written:
// env, publish addresses, exposure refused without auth, settings of a container kept.
import test from 'ava';
import type Docker from 'dockerode';
import { describeContainer, type RegistryContainer } from '../../src/server/container.ts';
import { registryContainerOptions } from '../../src/server/lifecycle.ts';
import { parseLocalRegistry } from '../../src/server/address.ts';
import {
  AUTH_ENV,
  beyondLoopback,
  parseBind,
  planSecurity,
  publishAddresses,
  securityOf,
  tlsEnv,
  type SecurityRequest,
} from '../../src/server/security-plan.ts';
import { describeRegistrySecurity } from '../../src/server/security-info.ts';
import { RefusedError, UsageError } from '../../src/errors.ts';

const address = parseLocalRegistry('localhost:5001');
const dirs = { dataDir: undefined, defaultDataDir: '/home/me/.jindr' };
const request = (over: Partial<SecurityRequest> = {}): SecurityRequest => ({
  users: [],
  tls: false,
  sans: [],
  own: undefined,
  bind: undefined,
  insecureExpose: false,
  ...over,
});
const alice = [{ name: 'alice', password: 'pw' }];

function container(over: {
  running?: boolean;
  env?: Record<string, string>;
  ips?: string[];
  managed?: boolean;
  data?: string;
}): RegistryContainer {
  const running = over.running ?? false;
  const bindings = (over.ips ?? ['127.0.0.1']).map((ip) => ({ HostIp: ip, HostPort: '5001' }));
  return describeContainer({
    Id: 'abc',
    Name: '/jindr-5001',
    Created: '2026-01-01T00:00:00Z',
    State: { Status: running ? 'running' : 'exited', Running: running },
    Config: {
      Image: 'registry:3',
      Cmd: ['/etc/distribution/config.yml'],
      Entrypoint: ['/entrypoint.sh'],
      Labels: over.managed === false ? {} : { 'jindr.registry': 'localhost:5001', 'jindr.data': over.data ?? '/srv/reg' },
      Env: ['REGISTRY_STORAGE_DELETE_ENABLED=true', ...Object.entries(over.env ?? {}).map(([k, v]) => `${k}=${v}`)],
    },
    HostConfig: { PortBindings: { '5000/tcp': bindings } },
    NetworkSettings: { Ports: running ? { '5000/tcp': bindings } : {} },
    Mounts: [{ Type: 'bind', Source: over.data ?? '/srv/reg', Destination: '/var/lib/registry', Mode: '', RW: true, Propagation: '' }],
  } as unknown as Docker.ContainerInspectInfo);
}

test('nothing asked, nothing there: loopback, no env, no warnings', (t) => {
  const plan = planSecurity(address, undefined, request(), dirs);
  t.deepEqual(plan, {
    auth: false,
    tls: undefined,
    env: {},
    publish: ['127.0.0.1'],
    mismatches: [],
    dataDir: '/home/me/.jindr',
    warnings: [],
  });
});

test("--auth and --tls: the registry's own htpasswd and TLS by env, files in the data directory", (t) => {
  const plan = planSecurity(address, undefined, request({ users: alice, tls: true }), { dataDir: '/d', defaultDataDir: '/x' });
  t.deepEqual(plan.env, {
    REGISTRY_AUTH: 'htpasswd',
    REGISTRY_AUTH_HTPASSWD_REALM: 'docker-jindr',
    REGISTRY_AUTH_HTPASSWD_PATH: '/var/lib/registry/auth/htpasswd',
    REGISTRY_HTTP_TLS_CERTIFICATE: '/var/lib/registry/tls/server.crt',
    REGISTRY_HTTP_TLS_KEY: '/var/lib/registry/tls/server.key',
  });
  t.is(plan.dataDir, '/d');
  const options = registryContainerOptions(address, 'jindr-5001', 'registry:3', '/d', plan);
  t.deepEqual(options.Env, ['REGISTRY_STORAGE_DELETE_ENABLED=true', ...Object.entries(plan.env).map(([k, v]) => `${k}=${v}`)]);
  t.deepEqual(options.HostConfig?.Binds, ['/d:/var/lib/registry']);
  t.deepEqual(options.HostConfig?.PortBindings, { '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: '5001' }] });
});

test('a container keeps its auth and TLS when started again without the options, and its data directory', (t) => {
  const existing = container({ env: { ...AUTH_ENV, ...tlsEnv('generated') }, data: '/srv/reg' });
  t.deepEqual(securityOf(existing), { auth: true, tls: 'generated' });
  const plan = planSecurity(address, existing, request(), dirs);
  t.like(plan, { auth: true, tls: 'generated', mismatches: [], dataDir: '/srv/reg', publish: ['127.0.0.1'] });
  t.deepEqual(plan.env, { ...AUTH_ENV, ...tlsEnv('generated') });
  t.deepEqual(planSecurity(address, existing, request({ users: alice }), dirs).mismatches, [], 'a user more needs no new container');
});

test('what a stopped container lacks makes a new one; a running one gets a notice', (t) => {
  const plain = container({});
  t.deepEqual(planSecurity(address, plain, request({ users: alice }), dirs).mismatches, ['--auth']);
  t.deepEqual(planSecurity(address, plain, request({ tls: true }), dirs).mismatches, ['--tls']);
  t.deepEqual(planSecurity(address, plain, request({ users: alice, bind: '0.0.0.0' }), dirs).mismatches, ['--auth', '--bind 0.0.0.0']);
  t.deepEqual(planSecurity(address, plain, request({ bind: '127.0.0.1' }), dirs).mismatches, []);
  const ownTls = container({ env: tlsEnv('own') });
  t.like(planSecurity(address, ownTls, request({ tls: true }), dirs), { tls: 'own', mismatches: [] }, "--tls keeps one's own certificate");
  t.throws(() => planSecurity(address, ownTls, request({ tls: true, sans: ['x.example'] }), dirs), { instanceOf: UsageError });
});

test('beyond loopback without --auth is refused, unless --insecure-expose (then a warning)', (t) => {
  for (const bind of ['0.0.0.0', '::', '192.168.1.5']) {
    const err = t.throws(() => planSecurity(address, undefined, request({ bind }), dirs), { instanceOf: RefusedError });
    t.is(
      err.message,
      `--bind ${bind} makes the registry reachable from other machines, and it has no authentication: add --auth USER (and --tls), or --insecure-expose to do it anyway`,
    );
    const allowed = planSecurity(address, undefined, request({ bind, insecureExpose: true }), dirs);
    t.is(allowed.warnings.length, 1);
    t.regex(allowed.warnings[0]!, /^warning: the registry is published on .* without authentication/);
  }
  t.like(planSecurity(address, undefined, request({ bind: '0.0.0.0', users: alice, tls: true }), dirs), {
    warnings: [],
    publish: ['0.0.0.0'],
  });
  t.regex(
    planSecurity(address, undefined, request({ bind: '0.0.0.0', users: alice }), dirs).warnings[0] ?? '',
    /without TLS: passwords cross the network readable/,
  );
  // A container with auth already may be exposed without naming its users again.
  t.like(planSecurity(address, container({ env: { ...AUTH_ENV, ...tlsEnv('generated') } }), request({ bind: '0.0.0.0' }), dirs), {
    auth: true,
    warnings: [],
  });
  t.deepEqual(planSecurity(address, undefined, request({ bind: '127.0.0.1' }), dirs).warnings, []);
});

test('publish addresses: a wildcard alone, a LAN address beside the -r one, another loopback one refused', (t) => {
  t.deepEqual(publishAddresses(address, '0.0.0.0'), ['0.0.0.0']);
  t.deepEqual(publishAddresses(address, '::'), ['::']);
  t.deepEqual(publishAddresses(address, '127.0.0.1'), ['127.0.0.1']);
  t.deepEqual(publishAddresses(address, '192.168.1.5'), ['127.0.0.1', '192.168.1.5']);
  t.deepEqual(publishAddresses(parseLocalRegistry('127.0.0.2:5001'), '127.0.0.2'), ['127.0.0.2']);
  const err = t.throws(() => publishAddresses(address, '127.0.0.2'), { instanceOf: UsageError });
  t.is(err.message, '--bind 127.0.0.2 does not serve -r localhost:5001: name the registry by that address (-r 127.0.0.2:5001)');
  t.true(beyondLoopback('0.0.0.0'));
  t.true(beyondLoopback('10.0.0.1'));
  t.false(beyondLoopback('127.0.0.2'));
  t.false(beyondLoopback('::1'));
});

test('--bind values', (t) => {
  const mine = (): string[] => ['127.0.0.1', '192.168.1.5', 'fe80::1'];
  t.is(parseBind('0.0.0.0', true, mine), '0.0.0.0');
  t.is(parseBind('[::]', true, mine), '::');
  t.is(parseBind('localhost', true, mine), '127.0.0.1');
  t.is(parseBind('192.168.1.5', true, mine), '192.168.1.5');
  t.is(parseBind('127.0.0.9', true, mine), '127.0.0.9');
  t.throws(() => parseBind('10.9.9.9', true, mine), {
    instanceOf: UsageError,
    message: '--bind 10.9.9.9: no network interface of this machine has that address',
  });
  t.is(parseBind('10.9.9.9', false, mine), '10.9.9.9', "a remote engine's addresses are not ours to know");
  t.throws(() => parseBind('myhost', true, mine), { instanceOf: UsageError, message: /^--bind needs an IP address of this machine/ });
});

test('a container docker jindr did not make is not reconfigured', (t) => {
  const plain = container({ managed: false });
  const err = t.throws(() => planSecurity(address, plain, request({ users: alice }), dirs), { instanceOf: RefusedError });
  t.regex(
    err.message,
    /^--auth and --tls configure registries made by docker jindr; jindr-5001 serves localhost:5001 and was not: remove it/,
  );
  t.like(planSecurity(address, plain, request(), dirs), { auth: false, tls: undefined, mismatches: [] });
});

test('the SECURITY column', (t) => {
  t.is(describeRegistrySecurity({ auth: true, authMethod: 'htpasswd', tls: true }), 'htpasswd + TLS');
  t.is(describeRegistrySecurity({ auth: true, authMethod: null, tls: false }), 'auth');
  t.is(describeRegistrySecurity({ auth: false, authMethod: null, tls: true }), 'TLS');
  t.is(describeRegistrySecurity({ auth: false, authMethod: null, tls: false }), 'none');
  t.is(describeRegistrySecurity({ auth: null, authMethod: null, tls: null }), '-');
});

test('--bind 0.0.0.0 finds the port taken by a container on one loopback address', async (t) => {
  const { checkPortFree } = await import('../../src/server/prestart-checks.ts');
  const docker = {
    listContainers: async () => [
      { Id: 'c1', Names: ['/web'], Ports: [{ IP: '127.0.0.1', PrivatePort: 80, PublicPort: 7777, Type: 'tcp' }] },
    ],
  } as unknown as Docker;
  const wildcard = { ...parseLocalRegistry('localhost:7777'), bindIp: '0.0.0.0' };
  await t.throwsAsync(checkPortFree(docker, wildcard, false), {
    message: 'port 7777 is taken by the container web: choose another port with -r localhost:PORT',
  });
  await t.notThrowsAsync(checkPortFree(docker, { ...wildcard, bindIp: '127.0.0.2' }, false));
});
