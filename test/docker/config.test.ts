import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResourceError } from '../../src/errors.ts';
import {
  authEntryFor,
  configKey,
  dockerConfigDir,
  helperFor,
  keyHostname,
  readDockerConfig,
  DOCKER_HUB_KEY,
} from '../../src/docker/config.ts';
import { DOCKER_HUB_NAMES, registryHost } from '../../src/registry/host.ts';

test('config dir: --config, then DOCKER_CONFIG, then ~/.docker', (t) => {
  t.is(dockerConfigDir('/flag', { DOCKER_CONFIG: '/env', HOME: '/home/u' }), '/flag');
  t.is(dockerConfigDir(undefined, { DOCKER_CONFIG: '/env', HOME: '/home/u' }), '/env');
  t.is(dockerConfigDir(undefined, { HOME: '/home/u' }), '/home/u/.docker');
});

test('Docker Hub hosts share one key; others are host[:port]', (t) => {
  // The one list of Docker Hub's names (src/registry/host.ts), as the registry host value reads it.
  for (const h of DOCKER_HUB_NAMES) {
    t.is(configKey(h), DOCKER_HUB_KEY, h);
    t.is(configKey(h), registryHost(h).configKey, h);
  }
  t.is(configKey('ghcr.io'), 'ghcr.io');
  t.is(configKey('localhost:5001'), 'localhost:5001');
});

test('keys with a scheme or path name their host', (t) => {
  t.is(keyHostname('https://index.docker.io/v1/'), 'index.docker.io');
  t.is(keyHostname('http://localhost:5000'), 'localhost:5000');
  t.is(keyHostname('registry.example.com:443/v2/'), 'registry.example.com:443');
  t.is(keyHostname('plain.example'), 'plain.example');
});

test('helper: credHelpers[host] before credsStore', (t) => {
  const config = { credsStore: 'desktop', credHelpers: { 'ghcr.io': 'gh', [DOCKER_HUB_KEY]: 'hub' } };
  t.deepEqual(helperFor(config, 'ghcr.io'), { name: 'gh', perHost: true });
  t.deepEqual(helperFor(config, 'docker.io'), { name: 'hub', perHost: true });
  t.deepEqual(helperFor(config, 'quay.io'), { name: 'desktop', perHost: false });
  t.is(helperFor({}, 'quay.io'), undefined);
});

test('auths: exact key, then a key naming the same host', (t) => {
  const config = {
    auths: {
      'localhost:5001': { auth: 'exact' },
      'https://ghcr.io': { auth: 'scheme' },
      'https://index.docker.io/v1/': { auth: 'hub' },
      'localhost:50011': { auth: 'other port' },
    },
  };
  t.deepEqual(authEntryFor(config, 'localhost:5001'), { auth: 'exact' });
  t.deepEqual(authEntryFor(config, 'ghcr.io'), { auth: 'scheme' });
  t.deepEqual(authEntryFor(config, 'registry-1.docker.io'), { auth: 'hub' });
  t.is(authEntryFor(config, 'localhost:5002'), undefined);
  t.is(authEntryFor(config, 'localhost'), undefined);
});

test('read: missing file is empty, bad JSON names the file without its content', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.deepEqual(await readDockerConfig(dir), {});
  writeFileSync(join(dir, 'config.json'), '{"auths":{"x":{"auth":"c2VjcmV0"}}}');
  t.deepEqual(await readDockerConfig(dir), { auths: { x: { auth: 'c2VjcmV0' } } });
  writeFileSync(join(dir, 'config.json'), '{"auths": c2VjcmV0');
  const err = await t.throwsAsync(readDockerConfig(dir));
  t.true(err.message.includes(join(dir, 'config.json')));
  t.false(err.message.includes('c2VjcmV0'));
  t.false(String(err.cause).includes('c2VjcmV0'));
});

/** config.json holding text; the error readDockerConfig throws for it. */
async function refused(
  t: { teardown(fn: () => void): void; throwsAsync: (p: Promise<unknown>, e: object) => Promise<Error | undefined> },
  text: string,
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config.json'), text);
  const err = await t.throwsAsync(readDockerConfig(dir), { instanceOf: ResourceError });
  return err?.message.replace(join(dir, 'config.json'), 'FILE') ?? '';
}

const badConfigs: [string, unknown, string][] = [
  ['an array', [{ auths: {} }], 'not a JSON object but an array'],
  ['auths as an array', { auths: [{ auth: 'c2VjcmV0' }] }, 'auths: not a JSON object but an array'],
  ['an auth that is a number', { auths: { 'localhost:5000': { auth: 1234 } } }, 'auths["localhost:5000"].auth: not a string but a number'],
  [
    'a password in an array',
    { auths: { 'ghcr.io': { username: 'me', password: ['c2VjcmV0'] } } },
    'auths["ghcr.io"].password: not a string but an array',
  ],
  ['an auths entry that is a string', { auths: { 'ghcr.io': 'c2VjcmV0' } }, 'auths["ghcr.io"]: not a JSON object but a string'],
  ['a credsStore that is true', { credsStore: true }, 'credsStore: not a string but a boolean'],
  ['a credential helper that is a number', { credHelpers: { 'ghcr.io': 1 } }, 'credHelpers["ghcr.io"]: not a string but a number'],
];
for (const [what, config, problem] of badConfigs) {
  test(`read: a config.json with ${what} is refused, naming the member, never its value`, async (t) => {
    const message = await refused(t, JSON.stringify(config));
    t.is(message, `FILE is not a valid Docker config (${problem}): fix or remove it`);
    t.false(message.includes('c2VjcmV0'));
  });
}

test('read: members docker-jindr does not use are left alone; null ones are absent', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      auths: { x: { auth: 'c2VjcmV0', email: 'me@example.com' }, y: null },
      credsStore: null,
      credHelpers: null,
      proxies: { default: { httpProxy: 1 } },
      currentContext: 'sock',
      plugins: [],
    }),
  );
  t.deepEqual(await readDockerConfig(dir), { auths: { x: { auth: 'c2VjcmV0' }, y: {} } });
});
