// The two remote endpoint kinds against a real engine: ssh:// (the real ssh binary, as the
// docker CLI uses it, to a throwaway sshd on a free loopback port whose sessions run
// `docker system dial-stdio` on this machine's engine) and tcp:// with TLS (a TLS-terminating forwarder in this process, requiring client
// certificates, in front of /var/run/docker.sock). Each is reached through DOCKER_HOST and
// through a context of the real docker CLI; the proof that the real engine answered is a
// registry container of our own in `info`, the same as over the default socket.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { e2e, freePort, startTestRegistry, type TestRegistry } from '../helpers/engine.ts';
import { docker, errorLine, jindr, makeDockerConfig, type RunResult, jsonLines } from '../helpers/run.ts';
import { makePki, type Pki } from '../fakes/pki.ts';
import { aliasHome, cleanEnv, defaultHome, keygen, startSshd, tempDir } from '../helpers/sshd.ts';

const ENGINE_SOCKET = '/var/run/docker.sock';

interface InfoRow {
  registry: string | null;
  container: string;
  id: string;
  image: string;
  running: boolean;
}

async function registry(t: ExecutionContext): Promise<TestRegistry> {
  // On a bridge: info names a registry by its container's published port.
  const r = await startTestRegistry({ network: 'bridge' });
  t.teardown(() => r.remove());
  return r;
}

function infoRows(t: ExecutionContext, result: RunResult, what: string): InfoRow[] {
  t.is(result.code, 0, `${what}: ${result.stderr}`);
  t.is(result.stderr, '', what);
  return jsonLines<InfoRow>(result.stdout);
}

/** `info` over `what` lists r's container exactly as `info` over the default socket does. */
async function assertSameEngine(t: ExecutionContext, r: TestRegistry, run: () => Promise<RunResult>, what: string): Promise<void> {
  const result = await run();
  const remote = infoRows(t, result, what).find((row) => row.container === r.name);
  const local = infoRows(t, await jindr(['--format', 'json', 'info'], { env: cleanEnv({}) }), 'default socket').find(
    (row) => row.container === r.name,
  );
  t.truthy(local, `${r.name} over the default socket`);
  t.truthy(remote, `${what} lists ${r.name}: ${result.stdout}`);
  t.deepEqual(
    remote && { id: remote.id, registry: remote.registry, image: remote.image, running: remote.running },
    local && { id: local.id, registry: local.registry, image: local.image, running: local.running },
    what,
  );
}

/** One line on stderr naming the endpoint, no stack trace, nothing on stdout, non-zero exit. */
function assertOneLineFailure(t: ExecutionContext, result: RunResult, endpoint: string | RegExp, what: string): void {
  const line = errorLine(t, result, undefined, what);
  if (typeof endpoint === 'string') t.true(line.includes(endpoint), `${what} names ${endpoint}: ${result.stderr}`);
  else t.regex(line, endpoint, what);
}

/** ssh's own last line, in one line naming the endpoint. */
function assertSshFailure(t: ExecutionContext, result: RunResult, endpoint: string, said: RegExp, what: string): void {
  assertOneLineFailure(t, result, endpoint, what);
  t.regex(result.stderr, said, what);
}

e2e('ssh://: DOCKER_HOST reaches the real engine through the ssh binary; host key and client key as ssh checks them', async (t) => {
  const sshd = await startSshd(t);
  const r = await registry(t);
  const host = `ssh://root@127.0.0.1:${sshd.port}`;
  const home = defaultHome(t, sshd, { DOCKER_HOST: host, DOCKER_CONFIG: tempDir(t, 'jindr-ssh-config-') });
  await assertSameEngine(t, r, () => jindr(['--format', 'json', 'info'], { env: home.env }), 'info over ssh');
  t.regex(sshd.log(), /Accepted publickey for root from 127\.0\.0\.1/, 'through our sshd');

  // A different key for this host and port, then none at all (ssh cannot ask: no terminal).
  const other = tempDir(t, 'jindr-ssh-other-');
  keygen(join(other, 'key'));
  const wrongLine = `[127.0.0.1]:${sshd.port} ${readFileSync(join(other, 'key.pub'), 'utf8').trim()}\n`;
  for (const [what, knownHosts] of [
    ['a different host key', wrongLine],
    ['no known host key', ''],
  ] as const) {
    home.write('known_hosts', knownHosts);
    const result = await jindr(['info'], { env: home.env });
    assertSshFailure(
      t,
      result,
      host,
      /: ssh 127\.0\.0\.1 failed: Host key verification failed\.: is the host key of 127\.0\.0\.1 in your known_hosts\?/,
      what,
    );
  }
  home.write('known_hosts', `${sshd.knownHostsLine}\n`);
  t.is((await jindr(['info'], { env: home.env })).code, 0, 'the right key again');

  // A client key sshd does not know.
  home.write('id_ed25519', readFileSync(join(other, 'key'), 'utf8'));
  const refused = await jindr(['info'], { env: home.env });
  assertSshFailure(
    t,
    refused,
    host,
    /: ssh 127\.0\.0\.1 failed: root@127\.0\.0\.1: Permission denied \(publickey\)\.: does ssh 127\.0\.0\.1 log in/,
    'an unknown client key',
  );
});

