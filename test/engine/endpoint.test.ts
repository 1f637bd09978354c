// Which engine, as the Docker CLI picks it: flags, env, context store, config.json, TLS files.
import test from 'ava';
import { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DockerGlobals } from '../../src/engine/globals.ts';
import {
  contextDirName,
  describeEndpoint,
  isLocalEngine,
  parseDockerHost,
  resolveEndpoint,
  type ResolvedEndpoint,
} from '../../src/engine/endpoint.ts';
import { dockerOptions } from '../../src/engine/engine.ts';
import { NotFoundError, ResourceError, UsageError } from '../../src/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'jindr-endpoint-'));
test.after.always(() => rmSync(root, { recursive: true, force: true }));

/** A config dir holding contexts `remote` (tcp + TLS files), `insecure` (SkipTLSVerify), `sock` (unix), `broken` (no docker endpoint). */
function makeConfigDir(name: string, config?: object): string {
  const dir = join(root, name);
  const context = (ctx: string, docker: object | undefined, tlsFiles: string[] = []): void => {
    const meta = join(dir, 'contexts/meta', contextDirName(ctx));
    mkdirSync(meta, { recursive: true });
    writeFileSync(join(meta, 'meta.json'), JSON.stringify({ Name: ctx, Metadata: {}, Endpoints: docker ? { docker } : {} }));
    if (tlsFiles.length > 0) {
      const tls = join(dir, 'contexts/tls', contextDirName(ctx), 'docker');
      mkdirSync(tls, { recursive: true });
      for (const f of tlsFiles) writeFileSync(join(tls, f), `${ctx} ${f}`);
    }
  };
  mkdirSync(dir, { recursive: true });
  context('remote', { Host: 'tcp://10.0.0.1:2376', SkipTLSVerify: false }, ['ca.pem', 'cert.pem', 'key.pem']);
  context('insecure', { Host: 'tcp://10.0.0.2:2376', SkipTLSVerify: true });
  context('sock', { Host: 'unix:///run/other.sock', SkipTLSVerify: false });
  context('ssh', { Host: 'ssh://me@builder', SkipTLSVerify: false });
  context('broken', undefined);
  if (config) writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

const home = join(root, 'home');
const plain = makeConfigDir('plain');
const current = makeConfigDir('current', { auths: {}, currentContext: 'sock' });
const certs = join(root, 'certs');
mkdirSync(certs);
for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(certs, f), f);
const caOnly = join(root, 'ca-only');
mkdirSync(caOnly);
writeFileSync(join(caOnly, 'ca.pem'), 'ca');

const g = (over: Partial<DockerGlobals> = {}): DockerGlobals => ({ debug: false, tls: false, tlsVerify: false, ...over });
const tlsFile = (dir: string, ctx: string, f: string): string => join(dir, 'contexts/tls', contextDirName(ctx), 'docker', f);

