// The registry host: one value for -r and every reference's host.
import test from 'ava';
import {
  DEFAULT_REGISTRY,
  DOCKER_HUB_KEY,
  DOCKER_HUB_NAMES,
  formatHostPort,
  isDockerHub,
  isLoopback,
  jindrCommand,
  looksLikeHost,
  parseRegistryHost,
  registryHost,
  splitDomain,
} from '../../src/registry/host.ts';
import { UsageError } from '../../src/errors.ts';

test('HOST[:PORT] parses into its parts', (t) => {
  t.like(registryHost('localhost:5001'), {
    name: 'localhost:5001',
    hostname: 'localhost',
    port: 5001,
    loopback: true,
    hub: false,
    requestHost: 'localhost:5001',
    configKey: 'localhost:5001',
  });
  t.like(registryHost('registry.example.com'), {
    name: 'registry.example.com',
    hostname: 'registry.example.com',
    port: undefined,
    loopback: false,
  });
  t.like(registryHost('[::1]:5000'), { name: '[::1]:5000', hostname: '::1', port: 5000, loopback: true });
  t.like(registryHost('[fd00::2]:443'), { hostname: 'fd00::2', port: 443, loopback: false });
  t.like(registryHost('127.1.2.3:80'), { hostname: '127.1.2.3', port: 80, loopback: true });
  t.like(registryHost('LOCALHOST:65535'), { name: 'LOCALHOST:65535', port: 65535, loopback: true });
  t.is(`${registryHost('localhost:6000')}`, 'localhost:6000', 'reads as its name in messages');
});

test("every Docker Hub name is docker.io: requests go to registry-1.docker.io, logins under Hub's config.json key", (t) => {
  t.deepEqual([...DOCKER_HUB_NAMES].sort(), ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);
  for (const name of [...DOCKER_HUB_NAMES, 'Docker.IO']) {
    t.like(registryHost(name), { name: 'docker.io', hub: true, requestHost: 'registry-1.docker.io', configKey: DOCKER_HUB_KEY }, name);
  }
  t.is(DOCKER_HUB_KEY, 'https://index.docker.io/v1/');
  t.like(registryHost('docker.io:443'), { hub: false, requestHost: 'docker.io:443', configKey: 'docker.io:443' });
  t.like(registryHost('ghcr.io'), { hub: false, requestHost: 'ghcr.io', configKey: 'ghcr.io' });
  t.true(isDockerHub('INDEX.docker.io'));
  t.false(isDockerHub('hub.docker.com'));
});

test('loopback: localhost, 127.0.0.0/8 and ::1 only', (t) => {
  for (const h of ['localhost', 'LocalHost', '127.0.0.1', '127.1.2.3', '::1']) t.true(isLoopback(h), h);
  for (const h of ['example.com', '10.0.0.1', 'localhost.example.com', '128.0.0.1', '0.0.0.0', '::']) t.false(isLoopback(h), h);
});

const problems: Array<[string, 'empty' | 'form' | 'port']> = [
  ['', 'empty'],
  ['http://localhost:5001', 'form'],
  ['https://x', 'form'],
  ['localhost:5001/x', 'form'],
  ['host/x', 'form'],
  ['a b', 'form'],
  ['ex_ample.com', 'form'],
  ['-bad.example', 'form'],
  ['::1', 'form'],
  ['[::1', 'form'],
  ['[nothex]:5000', 'form'],
  ['localhost:5a', 'form'],
  ['localhost:', 'port'],
  ['localhost:0', 'port'],
  ['localhost:65536', 'port'],
  ['localhost:99999', 'port'],
  ['[::1]:0', 'port'],
];
for (const [text, problem] of problems) {
  test(`${JSON.stringify(text)} is not a registry host: ${problem}`, (t) => {
    t.is(parseRegistryHost(text), problem);
  });
}

test('-r that is not HOST[:PORT] is a one-line usage error saying what to write', (t) => {
  const message = (text: string): string => t.throws(() => registryHost(text), { instanceOf: UsageError }).message;
  t.is(message(''), '-r/--registry needs HOST or HOST:PORT, e.g. localhost:5001 (got "")');
  t.is(message('http://x'), '-r/--registry needs HOST or HOST:PORT, without a scheme or path (got "http://x")');
  t.is(message('host/x'), '-r/--registry needs HOST or HOST:PORT, without a scheme or path (got "host/x")');
  t.is(
    message('localhost:99999'),
    '-r/--registry needs a port from 1 to 65535 after the colon, e.g. localhost:5001 (got "localhost:99999")',
  );
  t.is(message('localhost:0'), '-r/--registry needs a port from 1 to 65535 after the colon, e.g. localhost:5001 (got "localhost:0")');
  t.regex(t.throws(() => registryHost('a b', '--mirror')).message, /^--mirror needs HOST or HOST:PORT/);
});

test('the distribution rule: a first component with . or :, localhost, or upper case is a registry host', (t) => {
  for (const c of ['ghcr.io', 'localhost', 'localhost:5002', '[::1]:5000', 'Registry']) t.true(looksLikeHost(c), c);
  for (const c of ['app', 'team', '']) t.false(looksLikeHost(c), c);
  t.deepEqual(splitDomain('localhost:5002/team/app:v1'), { domain: 'localhost:5002', rest: 'team/app:v1' });
  t.deepEqual(splitDomain('team/app'), { domain: undefined, rest: 'team/app' });
  t.deepEqual(splitDomain('app:v1'), { domain: undefined, rest: 'app:v1' });
  t.deepEqual(splitDomain('localhost:5002'), { domain: undefined, rest: 'localhost:5002' });
});

test('host and port print back, IPv6 in brackets', (t) => {
  t.is(formatHostPort('127.0.0.1', 5001), '127.0.0.1:5001');
  t.is(formatHostPort('::1', 5001), '[::1]:5001');
});

test('hints name the registry they mean, briefly for the default one', (t) => {
  t.is(DEFAULT_REGISTRY, 'localhost:5001');
  t.is(jindrCommand(registryHost(DEFAULT_REGISTRY), 'start'), 'docker jindr start');
  t.is(jindrCommand(registryHost('localhost:5650'), 'start'), 'docker jindr -r localhost:5650 start');
  t.is(jindrCommand('[::1]:5000', 'stop'), 'docker jindr -r [::1]:5000 stop');
});