e2e('ssh://: a socket path in the URL is the engine socket on the host (docker --host), as the docker CLI has it', async (t) => {
  const sshd = await startSshd(t);
  const r = await registry(t);
  const config = tempDir(t, 'jindr-ssh-config-');
  const at = (path: string): NodeJS.ProcessEnv =>
    defaultHome(t, sshd, { DOCKER_HOST: `ssh://root@127.0.0.1:${sshd.port}${path}`, DOCKER_CONFIG: config }).env;
  await assertSameEngine(t, r, () => jindr(['--format', 'json', 'info'], { env: at(ENGINE_SOCKET) }), `info over ssh to ${ENGINE_SOCKET}`);
  // The docker CLI on the host says why, and that is the line.
  const missing = await jindr(['info'], { env: at('/nonexistent/docker.sock') });
  assertSshFailure(
    t,
    missing,
    `127.0.0.1:${sshd.port}/nonexistent/docker.sock`,
    /: ssh 127\.0\.0\.1 failed: .*\/nonexistent\/docker\.sock/,
    'a socket that is not there',
  );
});

e2e('ssh://: a context of the real docker CLI, through docker --context NAME jindr', async (t) => {
  const sshd = await startSshd(t);
  const r = await registry(t);
  const config = makeDockerConfig();
  t.teardown(config.cleanup);
  const { env } = defaultHome(t, sshd, { DOCKER_CONFIG: config.dir });
  const host = `ssh://root@127.0.0.1:${sshd.port}`;
  const created = await docker(['--config', config.dir, 'context', 'create', 'sshctx', '--docker', `host=${host}`], { env });
  t.is(created.code, 0, created.stderr);
  const viaContext = (): Promise<RunResult> =>
    docker(['--config', config.dir, '--context', 'sshctx', 'jindr', '--format', 'json', 'info'], { env });
  await assertSameEngine(t, r, viaContext, 'docker --context sshctx jindr info');
});

e2e(
  'ssh://ALIAS: a Host of ~/.ssh/config (HostName, Port, User, IdentityFile, UserKnownHostsFile) by DOCKER_HOST, and ProxyJump through it',
  async (t) => {
    const sshd = await startSshd(t);
    const r = await registry(t);
    const home = aliasHome(t, sshd, 'yes', { DOCKER_CONFIG: tempDir(t, 'jindr-ssh-config-') });
    writeFileSync(home.knownHosts, `${sshd.knownHostsLine}\n`);
    const env = (host: string): NodeJS.ProcessEnv => ({ ...home.env, DOCKER_HOST: host });
    await assertSameEngine(t, r, () => jindr(['--format', 'json', 'info'], { env: env('ssh://myalias') }), 'info over ssh://myalias');
    // ProxyJump: ssh to the host through myalias (a second ssh, which reads the same config).
    const accepted = (): number => sshd.log().match(/Accepted publickey for root/g)?.length ?? 0;
    const before = accepted();
    await assertSameEngine(t, r, () => jindr(['--format', 'json', 'info'], { env: env('ssh://jumped') }), 'info over ssh://jumped');
    t.true(accepted() >= before + 2, `a login for the jump and one for the host: ${sshd.log()}`);
  },
);