const cases: { title: string; globals?: Partial<DockerGlobals>; env: NodeJS.ProcessEnv; expected: ResolvedEndpoint }[] = [
  {
    title: 'nothing set: the default socket',
    env: { DOCKER_CONFIG: plain },
    expected: { host: 'unix:///var/run/docker.sock', context: 'default', source: 'default' },
  },
  {
    title: 'DOCKER_HOST tcp without a port gets 2375',
    env: { DOCKER_CONFIG: plain, DOCKER_HOST: 'tcp://1.2.3.4' },
    expected: { host: 'tcp://1.2.3.4:2375', context: 'default', source: 'DOCKER_HOST' },
  },
  {
    title: '-H wins over DOCKER_HOST',
    globals: { host: 'unix:///flag.sock' },
    env: { DOCKER_CONFIG: plain, DOCKER_HOST: 'tcp://1.2.3.4:2375' },
    expected: { host: 'unix:///flag.sock', context: 'default', source: '--host' },
  },
  {
    title: '--context wins over DOCKER_HOST',
    globals: { context: 'sock' },
    env: { DOCKER_CONFIG: plain, DOCKER_HOST: 'tcp://1.2.3.4:2375' },
    expected: { host: 'unix:///run/other.sock', context: 'sock', source: '--context' },
  },
  {
    title: 'DOCKER_HOST wins over DOCKER_CONTEXT and currentContext',
    env: { DOCKER_CONFIG: current, DOCKER_HOST: 'unix:///env.sock', DOCKER_CONTEXT: 'remote' },
    expected: { host: 'unix:///env.sock', context: 'default', source: 'DOCKER_HOST' },
  },
  {
    title: 'DOCKER_CONTEXT wins over currentContext',
    env: { DOCKER_CONFIG: current, DOCKER_CONTEXT: 'insecure' },
    expected: { host: 'tcp://10.0.0.2:2376', context: 'insecure', source: 'DOCKER_CONTEXT', tls: { verify: false } },
  },
  {
    title: 'currentContext of config.json',
    env: { DOCKER_CONFIG: current },
    expected: { host: 'unix:///run/other.sock', context: 'sock', source: 'config.json' },
  },
  {
    title: '--config wins over DOCKER_CONFIG',
    globals: { config: current },
    env: { DOCKER_CONFIG: plain },
    expected: { host: 'unix:///run/other.sock', context: 'sock', source: 'config.json' },
  },
  {
    title: 'no DOCKER_CONFIG: ~/.docker',
    env: { HOME: home },
    expected: { host: 'unix:///var/run/docker.sock', context: 'default', source: 'default' },
  },
  {
    title: '--context default uses DOCKER_HOST',
    globals: { context: 'default' },
    env: { DOCKER_CONFIG: current, DOCKER_HOST: 'unix:///env.sock' },
    expected: { host: 'unix:///env.sock', context: 'default', source: '--context' },
  },
  {
    title: 'context with TLS material verifies with its files',
    globals: { context: 'remote' },
    env: { DOCKER_CONFIG: plain },
    expected: {
      host: 'tcp://10.0.0.1:2376',
      context: 'remote',
      source: '--context',
      tls: {
        verify: true,
        ca: tlsFile(plain, 'remote', 'ca.pem'),
        cert: tlsFile(plain, 'remote', 'cert.pem'),
        key: tlsFile(plain, 'remote', 'key.pem'),
      },
    },
  },
  {
    title: 'ssh context',
    env: { DOCKER_CONFIG: plain, DOCKER_CONTEXT: 'ssh' },
    expected: { host: 'ssh://me@builder', context: 'ssh', source: 'DOCKER_CONTEXT' },
  },
  {
    title: 'DOCKER_TLS_VERIFY, even "0", verifies; no host: tcp://localhost:2376; files from DOCKER_CERT_PATH',
    env: { DOCKER_CONFIG: plain, DOCKER_TLS_VERIFY: '0', DOCKER_CERT_PATH: certs },
    expected: {
      host: 'tcp://localhost:2376',
      context: 'default',
      source: 'default',
      tls: { verify: true, ca: join(certs, 'ca.pem'), cert: join(certs, 'cert.pem'), key: join(certs, 'key.pem') },
    },
  },
  {
    title: 'DOCKER_TLS: TLS without verification; missing client cert files are left out',
    env: { DOCKER_CONFIG: plain, DOCKER_TLS: '1', DOCKER_HOST: 'tcp://h:2376', DOCKER_CERT_PATH: caOnly },
    expected: { host: 'tcp://h:2376', context: 'default', source: 'DOCKER_HOST', tls: { verify: false } },
  },
  {
    title: 'TLS files default to DOCKER_CONFIG without DOCKER_CERT_PATH',
    globals: { tlsVerify: true, host: 'tcp://h:2376' },
    env: { DOCKER_CONFIG: caOnly },
    expected: { host: 'tcp://h:2376', context: 'default', source: '--host', tls: { verify: true, ca: join(caOnly, 'ca.pem') } },
  },
  {
    title: '--tls with --tlscacert/--tlscert/--tlskey',
    globals: { tls: true, tlsVerify: true, tlsCaCert: '/x/ca', tlsCert: '/x/cert', tlsKey: '/x/key', host: 'tcp://h:2376' },
    env: { DOCKER_CONFIG: plain },
    expected: {
      host: 'tcp://h:2376',
      context: 'default',
      source: '--host',
      tls: { verify: true, ca: '/x/ca', cert: '/x/cert', key: '/x/key' },
    },
  },
  {
    title: '--tls alone: no verification, so no CA',
    globals: { tls: true, host: 'tcp://h:2376', tlsCaCert: '/x/ca' },
    env: { DOCKER_CONFIG: plain, DOCKER_CERT_PATH: certs },
    expected: {
      host: 'tcp://h:2376',
      context: 'default',
      source: '--host',
      tls: { verify: false, cert: join(certs, 'cert.pem'), key: join(certs, 'key.pem') },
    },
  },
];

