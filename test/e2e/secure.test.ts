// A registry others may use, the executable run with the plugin's temporary DOCKER_CONFIG
// (docker login, push and pull through the real docker CLI): start --auth --tls (passwords on stdin), anonymous requests refused, docker
// login/push/pull, every jindr command with the stored login, info/stat, the certificate
// kept across restarts, wrong passwords, passwords never shown; --bind on another loopback
// address; --bind 0.0.0.0 without --auth refused. For registry:3 and registry:2.
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { e2e, freePort, registryImages, startTestRegistry, tryConnect } from '../helpers/engine.ts';
import { docker, dockerOk, makeDockerConfig, run, tinyImage, type RunResult, jsonLines, jindr as jindrAlone } from '../helpers/run.ts';
import { connectEngine } from '../../src/engine/engine.ts';
import { inspectRegistryContainer } from '../../src/server/container.ts';
import { helperContainerOptions } from '../../src/gc/helper-mounts.ts';
import { execIn } from '../../src/server/container-exec.ts';
import { readAtConfiguredRoot } from '../../src/storage/storage-root.ts';

interface Setup {
  port: number;
  host: string;
  container: string;
  data: string;
  root: string;
  env: NodeJS.ProcessEnv;
  /** Everything jindr printed in this test, to look for passwords in. */
  printed: string[];
  jindr(args: string[], input?: string): Promise<RunResult>;
}

const certsD = '/etc/docker/certs.d';