e2e(
  'ssh://ALIAS: a context of the real docker CLI whose host is a Host of ~/.ssh/config, through docker --context NAME jindr',
  async (t) => {
    const sshd = await startSshd(t);
    const r = await registry(t);
    const config = makeDockerConfig();
    t.teardown(config.cleanup);
    const home = aliasHome(t, sshd, 'yes', { DOCKER_CONFIG: config.dir });
    writeFileSync(home.knownHosts, `${sshd.knownHostsLine}\n`);
    const created = await docker(['--config', config.dir, 'context', 'create', 'aliasctx', '--docker', 'host=ssh://myalias'], {
      env: home.env,
    });
    t.is(created.code, 0, created.stderr);
    const viaContext = (): Promise<RunResult> =>
      docker(['--config', config.dir, '--context', 'aliasctx', 'jindr', '--format', 'json', 'info'], { env: home.env });
    await assertSameEngine(t, r, viaContext, 'docker --context aliasctx jindr info');
  },
);

e2e(
  "ssh://ALIAS: an unknown host key fails in one line, as StrictHostKeyChecking in the user's config says; accept-new takes it",
  async (t) => {
    const sshd = await startSshd(t);
    const r = await registry(t);
    const config = tempDir(t, 'jindr-ssh-config-');
    const strict = aliasHome(t, sshd, 'yes', { DOCKER_HOST: 'ssh://myalias', DOCKER_CONFIG: config });
    const refused = await jindr(['info'], { env: strict.env });
    assertSshFailure(
      t,
      refused,
      'ssh://myalias',
      /: ssh myalias failed: Host key verification failed\.: is the host key of myalias in your known_hosts\?/,
      'StrictHostKeyChecking yes',
    );
    t.false(
      existsSync(strict.knownHosts) && readFileSync(strict.knownHosts, 'utf8').includes(sshd.knownHostsLine.split(' ')[2]!),
      'no key was added',
    );

    const acceptNew = aliasHome(t, sshd, 'accept-new', { DOCKER_HOST: 'ssh://myalias', DOCKER_CONFIG: config });
    await assertSameEngine(
      t,
      r,
      () => jindr(['--format', 'json', 'info'], { env: acceptNew.env }),
      'info with StrictHostKeyChecking accept-new',
    );
    t.true(readFileSync(acceptNew.knownHosts, 'utf8').includes(sshd.knownHostsLine.split(' ')[2]!), 'ssh added the host key');
  },
);

interface Forwarder {
  port: number;
  host: string;
  pki: Pki;
  /** A DOCKER_CERT_PATH: ca.pem, cert.pem, key.pem */
  certPath: string;
}

/** A TLS server on a free loopback port that wants a client certificate from pki's CA and pipes to the engine's socket. */
async function startTlsForwarder(t: ExecutionContext): Promise<Forwarder> {
  const pki = makePki();
  t.teardown(pki.cleanup);
  const server = pki.server();
  const client = pki.client();
  const sockets = new Set<Socket>();
  const tlsServer: TlsServer = createTlsServer(
    {
      cert: server.cert,
      key: server.key,
      ca: pki.ca.cert,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (socket) => {
      const engine = connect(ENGINE_SOCKET);
      for (const s of [socket, engine]) {
        sockets.add(s);
        s.on('error', () => {
          socket.destroy();
          engine.destroy();
        });
        s.on('close', () => sockets.delete(s));
      }
      socket.pipe(engine).pipe(socket);
    },
  );
  tlsServer.on('tlsClientError', () => {}); // the refusals the tests provoke
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    tlsServer.once('error', reject);
    tlsServer.listen(port, '127.0.0.1', resolve);
  });
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        tlsServer.close(() => resolve());
      }),
  );
  const certPath = join(pki.dir, 'docker');
  mkdirSync(certPath);
  writeFileSync(join(certPath, 'ca.pem'), pki.ca.cert);
  writeFileSync(join(certPath, 'cert.pem'), client.cert);
  writeFileSync(join(certPath, 'key.pem'), client.key);
  return { port, host: `tcp://127.0.0.1:${port}`, pki, certPath };
}