for (const c of cases) {
  test(`endpoint: ${c.title}`, (t) => {
    t.deepEqual(resolveEndpoint(g(c.globals), c.env), c.expected);
  });
}

test('an unknown context says so, wherever the name came from', (t) => {
  const flag = t.throws(() => resolveEndpoint(g({ context: 'nope' }), { DOCKER_CONFIG: plain }), { instanceOf: NotFoundError });
  t.is(flag.message, 'context "nope" does not exist: docker context ls lists them');
  const env = t.throws(() => resolveEndpoint(g(), { DOCKER_CONFIG: plain, DOCKER_CONTEXT: 'nope' }), { instanceOf: NotFoundError });
  t.regex(env.message, /context "nope" \(from DOCKER_CONTEXT\) does not exist/);
  const dir = makeConfigDir('dangling', { currentContext: 'gone' });
  const cfg = t.throws(() => resolveEndpoint(g(), { DOCKER_CONFIG: dir }), { instanceOf: NotFoundError });
  t.true(cfg.message.includes(`currentContext in ${join(dir, 'config.json')}`));
  t.false(cfg.message.includes('\n'));
});

test('a context without a Docker endpoint, and a garbled config.json', (t) => {
  t.throws(() => resolveEndpoint(g({ context: 'broken' }), { DOCKER_CONFIG: plain }), {
    instanceOf: NotFoundError,
    message: /no Docker endpoint/,
  });
  const dir = join(root, 'garbled');
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), '{not json');
  t.throws(() => resolveEndpoint(g(), { DOCKER_CONFIG: dir }), { instanceOf: ResourceError, message: /config\.json/ });
});

test('the context store is keyed by the sha256 of the name, in hex', (t) => {
  t.is(contextDirName('remote1'), 'e0de706a7deed95a1dbbd5165af012b68bed0d6d5b342ecee8522eaed74a2352');
});

const hosts: [string, boolean, string][] = [
  ['', false, 'unix:///var/run/docker.sock'],
  ['', true, 'tcp://localhost:2376'],
  ['unix://', false, 'unix:///var/run/docker.sock'],
  ['unix:///x.sock', false, 'unix:///x.sock'],
  ['1.2.3.4:5555', false, 'tcp://1.2.3.4:5555'],
  ['tcp://:2376', true, 'tcp://localhost:2376'],
  ['tcp://h', true, 'tcp://h:2375'],
  ['tcp://h:1/prefix', false, 'tcp://h:1/prefix'],
  ['ssh://me@h:2222', false, 'ssh://me@h:2222'],
];
for (const [value, tls, expected] of hosts) {
  test(`parseDockerHost(${JSON.stringify(value)}, tls=${tls})`, (t) => {
    t.is(parseDockerHost(value, tls), expected);
  });
}

test('hosts Docker refuses', (t) => {
  t.throws(() => parseDockerHost('http://h:1', false), { instanceOf: UsageError });
  t.throws(() => parseDockerHost('npipe:////./pipe/docker', false), { instanceOf: UsageError });
});

test('describeEndpoint names the endpoint and where it came from', (t) => {
  t.is(
    describeEndpoint({ host: 'unix:///var/run/docker.sock', context: 'default', source: 'default' }),
    'unix:///var/run/docker.sock (context "default")',
  );
  t.is(
    describeEndpoint({ host: 'unix:///x', context: 'default', source: 'DOCKER_HOST' }),
    'unix:///x (context "default", from DOCKER_HOST)',
  );
  t.is(describeEndpoint({ host: 'tcp://h:1', context: 'jtest', source: '--context' }), 'tcp://h:1 (context "jtest")');
});

test('isLocalEngine: unix sockets and loopback tcp only', (t) => {
  const e = (host: string): ResolvedEndpoint => ({ host, context: 'x', source: 'default' });
  t.true(isLocalEngine(e('unix:///var/run/docker.sock')));
  t.true(isLocalEngine(e('tcp://localhost:2375')));
  t.true(isLocalEngine(e('tcp://127.0.0.1:2375')));
  t.false(isLocalEngine(e('tcp://10.0.0.1:2375')));
  t.false(isLocalEngine(e('ssh://me@localhost')));
});