/** A free port, temp data dir and DOCKER_CONFIG; removes containers, dirs and the certs.d entries afterwards. */
async function setup(t: ExecutionContext, hostIp = 'localhost'): Promise<Setup> {
  const port = await freePort();
  const host = `${hostIp}:${port}`;
  const root = mkdtempSync(join(tmpdir(), 'jindr-secure-'));
  const cfg = makeDockerConfig();
  // The plugin's secrets (the CA's key) in the test's own directory.
  cfg.env.XDG_CONFIG_HOME = join(root, 'xdg');
  const container = `jindr-${port}`;
  const printed: string[] = [];
  t.teardown(async () => {
    const ids = new Set<string>();
    for (const filter of [`label=jindr.registry=${host}`, `name=^${container}$`]) {
      for (const id of (await docker(['ps', '-aq', '--filter', filter])).stdout.split('\n')) if (id) ids.add(id);
    }
    if (ids.size > 0) await docker(['rm', '-f', '-v', ...ids]);
    rmSync(join(certsD, host), { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
    cfg.cleanup();
  });
  return {
    port,
    host,
    container,
    root,
    data: join(root, 'data'),
    env: cfg.env,
    printed,
    jindr: async (args, input) => {
      const r = await jindrAlone(args, { env: cfg.env, input });
      printed.push(r.stdout, r.stderr);
      return r;
    },
  };
}

function ok(t: ExecutionContext, r: RunResult, what: string): void {
  t.is(r.code, 0, `${what} failed: ${r.stderr}`);
}

const lines = (r: RunResult): string[] => r.stderr.trim().split('\n');

/** Status of GET /v2/ over HTTPS, verified with ca, with a Basic login or none. */
function httpsStatus(port: number, ca: string, login?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = login ? { authorization: `Basic ${Buffer.from(login).toString('base64')}` } : {};
    const req = httpsRequest({ host: '127.0.0.1', servername: 'localhost', port, path: '/v2/', ca, headers, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** What plain HTTP gets from the port: a TLS registry answers 400. */
function httpStatus(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/v2/', timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The fingerprint of the certificate the registry serves. */
function servedFingerprint(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca }, () => {
      resolve(socket.getPeerX509Certificate()?.fingerprint256 ?? '');
      socket.end();
    });
    socket.on('error', reject);
  });
}

/** The CA's key of the registry in s.data: in the secrets directory (XDG_CONFIG_HOME/docker-jindr/ca/data-HASH). */
function caKeyOf(s: Setup): string {
  const dir = join(s.root, 'xdg', 'docker-jindr', 'ca');
  const found = readdirSync(dir).filter((d) => d.startsWith('data-'));
  if (found.length !== 1) throw new Error(`one key directory expected in ${dir}: ${found.join(', ')}`);
  return join(dir, found[0]!, 'ca.key');
}

const fileFingerprint = (file: string): string => new X509Certificate(readFileSync(file, 'utf8')).fingerprint256;

/** A DOCKER_CONFIG with the plugin and a stored login (auths, as docker login writes it). */
function configWithLogin(t: ExecutionContext, host: string, login: string | undefined): NodeJS.ProcessEnv {
  const cfg = makeDockerConfig();
  t.teardown(() => cfg.cleanup());
  if (login)
    writeFileSync(join(cfg.dir, 'config.json'), JSON.stringify({ auths: { [host]: { auth: Buffer.from(login).toString('base64') } } }));
  return cfg.env;
}

for (const image of registryImages) {
  e2e(
    `${image}: start --auth --tls; login, push, pull and every command with the stored login; restart keeps the certificate`,
    async (t) => {
      const s = await setup(t);
      const up = await s.jindr(
        ['start', '-r', s.host, '-d', s.data, '--image', image, '--auth', 'alice', '--auth', 'bob', '--password-stdin', '--tls'],
        'pw-Alice-1\npw-Bob-1\n',
      );
      ok(t, up, 'start');
      t.is(
        up.stdout.trim(),
        `registry created and started as ${s.container} on ${s.host} (${image}, data in ${s.data}, htpasswd auth, TLS)`,
      );
      t.regex(up.stderr, /registry users added: alice, bob/);
      t.regex(up.stderr, new RegExp(`trust the registry's CA: ${certsD}/${s.host}/ca\\.crt`));

      // The files: bcrypt htpasswd (Apache's htpasswd agrees), the CA where Docker looks.
      const htpasswd = join(s.data, 'auth/htpasswd');
      t.is(statSync(htpasswd).mode & 0o777, 0o600);
      t.is(spawnSync('htpasswd', ['-vb', htpasswd, 'alice', 'pw-Alice-1']).status, 0);
      t.is(spawnSync('htpasswd', ['-vb', htpasswd, 'bob', 'pw-Bob-1']).status, 0);
      const ca = readFileSync(join(s.data, 'tls/ca.crt'), 'utf8');
      t.is(readFileSync(join(certsD, s.host, 'ca.crt'), 'utf8'), ca);
      // The CA's key, which no container needs, is not in the data directory (the registry's storage).
      t.false(existsSync(join(s.data, 'tls/ca.key')));
      t.is(statSync(caKeyOf(s)).mode & 0o777, 0o600);
      t.is(statSync(join(s.root, 'xdg', 'docker-jindr')).mode & 0o777, 0o700);
      t.is((await docker(['exec', s.container, 'cat', caKeyOf(s)])).code, 1, 'the registry container cannot read it');
      const env = await dockerOk(['inspect', '--format', '{{json .Config.Env}}', s.container]);
      for (const want of [
        'REGISTRY_AUTH=htpasswd',
        'REGISTRY_AUTH_HTPASSWD_PATH=/var/lib/registry/auth/htpasswd',
        'REGISTRY_HTTP_TLS_CERTIFICATE=/var/lib/registry/tls/server.crt',
      ]) {
        t.true(env.includes(want), want);
      }
      t.is((await dockerOk(['port', s.container])).trim(), `5000/tcp -> 127.0.0.1:${s.port}`);

      // Anonymous: 401 over verified TLS; plain HTTP is not served.
      t.is(await httpsStatus(s.port, ca), 401);
      t.is(await httpsStatus(s.port, ca, 'alice:pw-Alice-1'), 200);
      t.is(await httpStatus(s.port), 400);
      const anonymous = await run('docker', ['jindr', 'ls', '-r', s.host], { env: configWithLogin(t, s.host, undefined) });
      t.not(anonymous.code, 0);
      t.deepEqual(lines(anonymous), [`docker-jindr: ${s.host} refused the request (401); log in first: docker login ${s.host}`]);

      // docker login, push, pull.
      await dockerOk(['login', s.host, '-u', 'alice', '--password-stdin'], { env: s.env, input: 'pw-Alice-1' });
      const ref = await tinyImage(t, s.host);
      await dockerOk(['push', ref], { env: s.env });
      await dockerOk(['rmi', ref]);
      await dockerOk(['pull', ref], { env: s.env });

      // Every command with the stored login.
      const ls = await s.jindr(['ls', '-r', s.host]);
      ok(t, ls, 'ls');
      t.regex(ls.stdout, new RegExp(`${s.host}/jtest/tiny`));
      const lsi = await s.jindr(['lsi', '-r', s.host, '--format', 'json']);
      ok(t, lsi, 'lsi');
      t.true(lsi.stdout.includes('jtest/tiny'));
      const inspect = await s.jindr(['inspect', '-r', s.host, 'jtest/tiny:1']);
      ok(t, inspect, 'inspect');
      t.regex(inspect.stdout, /sha256:[0-9a-f]{64}/);

      const plain = await startTestRegistry({ image });
      t.teardown(() => plain.remove());
      ok(t, await s.jindr(['cp', '-r', s.host, '-q', 'jtest/tiny:1', plain.host]), 'cp to a plain registry');
      const there = await s.jindr(['ls', '-r', plain.host]);
      t.regex(there.stdout, /jtest\/tiny/);
      ok(t, await s.jindr(['cp', '-r', s.host, '-q', 'jtest/tiny:1', '--to', `${s.host}/jtest/copy:2`]), 'cp within');
      const rmi = await s.jindr(['rmi', '-r', s.host, 'jtest/copy:2']);
      ok(t, rmi, 'rmi');
      const gc = await s.jindr(['gc', '-r', s.host, '--grace', '0', '--format', 'json']);
      ok(t, gc, 'gc');
      t.deepEqual((JSON.parse(gc.stdout) as { repositories: string[] }).repositories, ['jtest/copy']);
      t.is(await httpsStatus(s.port, ca), 401, 'after gc the registry still asks for a login');
      ok(t, await s.jindr(['ls', '-r', s.host]), 'ls after gc');

      // info and stat say auth and TLS.
      const info = await s.jindr(['info', '--format', 'json']);
      ok(t, info, 'info');
      const row = jsonLines<{ container: string }>(info.stdout).find((r) => r.container === s.container);
      t.like(row, { registry: s.host, auth: true, authMethod: 'htpasswd', tls: true });
      const table = await s.jindr(['info']);
      t.regex(table.stdout, /^REGISTRY\s+CONTAINER\s+STATUS\s+SECURITY\s+STORAGE AREA/);
      t.regex(table.stdout, new RegExp(`${s.host}\\s+${s.container}\\s+Up .*\\s+htpasswd \\+ TLS\\s+${s.data}`));
      const stat = await s.jindr(['stat', '-r', s.host]);
      t.is(stat.stdout.trim(), `${s.host}: running as ${s.container} (${image}, data in ${s.data}, htpasswd + TLS)`);

      // The certificate survives restart, stop and start; the users too.
      const certificate = join(s.data, 'tls/server.crt');
      const before = fileFingerprint(certificate);
      t.is(await servedFingerprint(s.port, ca), before);
      ok(t, await s.jindr(['restart', '-r', s.host]), 'restart');
      ok(t, await s.jindr(['stop', '-r', s.host, '-G']), 'stop');
      const again = await s.jindr(['start', '-r', s.host]);
      ok(t, again, 'start again');
      t.is(again.stdout.trim(), `registry started as ${s.container} on ${s.host} (${image}, data in ${s.data}, htpasswd auth, TLS)`);
      t.is(fileFingerprint(certificate), before);
      t.is(await servedFingerprint(s.port, ca), before);
      t.is(await httpsStatus(s.port, ca), 401);
      ok(t, await s.jindr(['ls', '-r', s.host]), 'ls after stop and start');

      // A wrong password: one line naming the registry, suggesting docker login.
      const wrong = await run('docker', ['jindr', 'lsi', '-r', s.host], { env: configWithLogin(t, s.host, 'alice:not-her-password') });
      t.not(wrong.code, 0);
      t.deepEqual(lines(wrong), [`docker-jindr: ${s.host} refused the request (401); check your credentials: docker login ${s.host}`]);

      // start --auth for an existing user changes the password, at once, for a running registry.
      const change = await s.jindr(['start', '-r', s.host, '--auth', 'alice', '--password-stdin'], 'pw-Alice-2\n');
      ok(t, change, 'change a password');
      t.regex(change.stderr, /password changed for alice \(in effect now\)/);
      t.is(await httpsStatus(s.port, ca, 'alice:pw-Alice-2'), 200);
      t.is(await httpsStatus(s.port, ca, 'alice:pw-Alice-1'), 401);
      t.is(await httpsStatus(s.port, ca, 'bob:pw-Bob-1'), 200, 'other users stay');

      await dockerOk(['login', s.host, '-u', 'alice', '--password-stdin'], { env: s.env, input: 'pw-Alice-2' });
      ok(t, await s.jindr(['-D', 'lsi', '-r', s.host]), 'lsi --debug with the new password');
      const everything = s.printed.join('\n');
      for (const secret of ['pw-Alice-1', 'pw-Alice-2', 'pw-Bob-1', Buffer.from('alice:pw-Alice-1').toString('base64')]) {
        t.false(everything.includes(secret), `${secret} was printed`);
      }
    },
  );
}

/**
 * Which files in a container's filesystem (all but /proc, /sys, /dev) hold any of needles:
 * a plain search, so it finds a secret under whatever path a mount put it.
 */
async function filesHolding(container: string, needles: readonly string[]): Promise<string[]> {
  const script =
    'for d in /*; do case "$d" in /proc|/sys|/dev) continue ;; esac; for n in "$@"; do busybox grep -rlF -e "$n" "$d"; done; done; true';
  const found = await dockerOk(['exec', container, 'sh', '-c', script, 'sh', ...needles]);
  return [...new Set(found.split('\n').filter(Boolean))].sort();
}

/** The host paths a container mounts that hold path (the path itself or a directory above it). */
async function mountsHolding(container: string, path: string): Promise<string[]> {
  const mounts = JSON.parse(await dockerOk(['inspect', '-f', '{{json .Mounts}}', container])) as { Source: string }[];
  return mounts.map((m) => m.Source).filter((source) => source && (path === source || path.startsWith(`${source.replace(/\/$/, '')}/`)));
}

e2e(
  "the secured registry's htpasswd and TLS key are seen by the registry only: not by gc's helper (made as gc makes it), not by a mirror on the same data directory, nor its helper; gc still collects and the registry serves after",
  async (t) => {
    const s = await setup(t);
    ok(
      t,
      await s.jindr(['start', '-r', s.host, '-d', s.data, '--auth', 'alice', '--password-stdin', '--tls'], 'pw-Alice-1\n'),
      'start --auth --tls',
    );
    const htpasswd = join(s.data, 'auth/htpasswd');
    const key = join(s.data, 'tls/server.key');
    const secretsBefore = [readFileSync(htpasswd, 'utf8'), readFileSync(key, 'utf8')];
    // What to look for: alice's bcrypt hash, and a line from the middle of the key.
    const hash = secretsBefore[0]!
      .split('\n')
      .find((l) => l.startsWith('alice:'))!
      .slice('alice:'.length);
    const keyLines = secretsBefore[1]!.trim().split('\n');
    const needles = [hash, keyLines[Math.floor(keyLines.length / 2)]!];
    t.true(hash.startsWith('$2') && needles[1]!.length >= 40, 'the needles are the secrets');
    const ca = readFileSync(join(s.data, 'tls/ca.crt'), 'utf8');

    // Two images; one is removed (its own layer and config are garbage).
    await dockerOk(['login', s.host, '-u', 'alice', '--password-stdin'], { env: s.env, input: 'pw-Alice-1' });
    const kept = await tinyImage(t, s.host);
    await dockerOk(['push', kept], { env: s.env });
    const keptDigest = JSON.parse((await s.jindr(['inspect', '-r', s.host, 'jtest/tiny:1', '--format', 'json'])).stdout || '{}') as unknown;
    await tinyImage(t, s.host); // other content under the same local name
    const gone = `${s.host}/jtest/gone:1`;
    await dockerOk(['tag', kept, gone]);
    t.teardown(async () => {
      await docker(['rmi', '-f', gone]);
    });
    await dockerOk(['push', gone], { env: s.env });
    ok(t, await s.jindr(['rmi', '-r', s.host, 'jtest/gone:1']), 'rmi');

    // The registry container sees both files (the search can find them)...
    t.deepEqual(await filesHolding(s.container, needles), ['/var/lib/registry/auth/htpasswd', '/var/lib/registry/tls/server.key']);

    // ...gc's helper, made as gc makes it for this registry, sees the storage and neither file.
    const engine = await connectEngine({ debug: false, tls: false, tlsVerify: false }, s.env, new AbortController().signal);
    const registry = await inspectRegistryContainer(engine.docker, { id: s.container, name: s.container });
    const { root } = await readAtConfiguredRoot(
      execIn(engine.docker, registry),
      registry.configPath,
      registry.details.Config.Env ?? [],
      async () => undefined,
    );
    t.is(root, '/var/lib/registry');
    const helper = await engine.docker.createContainer(helperContainerOptions(registry, `${s.container}-gc-test`, root));
    t.teardown(() => helper.remove({ force: true }).catch(() => {}));
    await helper.start();
    t.is((await docker(['exec', helper.id, 'cat', '/var/lib/registry/auth/htpasswd'])).code, 1, 'cat htpasswd in the helper');
    t.is((await docker(['exec', helper.id, 'cat', '/var/lib/registry/tls/server.key'])).code, 1, 'cat the key in the helper');
    t.is((await dockerOk(['exec', helper.id, 'ls', '-A', '/var/lib/registry'])).trim(), 'docker', 'only the storage tree');
    t.regex(
      await dockerOk(['exec', helper.id, 'ls', '/var/lib/registry/docker/registry/v2/repositories/jtest']),
      /tiny/,
      'the helper sees the storage',
    );
    t.deepEqual(await filesHolding(helper.id, needles), []);
    for (const file of [htpasswd, key]) t.deepEqual(await mountsHolding(helper.id, file), [], `a mount of the helper holds ${file}`);
    await helper.remove({ force: true });

    // A mirror started on the same data directory, and its gc helper, see neither.
    // (Its upstream: a plain registry, by its address on the default bridge.)
    const upstream = await startTestRegistry({ image: 'registry:3', network: 'bridge' });
    const upstreamUrl = `http://${(await dockerOk(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', upstream.name])).trim()}:5000`;
    const mirrorIds = async (): Promise<string[]> =>
      (await docker(['ps', '-aq', '--filter', `label=jindr.mirror=${upstreamUrl}`])).stdout.split('\n').filter(Boolean);
    t.teardown(async () => {
      const ids = await mirrorIds();
      if (ids.length > 0) await docker(['rm', '-f', '-v', ...ids]);
      await upstream.remove();
    });
    ok(t, await s.jindr(['-r', `localhost:${await freePort()}`, 'mirror', 'start', upstreamUrl, '-d', s.data]), 'mirror start');
    const mirrorName = (await mirrorIds())[0]!;
    const mirror = await inspectRegistryContainer(engine.docker, { id: mirrorName, name: mirrorName });
    const mirrorData = mirror.storage.kind === 'bind' ? mirror.storage.path : '';
    t.true(
      mirrorData.startsWith(join(s.data, 'mirrors') + '/') && mirrorData.endsWith('/data'),
      `the mirror lives in the same data directory: ${mirrorData}`,
    );
    const mirrorHelper = await engine.docker.createContainer(helperContainerOptions(mirror, `${mirrorName}-gc-test`, '/var/lib/registry'));
    t.teardown(() => mirrorHelper.remove({ force: true }).catch(() => {}));
    await mirrorHelper.start();
    for (const c of [mirrorName, mirrorHelper.id]) {
      t.deepEqual(await filesHolding(c, needles), [], c);
      for (const file of [htpasswd, key]) t.deepEqual(await mountsHolding(c, file), [], `a mount of ${c} holds ${file}`);
    }
    await mirrorHelper.remove({ force: true });

    // A real gc: the removed image's blobs go, the registry is started again and serves as before.
    const gc = await s.jindr(['gc', '-r', s.host, '--grace', '0', '--format', 'json']);
    ok(t, gc, 'gc');
    const report = JSON.parse(gc.stdout) as { repositories: string[]; blobs: number; bytesFreed: number };
    t.deepEqual(report.repositories, ['jtest/gone']);
    t.true(report.blobs >= 2 && report.bytesFreed > 0, gc.stdout);
    t.is((await docker(['ps', '-aq', '--filter', `label=jindr.gc-for=${s.container}`])).stdout.trim(), '', 'no helper left');
    t.is(await httpsStatus(s.port, ca), 401, 'still asks for a login');
    t.is(await httpsStatus(s.port, ca, 'alice:pw-Alice-1'), 200, 'the login works');
    t.deepEqual(
      JSON.parse((await s.jindr(['inspect', '-r', s.host, 'jtest/tiny:1', '--format', 'json'])).stdout || '{}'),
      keptDigest,
      'the kept image is whole',
    );
    await dockerOk(['rmi', kept]);
    await dockerOk(['pull', kept], { env: s.env });
    t.deepEqual([readFileSync(htpasswd, 'utf8'), readFileSync(key, 'utf8')], secretsBefore, 'the files are as they were');
  },
);

e2e('a certificate near its end, or without a name asked for, is made again by the same CA (restart, start --san)', async (t) => {
  const s = await setup(t);
  ok(t, await s.jindr(['start', '-r', s.host, '-d', s.data, '--tls']), 'start --tls');
  const { makeServerCertificate } = await import('../../src/security/x509.ts');
  const tls = join(s.data, 'tls');
  const ca = { cert: readFileSync(join(tls, 'ca.crt'), 'utf8'), key: readFileSync(caKeyOf(s), 'utf8') };
  // Ten days left: due for renewal.
  const ending = makeServerCertificate({ ca, names: ['localhost', '127.0.0.1', '::1'], days: 10 });
  writeFileSync(join(tls, 'server.crt'), ending.cert);
  writeFileSync(join(tls, 'server.key'), ending.key);
  const restart = await s.jindr(['restart', '-r', s.host]);
  ok(t, restart, 'restart');
  t.regex(restart.stderr, /made the registry's certificate again \(the previous one: it expires on \d{4}-\d\d-\d\d\)/);
  const renewed = fileFingerprint(join(tls, 'server.crt'));
  t.not(renewed, new X509Certificate(ending.cert).fingerprint256);
  t.is(await servedFingerprint(s.port, ca.cert), renewed);
  t.true(new X509Certificate(readFileSync(join(tls, 'server.crt'), 'utf8')).validToDate.getTime() > Date.now() + 300 * 24 * 3600 * 1000);
  t.is(readFileSync(join(tls, 'ca.crt'), 'utf8'), ca.cert, 'the same CA');

  ok(t, await s.jindr(['stop', '-r', s.host, '-G']), 'stop');
  const san = await s.jindr(['start', '-r', s.host, '--san', 'registry.example.test', '--san', '192.0.2.7']);
  ok(t, san, 'start --san');
  t.regex(san.stderr, /made the registry's certificate again \(the previous one: it does not name registry\.example\.test, 192\.0\.2\.7\)/);
  const cert = new X509Certificate(readFileSync(join(tls, 'server.crt'), 'utf8'));
  t.truthy(cert.checkHost('registry.example.test'));
  t.truthy(cert.checkIP('192.0.2.7'));
  t.truthy(cert.checkHost('localhost'));
  t.is(await servedFingerprint(s.port, ca.cert), cert.fingerprint256);
});

e2e("--cert/--key: one's own certificate is served and its root trusted; a key of another certificate is refused", async (t) => {
  const s = await setup(t);
  const { makePki } = await import('../fakes/pki.ts');
  const pki = makePki();
  t.teardown(() => pki.cleanup());
  const server = pki.server('own');
  const chain = join(s.root, 'chain.pem');
  writeFileSync(chain, server.cert + pki.ca.cert);
  const other = pki.server('other');

  const refused = await s.jindr(['start', '-r', s.host, '-d', s.data, '--cert', chain, '--key', other.keyFile]);
  t.is(refused.code, 2);
  t.deepEqual(lines(refused), [`docker-jindr: --key ${other.keyFile} is not the key of the certificate in --cert ${chain}`]);
  t.false(existsSync(s.data), 'nothing created');

  const up = await s.jindr(['start', '-r', s.host, '-d', s.data, '--cert', chain, '--key', server.keyFile]);
  ok(t, up, 'start --cert --key');
  t.regex(up.stdout, /, TLS\)$/m);
  t.is(await servedFingerprint(s.port, pki.ca.cert), new X509Certificate(server.cert).fingerprint256);
  t.is(readFileSync(join(certsD, s.host, 'ca.crt'), 'utf8'), pki.ca.cert.endsWith('\n') ? pki.ca.cert : `${pki.ca.cert}\n`);
  const ls = await s.jindr(['ls', '-r', s.host]);
  ok(t, ls, 'ls over TLS verified with the own root');
});

e2e('--bind 127.0.0.2: published there and not on 127.0.0.1; -r must name it', async (t) => {
  const s = await setup(t, '127.0.0.2');
  const mismatch = await s.jindr(['start', '-r', `localhost:${s.port}`, '-d', s.data, '--bind', '127.0.0.2']);
  t.is(mismatch.code, 2);
  t.deepEqual(lines(mismatch), [
    `docker-jindr: --bind 127.0.0.2 does not serve -r localhost:${s.port}: name the registry by that address (-r 127.0.0.2:${s.port})`,
  ]);

  const up = await s.jindr(['start', '-r', s.host, '-d', s.data, '--bind', '127.0.0.2']);
  ok(t, up, 'start --bind 127.0.0.2');
  t.is(up.stdout.trim(), `registry created and started as ${s.container} on ${s.host} (registry:3, data in ${s.data})`);
  t.is((await dockerOk(['port', s.container])).trim(), `5000/tcp -> 127.0.0.2:${s.port}`);
  t.is(await tryConnect('127.0.0.2', s.port), 'connected');
  t.is(await tryConnect('127.0.0.1', s.port), 'ECONNREFUSED');
  ok(t, await s.jindr(['ls', '-r', s.host]), 'ls');
  const stat = await s.jindr(['stat', '-r', s.host]);
  t.is(stat.code, 0);
  t.is((await s.jindr(['stat', '-r', `localhost:${s.port}`])).code, 1, 'not on localhost');
});

e2e('--bind 0.0.0.0 without --auth is refused with one line, and nothing is created', async (t) => {
  const s = await setup(t);
  for (const extra of [[], ['--tls']]) {
    const r = await s.jindr(['start', '-r', s.host, '-d', s.data, '--bind', '0.0.0.0', ...extra]);
    t.is(r.code, 1);
    t.deepEqual(lines(r), [
      'docker-jindr: --bind 0.0.0.0 makes the registry reachable from other machines, and it has no authentication: add --auth USER (and --tls), or --insecure-expose to do it anyway',
    ]);
    t.is(r.stdout, '');
  }
  t.is((await docker(['ps', '-aq', '--filter', `name=^${s.container}$`])).stdout.trim(), '');
  t.false(existsSync(s.data));
  t.false(existsSync(join(certsD, s.host)));
  const lone = await s.jindr(['start', '-r', s.host, '-d', s.data, '--insecure-expose']);
  t.is(lone.code, 2);
  t.deepEqual(lines(lone), ['docker-jindr: --insecure-expose goes with --bind ADDR']);
});

e2e('passwords: never on the command line; no terminal without --password-stdin is one line; nothing created', async (t) => {
  const s = await setup(t);
  const noTty = await s.jindr(['start', '-r', s.host, '-d', s.data, '--auth', 'alice']);
  t.is(noTty.code, 2);
  t.deepEqual(lines(noTty), [
    'docker-jindr: --auth needs passwords and there is no terminal to ask on: give them with --password-stdin (one line per user, in order)',
  ]);
  const short = await s.jindr(['start', '-r', s.host, '-d', s.data, '--auth', 'alice', '--auth', 'bob', '--password-stdin'], 'only-one\n');
  t.is(short.code, 2);
  t.deepEqual(lines(short), ['docker-jindr: --password-stdin: expected 2 lines, one password per --auth user in order, got 1 line']);
  const badName = await s.jindr(['start', '-r', s.host, '-d', s.data, '--auth', 'a:b', '--password-stdin'], 'pw\n');
  t.is(badName.code, 2);
  t.is(lines(badName).length, 1);
  const noUser = await s.jindr(['start', '-r', s.host, '-d', s.data, '--password-stdin'], 'pw\n');
  t.deepEqual(lines(noUser), ['docker-jindr: --password-stdin needs --auth USER: the passwords are for those users']);
  const inline = await s.jindr(['start', '-r', s.host, '-d', s.data, '--auth', 'alice', '--password', 'secret-on-cli']);
  t.is(inline.code, 2, 'there is no --password option');
  t.is((await docker(['ps', '-aq', '--filter', `name=^${s.container}$`])).stdout.trim(), '');
  t.false(existsSync(s.data));
});

e2e('asked on a terminal: the password is not echoed and works', async (t) => {
  const s = await setup(t);
  // script(1) gives the plugin a terminal; keys are typed once the prompt shows.
  const { spawn } = await import('node:child_process');
  const command = ['docker', 'jindr', 'start', '-r', s.host, '-d', s.data, '--auth', 'carol'].join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env: s.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  let answered = 0;
  child.stdout.on('data', (d: Buffer) => {
    screen += d.toString();
    const prompts = (screen.match(/Password for carol( again)?: /g) ?? []).length;
    if (prompts > answered) {
      answered = prompts;
      child.stdin.write('tty-Secret-9\r');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.is(code, 0, screen);
  t.is(answered, 2);
  t.regex(screen, /Password for carol: \r?\nPassword for carol again: \r?\n/);
  t.false(screen.includes('tty-Secret-9'), 'echoed');
  t.is(spawnSync('htpasswd', ['-vb', join(s.data, 'auth/htpasswd'), 'carol', 'tty-Secret-9']).status, 0);
});