e2e('tcp:// with TLS: DOCKER_TLS_VERIFY and DOCKER_CERT_PATH reach the real engine, as the docker CLI does', async (t) => {
  const fwd = await startTlsForwarder(t);
  const r = await registry(t);
  const config = tempDir(t, 'jindr-tls-config-');
  const env = cleanEnv({ DOCKER_HOST: fwd.host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: fwd.certPath, DOCKER_CONFIG: config });
  // The docker CLI with the same settings: the forwarder is right.
  const cli = await docker(['ps', '-a', '--filter', `name=^${r.name}$`, '--format', '{{.Names}}'], { env });
  t.is(cli.code, 0, cli.stderr);
  t.is(cli.stdout.trim(), r.name);
  await assertSameEngine(t, r, () => jindr(['--format', 'json', 'info'], { env }), 'info over tcp+TLS');
});

e2e('tcp:// with TLS: a context with ca, cert and key (contexts/tls/), through docker --context NAME jindr', async (t) => {
  const fwd = await startTlsForwarder(t);
  const r = await registry(t);
  const config = makeDockerConfig();
  t.teardown(config.cleanup);
  const env = cleanEnv({ DOCKER_CONFIG: config.dir });
  const files = `ca=${join(fwd.certPath, 'ca.pem')},cert=${join(fwd.certPath, 'cert.pem')},key=${join(fwd.certPath, 'key.pem')}`;
  const created = await docker(['--config', config.dir, 'context', 'create', 'tlsctx', '--docker', `host=${fwd.host},${files}`], { env });
  t.is(created.code, 0, created.stderr);
  // The context keeps copies: the originals going away must not matter.
  const cli = await docker(
    ['--config', config.dir, '--context', 'tlsctx', 'ps', '-a', '--filter', `name=^${r.name}$`, '--format', '{{.Names}}'],
    { env },
  );
  t.is(cli.code, 0, cli.stderr);
  t.is(cli.stdout.trim(), r.name);
  rmSync(fwd.certPath, { recursive: true });
  const viaContext = (): Promise<RunResult> =>
    docker(['--config', config.dir, '--context', 'tlsctx', 'jindr', '--format', 'json', 'info'], { env });
  await assertSameEngine(t, r, viaContext, 'docker --context tlsctx jindr info');
});

e2e('tcp:// with TLS: no client certificate, one of another CA, or another CA for the engine: one line naming the endpoint', async (t) => {
  const fwd = await startTlsForwarder(t);
  const config = tempDir(t, 'jindr-tls-bad-config-');
  const otherPki = makePki();
  t.teardown(otherPki.cleanup);
  const otherClient = otherPki.client();
  const pem = (file: string): string => readFileSync(join(fwd.certPath, file), 'utf8');
  const certDir = (name: string, files: Record<string, string>): string => {
    const dir = join(fwd.pki.dir, name);
    mkdirSync(dir);
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
    return dir;
  };
  const cases: [string, string, RegExp][] = [
    ['no client certificate', certDir('no-cert', { 'ca.pem': pem('ca.pem') }), /: we sent no client certificate: /],
    // Node's TLS server drops a client certificate it does not trust without an alert (Go's
    // answers "bad certificate", which gets the hint): all we can see here is a hang-up.
    [
      'a client certificate of another CA',
      certDir('other-client', { 'ca.pem': pem('ca.pem'), 'cert.pem': otherClient.cert, 'key.pem': otherClient.key }),
      /^docker-jindr: cannot reach the Docker engine at /,
    ],
    [
      'another CA for the engine',
      certDir('other-ca', { 'ca.pem': otherPki.ca.cert, 'cert.pem': pem('cert.pem'), 'key.pem': pem('key.pem') }),
      /: its TLS certificate is not trusted \(.*\): is \/.*other-ca\/ca\.pem the CA that signed it\?$/m,
    ],
  ];
  for (const [what, certPath, message] of cases) {
    const env = cleanEnv({ DOCKER_HOST: fwd.host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certPath, DOCKER_CONFIG: config });
    // The docker CLI is refused too: the failure is the setting, not the forwarder.
    t.not((await docker(['version', '--format', '{{.Server.Version}}'], { env })).code, 0, `docker CLI, ${what}`);
    const result = await jindr(['info'], { env });
    assertOneLineFailure(t, result, fwd.host, what);
    t.regex(result.stderr, message, what);
  }
});