test('dockerode options: unix socket, plain tcp, TLS in an agent, ssh', (t) => {
  t.deepEqual(dockerOptions({ host: 'unix:///x.sock', context: 'd', source: 'default' }, {}), { socketPath: '/x.sock' });
  t.deepEqual(dockerOptions({ host: 'tcp://h:2375', context: 'd', source: 'default' }, {}), { protocol: 'http', host: 'h', port: '2375' });
  const tls = dockerOptions(
    {
      host: 'tcp://h:2376',
      context: 'd',
      source: 'default',
      tls: { verify: false, cert: join(certs, 'cert.pem'), key: join(certs, 'key.pem') },
    },
    {},
  );
  t.is(tls.protocol, 'https');
  const tlsAgent = tls.agent as HttpsAgent;
  t.is(tlsAgent.options.rejectUnauthorized, false);
  t.is(String(tlsAgent.options.cert), 'cert.pem');
  t.is(tlsAgent.options.ca, undefined);
  const verified = dockerOptions(
    { host: 'tcp://h:2376', context: 'd', source: 'default', tls: { verify: true, ca: join(certs, 'ca.pem') } },
    {},
  );
  const verifiedAgent = verified.agent as HttpsAgent;
  t.is(verifiedAgent.options.rejectUnauthorized, true);
  t.is(String(verifiedAgent.options.ca), 'ca.pem');
  // ssh: plain HTTP over ssh processes (ssh-agent.ts), at a placeholder host as docker/cli's.
  const ssh = dockerOptions({ host: 'ssh://me@builder:2222', context: 'd', source: 'default' }, {});
  t.like(ssh, { protocol: 'http', host: 'docker.example.com', port: 80 });
  t.true(ssh.agent instanceof HttpAgent);
  t.throws(() => dockerOptions({ host: 'ssh://me:pw@builder', context: 'd', source: 'default' }, {}), { instanceOf: UsageError });
});

test('a missing TLS file is one line naming it', (t) => {
  const err = t.throws(
    () =>
      dockerOptions({ host: 'tcp://h:2376', context: 'remote', source: '--context', tls: { verify: true, ca: '/nonexistent/ca.pem' } }, {}),
    { instanceOf: ResourceError },
  );
  t.regex(err.message, /^cannot read the TLS CA certificate \/nonexistent\/ca\.pem for tcp:\/\/h:2376 \(context "remote"\): /);
  t.false(err.message.includes('\n'));
});

test('config.json and context files of the wrong shape: one line naming the file and the member, never quoting it', (t) => {
  const dir = join(root, 'wrong-types');
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ currentContext: ['sock'], auths: { x: { auth: 'c2VjcmV0' } } }));
  const current = t.throws(() => resolveEndpoint(g(), { DOCKER_CONFIG: dir }), { instanceOf: ResourceError });
  t.is(
    current.message,
    `${join(dir, 'config.json')} is not a valid Docker config (currentContext: not a string but an array): fix or remove it`,
  );
  writeFileSync(join(dir, 'config.json'), '{"auths": {"x": {"auth": "c2VjcmV0"');
  const garbled = t.throws(() => resolveEndpoint(g(), { DOCKER_CONFIG: dir }), { instanceOf: ResourceError });
  t.false(garbled.message.includes('c2VjcmV0'));
  const meta = (ctx: string, body: unknown): void => {
    const m = join(dir, 'contexts/meta', contextDirName(ctx));
    mkdirSync(m, { recursive: true });
    writeFileSync(join(m, 'meta.json'), JSON.stringify(body));
  };
  meta('numeric', { Name: 'numeric', Endpoints: { docker: { Host: 2376 } } });
  meta('skip', { Name: 'skip', Endpoints: { docker: { Host: 'tcp://h:2376', SkipTLSVerify: 'yes' } } });
  meta('list', [{ Endpoints: {} }]);
  const problems: [string, string][] = [
    ['numeric', 'Endpoints.docker.Host: not a string but a number'],
    ['skip', 'Endpoints.docker.SkipTLSVerify: not true or false but a string'],
    ['list', 'not a JSON object but an array'],
  ];
  for (const [ctx, problem] of problems) {
    const err = t.throws(() => resolveEndpoint(g({ context: ctx }), { DOCKER_CONFIG: dir }), { instanceOf: ResourceError });
    t.is(err.message, `cannot read context "${ctx}" from ${join(dir, 'contexts/meta', contextDirName(ctx), 'meta.json')}: ${problem}`);
  }
  // null members are absent, as for the Docker CLI: a context whose docker endpoint is null has none.
  meta('nulls', { Name: 'nulls', Endpoints: { docker: null } });
  t.throws(() => resolveEndpoint(g({ context: 'nulls' }), { DOCKER_CONFIG: dir }), {
    instanceOf: NotFoundError,
    message: /no Docker endpoint/,
  });
});
