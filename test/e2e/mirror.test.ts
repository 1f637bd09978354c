// `docker jindr mirror`, offline, against real containers: an "upstream" registry that
// needs a login (token auth: distribution's proxy sends a login to token servers only, see
// README), holding Docker Hub names (library/busybox) and the two-platform archy, on a
// user-defined Docker network; a mirror of it started by the plugin with the credentials
// of a `docker login` to that upstream; pulls through the mirror (skopeo, docker pull);
// the upstream stopped; ls/lsi/inspect/rmi/rmr/gc on the mirror; the engine's
// registry-mirrors set, `docker pull busybox` answered by the mirror, and daemon.json
// restored; the password nowhere (output, docker inspect, docker logs).
import type { ExecutionContext } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { e2e, freePort, startTestRegistry, waitForRegistry, type TestRegistry } from '../helpers/engine.ts';
import { pushArchy } from '../helpers/images.ts';
import { docker, dockerOk, makeDockerConfig, run, tinyImage, type RunResult, jsonLines, jindr as jindrAlone } from '../helpers/run.ts';
import { selfSigned } from '../fakes/pki.ts';
import { startTokenServer, type TokenServer } from '../fakes/token-server.ts';
import { connectEngine } from '../../src/engine/engine.ts';
import { inspectRegistryContainer } from '../../src/server/container.ts';
import { mirrorConfigYaml } from '../../src/mirror/mirror-config.ts';
import { parseUpstream } from '../../src/mirror/mirror-upstream.ts';
import { helperContainerOptions } from '../../src/gc/helper-mounts.ts';
import { DEFAULT_STORAGE_ROOT } from '../../src/storage/storage-root.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';

const ID = randomBytes(3).toString('hex');
const NETWORK = `jindr-mirror-net-${ID}`;
const USER = 'alice';
// Quotes, a backslash, a colon and a hash: the mirror's YAML must carry it intact.
const PASSWORD = `p"w\\d:x #${randomBytes(6).toString('hex')}`;
const BUSYBOX_TAG = `jindr-${ID}`;
const DAEMON_JSON = '/etc/docker/daemon.json';

const cleanups = cleanupsAfterAll();
const tempDir = (prefix: string): string => cleanups.tempDir(prefix);

interface Rig {
  upstream: TestRegistry;
  /** The upstream's name on the network, as the mirror reaches it. */
  upstreamUrl: string;
  tokens: TokenServer;
  archy: Awaited<ReturnType<typeof pushArchy>>;
  busyboxId: string;
  env: NodeJS.ProcessEnv;
  data: string;
  mirror: string;
  printed: string[];
  jindr(...args: string[]): Promise<RunResult>;
}

/**
 * The upstream's storage is filled by a plain registry first (the same files a push with
 * a login would leave), then served by the upstream with token auth on the network.
 */
async function rig(t: ExecutionContext): Promise<Rig> {
  await dockerOk(['network', 'create', NETWORK]);
  cleanups.push(() => docker(['network', 'rm', NETWORK]));
  const gateway = (await dockerOk(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', NETWORK])).trim();

  const storage = tempDir('jindr-mirror-upstream-');
  const stage = await startTestRegistry({ volumes: { [storage]: '/var/lib/registry' } });
  let archy;
  let busyboxId;
  try {
    archy = await pushArchy(stage.host);
    await pushArchy(stage.host, { tag: 'not-pulled' });
    const tiny = await tinyImage(t, stage.host);
    const busybox = `${stage.host}/library/busybox:${BUSYBOX_TAG}`;
    await dockerOk(['tag', tiny, busybox]);
    await dockerOk(['push', busybox]);
    await dockerOk(['rmi', busybox]);
    busyboxId = (await dockerOk(['image', 'inspect', '-f', '{{.Id}}', tiny])).trim();
  } finally {
    await stage.remove();
  }

  // The token server listens on the network's gateway: the daemon (docker login) and the
  // mirror container both reach it there.
  const auth = tempDir('jindr-mirror-auth-');
  const tokens = await startTokenServer({
    users: { [USER]: PASSWORD },
    signing: selfSigned(auth, 'signer'),
    host: gateway,
    refreshTokens: false,
  });
  cleanups.push(() => tokens.close());
  const upstream = await startTestRegistry({
    env: {
      REGISTRY_AUTH: 'token',
      REGISTRY_AUTH_TOKEN_REALM: tokens.url,
      REGISTRY_AUTH_TOKEN_SERVICE: tokens.service,
      REGISTRY_AUTH_TOKEN_ISSUER: tokens.issuer,
      REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE: '/auth/signer.pem',
    },
    volumes: { [storage]: '/var/lib/registry', [auth]: '/auth' },
    network: NETWORK,
  });
  cleanups.push(() => upstream.remove());

  const config = makeDockerConfig();
  cleanups.push(() => config.cleanup());
  // The plugin's secrets directory (XDG_CONFIG_HOME/docker-jindr): the test's own.
  config.env.XDG_CONFIG_HOME = tempDir('jindr-mirror-xdg-');
  const login = await docker(['login', '-u', USER, '--password-stdin', upstream.host], { env: config.env, input: PASSWORD });
  if (login.code !== 0) throw new Error(`docker login: ${login.stderr}`);
  const data = tempDir('jindr-mirror-data-');
  const port = await freePort();
  const printed: string[] = [];
  return {
    upstream,
    upstreamUrl: `http://${upstream.name}:5000`,
    tokens,
    archy,
    busyboxId,
    env: config.env,
    data,
    mirror: `localhost:${port}`,
    printed,
    jindr: async (...args) => {
      const r = await jindrAlone(args, { env: config.env, timeoutMs: 180_000 });
      printed.push(r.stdout, r.stderr);
      return r;
    },
  };
}

function ok(t: ExecutionContext, r: RunResult, what: string): void {
  t.is(r.code, 0, `${what}: ${r.stderr}`);
}

async function skopeo(args: string[]): Promise<string> {
  const r = await run('skopeo', args, { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`skopeo ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Pulls every platform of ref through the mirror into an OCI layout; returns the index's digest there. */
async function pullAll(ref: string): Promise<{ raw: string; dir: string }> {
  const dir = tempDir('jindr-mirror-pull-');
  await skopeo(['copy', '--all', '--src-tls-verify=false', `docker://${ref}`, `oci:${dir}:x`]);
  return { raw: await skopeo(['inspect', '--raw', `oci:${dir}:x`]), dir };
}

let shared: Promise<Rig> | undefined;

e2e(
  'a mirror of a registry that needs a login: pulls keep every digest, the cache answers with the upstream stopped, the usual commands see and remove what it holds',
  async (t) => {
    const r = await (shared ??= rig(t));
    const start = await r.jindr(
      '-r',
      r.mirror,
      'mirror',
      'start',
      r.upstreamUrl,
      '--network',
      NETWORK,
      '--login',
      r.upstream.host,
      '-d',
      r.data,
    );
    ok(t, start, 'mirror start');
    t.regex(
      start.stdout,
      new RegExp(`^mirror of ${r.upstream.name}:5000 created and started as jindr-mirror-${r.upstream.name}-5000 on ${r.mirror} `),
    );
    t.regex(start.stdout, /\[\[registry\.mirror\]\]\nlocation = "127\.0\.0\.1:\d+"\ninsecure = true/);
    t.regex(start.stdout, /certs\.d\/jindr-test-\d+-\w+:5000\/hosts\.toml/);
    t.regex(start.stderr, new RegExp(`pulls with your Docker login to ${r.upstream.host} \\(user "${USER}"\\)`));
    const container = `jindr-mirror-${r.upstream.name}-5000`;
    cleanups.push(() => docker(['rm', '-f', '-v', container]));
    const secret = await loginFileOf(container);
    t.true(secret.startsWith(join(r.env.XDG_CONFIG_HOME!, 'docker-jindr', 'mirrors') + '/'), secret);
    t.is(statSync(secret).mode & 0o777, 0o600);
    t.true(readFileSync(secret, 'utf8').includes(JSON.stringify(PASSWORD)), 'the login is in the file, in YAML quotes');
    const open = readFileSync(secret.replace(/\.yml$/, '.no-login.yml'), 'utf8');
    t.regex(open, /remoteurl: "http:\/\/jindr-test-/);
    t.false(open.includes(PASSWORD.slice(-12)), "gc's copy of the configuration has no login");
    t.deepEqual(readdirSync(join(r.data, 'mirrors', `${r.upstream.name}-5000`)), ['data'], 'nothing but its data in the data directory');

    // Every platform, digests unchanged; the manifest the mirror sends is the upstream's own.
    const through = await pullAll(`${r.mirror}/archy:latest`);
    t.is(JSON.parse(through.raw).manifests.length, 2);
    t.is(`sha256:${createHash('sha256').update(through.raw).digest('hex')}`, r.archy.digest);
    for (const m of r.archy.manifests) {
      t.is(
        await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${r.mirror}/archy@${m.digest}`]),
        m.bytes.toString(),
        m.platform.architecture,
      );
    }
    t.true(
      r.tokens.requests.some((q) => q.subject === USER),
      'the mirror logged in to the upstream',
    );
    t.false(
      r.tokens.requests.some((q) => q.subject.startsWith('denied')),
      'never with a wrong password',
    );

    // What the mirror holds: archy:latest only, though the upstream also has archy:not-pulled.
    const lsi = await r.jindr('-r', r.mirror, 'lsi', '--format', 'json');
    ok(t, lsi, 'lsi');
    t.deepEqual(
      jsonLines<{ repository: string; tag: string; digest: string; platforms: string[] }>(lsi.stdout).map((x) => [
        x.repository,
        x.tag,
        x.digest,
        x.platforms.join(),
      ]),
      [['archy', 'latest', r.archy.digest, 'linux/amd64,linux/arm64']],
    );
    const inspect = await r.jindr('-r', r.mirror, 'inspect', 'archy');
    ok(t, inspect, 'inspect');
    for (const m of r.archy.manifests) t.true(inspect.stdout.includes(m.digest));
    t.regex((await r.jindr('-r', r.mirror, 'ls')).stdout, new RegExp(`${r.mirror}/archy`));
    const ls = await r.jindr('mirror', 'ls', '--format', 'json');
    t.like(
      jsonLines(ls.stdout).find((x) => x.container === container),
      { upstream: r.upstreamUrl, address: r.mirror, running: true, images: 1, network: NETWORK },
    );
    const info = await r.jindr('info', '--format', 'json');
    t.like(
      jsonLines(info.stdout).find((x) => x.container === container),
      { registry: r.mirror, mirrorOf: r.upstreamUrl, managed: true },
    );

    // --format on start and config: one JSON object or the template's line on stdout, nothing else there.
    const again = await r.jindr('mirror', 'start', r.upstreamUrl, '--format', 'json');
    ok(t, again, 'mirror start --format json');
    t.is(again.stdout.split('\n').filter(Boolean).length, 1, `one line: ${again.stdout}`);
    t.deepEqual(JSON.parse(again.stdout), {
      name: `${r.upstream.name}-5000`,
      upstream: r.upstreamUrl,
      address: r.mirror,
      port: Number(r.mirror.split(':')[1]),
      container,
      image: 'registry:3',
      data: join(r.data, 'mirrors', `${r.upstream.name}-5000`, 'data'),
      network: NETWORK,
      outcome: 'already-running',
      login: null,
      engineMirror: null,
      mode: 'pull-through',
      offline: null,
    });
    t.regex(again.stderr, /mirror config .* shows the containerd/);
    const settings = await r.jindr('mirror', 'config', r.upstreamUrl, '--format', '{{.Name}}|{{.Address}}|{{.Network}}|{{.PodmanFile}}');
    ok(t, settings, 'mirror config --format TEMPLATE');
    t.is(
      settings.stdout,
      `${r.upstream.name}-5000|${r.mirror}|${NETWORK}|/etc/containers/registries.conf.d/jindr-mirror-${r.upstream.name}-5000.conf\n`,
    );
    const k3d = JSON.parse((await r.jindr('mirror', 'config', r.upstreamUrl, '--format', 'json')).stdout) as {
      k3d: string;
      podman: string;
    };
    t.is(k3d.k3d, `mirrors:\n  "${r.upstream.name}:5000":\n    endpoint:\n      - http://${container}:5000\n`);
    t.regex(k3d.podman, new RegExp(`^location = "127\\.0\\.0\\.1:${r.mirror.split(':')[1]}"$`, 'm'));

    // The upstream stopped: the second pull comes from the cache, the same bytes.
    await dockerOk(['stop', r.upstream.name]);
    try {
      t.is((await pullAll(`${r.mirror}/archy:latest`)).raw, through.raw);
      const uncached = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${r.mirror}/archy:not-pulled`]);
      t.not(uncached.code, 0, 'what was never pulled is not there');
    } finally {
      await dockerOk(['start', r.upstream.name]);
      await waitForRegistry(`http://127.0.0.1:${r.upstream.port}/v2/`);
    }

    // rmi removes the tag from the cache (the API refuses deletes in proxy mode), gc the rest.
    const rmi = await r.jindr('-r', r.mirror, 'rmi', 'archy:latest');
    ok(t, rmi, 'rmi');
    t.is(rmi.stdout, `Untagged: ${r.mirror}/archy:latest\n`);
    t.deepEqual(jsonLines((await r.jindr('-r', r.mirror, 'lsi', '--format', 'json')).stdout), []);
    const gc = await r.jindr('-r', r.mirror, 'gc', '--grace', '0', '--format', 'json');
    ok(t, gc, 'gc');
    const report = JSON.parse(gc.stdout) as { manifests: unknown[]; blobs: number };
    t.is(report.manifests.length, 3, 'the index and both platforms');
    t.true(report.blobs >= 7, `manifests, configs and layers went (${report.blobs})`);
    await dockerOk(['stop', r.upstream.name]);
    try {
      const gone = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${r.mirror}/archy:latest`]);
      t.not(gone.code, 0, 'no longer cached');
    } finally {
      await dockerOk(['start', r.upstream.name]);
      await waitForRegistry(`http://127.0.0.1:${r.upstream.port}/v2/`);
    }

    // rmr: pulled again, then the repository goes from the cache; the mirror keeps running.
    await pullAll(`${r.mirror}/archy:latest`);
    const rmr = await r.jindr('-r', r.mirror, 'rmr', 'archy');
    ok(t, rmr, 'rmr');
    t.regex(rmr.stderr, /removed the repositories' storage in jindr-mirror-/);
    t.notRegex(rmr.stderr, /restarted/);
    t.is((await r.jindr('-r', r.mirror, 'ls', '-q')).stdout, '');

    // Stop and start again: the login is looked up again, --debug shows no secret.
    const stop = await r.jindr('-D', 'mirror', 'stop', r.upstreamUrl, '--format', '{{.Container}} {{.Outcome}}');
    ok(t, stop, 'mirror stop');
    t.is(stop.stdout, `${container} stopped\n`);
    const restart = await r.jindr('-D', 'mirror', 'start', `${r.upstream.name}-5000`, '--login', r.upstream.host, '--format', 'json');
    ok(t, restart, 'mirror start by name');
    t.like(JSON.parse(restart.stdout), {
      container,
      outcome: 'started',
      login: { kind: 'login', from: r.upstream.host, username: USER },
      engineMirror: null,
    });
    ok(t, await r.jindr('-D', '-r', r.mirror, 'lsi'), 'lsi --debug');
    await noPassword(t, r, container);
  },
);

e2e('with --engine, `docker pull busybox` is answered by the mirror; mirror rm undoes it and daemon.json is as it was', async (t) => {
  const r = await (shared ??= rig(t));
  const container = `jindr-mirror-${r.upstream.name}-5000`;
  if ((await docker(['inspect', container])).code !== 0) {
    ok(
      t,
      await r.jindr('-r', r.mirror, 'mirror', 'start', r.upstreamUrl, '--network', NETWORK, '--login', r.upstream.host, '-d', r.data),
      'mirror start',
    );
    cleanups.push(() => docker(['rm', '-f', '-v', container]));
  }
  const before = existsSync(DAEMON_JSON) ? readFileSync(DAEMON_JSON) : undefined;
  const mirrorsBefore = await engineMirrors();
  const url = `http://${r.mirror.replace('localhost', '127.0.0.1')}`;
  let restored = false;
  const restore = async (): Promise<void> => {
    if (restored) return;
    restored = true;
    // A reload applies only keys the file has: `[]` clears the list, then the file goes if it was not there.
    writeFileSync(DAEMON_JSON, before ?? '{"registry-mirrors": []}\n');
    await hupDockerd();
    await waitFor(async () => JSON.stringify(await engineMirrors()) === JSON.stringify(mirrorsBefore));
    if (before === undefined) rmSync(DAEMON_JSON, { force: true });
  };
  cleanups.push(restore);
  cleanups.push(() => docker(['rmi', `busybox:${BUSYBOX_TAG}`]));
  try {
    // Keep the window in which the shared engine has a mirror short: configure, pull, undo.
    const start = await r.jindr('-r', r.mirror, 'mirror', 'start', r.upstreamUrl, '--engine');
    ok(t, start, 'mirror start --engine');
    t.regex(start.stdout, new RegExp(`the Docker engine now pulls Docker Hub images through ${url} \\(${DAEMON_JSON}, reloaded`));
    t.true((await engineMirrors()).includes(`${url}/`));
    const pull = await docker(['pull', `busybox:${BUSYBOX_TAG}`], { env: r.env, timeoutMs: 120_000 });
    const rm = await r.jindr('mirror', 'rm', r.upstreamUrl);
    ok(t, pull, 'docker pull busybox');
    ok(t, rm, 'mirror rm');
    t.regex(rm.stdout, new RegExp(`the Docker engine no longer uses ${url}`));
    t.deepEqual(await engineMirrors(), mirrorsBefore);
    t.deepEqual(JSON.parse(readFileSync(DAEMON_JSON, 'utf8'))['registry-mirrors'], []);
    t.is((await dockerOk(['image', 'inspect', '-f', '{{.Id}}', `busybox:${BUSYBOX_TAG}`])).trim(), r.busyboxId);
    t.regex(rm.stdout, /its data stays in .*mirrors\/jindr-test-\d+-\w+-5000\/data \(--purge removes it\)/);
    t.deepEqual(readdirSync(join(r.env.XDG_CONFIG_HOME!, 'docker-jindr', 'mirrors')), [], 'the login file went with the container');
    // The mirror answered: its storage has library/busybox (read by a mirror started again on the same data).
    ok(
      t,
      await r.jindr('-r', r.mirror, 'mirror', 'start', r.upstreamUrl, '--network', NETWORK, '--login', r.upstream.host, '-d', r.data),
      'mirror start again',
    );
    const lsi = await r.jindr('-r', r.mirror, 'lsi', 'library/busybox', '-q');
    t.is(lsi.stdout, `${r.mirror}/library/busybox:${BUSYBOX_TAG}\n`);
    await noPassword(t, r, container);
    const purge = await r.jindr('mirror', 'rm', r.upstreamUrl, '--purge', '--format', 'json');
    ok(t, purge, 'mirror rm --purge');
    t.deepEqual(JSON.parse(purge.stdout), {
      name: `${r.upstream.name}-5000`,
      upstream: r.upstreamUrl,
      address: r.mirror,
      container,
      data: join(r.data, 'mirrors', `${r.upstream.name}-5000`, 'data'),
      dataRemoved: true,
      engineMirror: { url, kind: 'unchanged', path: DAEMON_JSON },
    });
    t.false(existsSync(join(r.data, 'mirrors', `${r.upstream.name}-5000`)));
  } finally {
    await restore();
  }
  t.is(existsSync(DAEMON_JSON), before !== undefined, 'daemon.json is back as it was');
});

e2e(
  'the login is only where its mirror reads it: not in the storage of the registry whose data directory holds the mirror, not in gc helpers, not in any docker inspect; mirror rm --purge takes it away',
  async (t) => {
    const r = await (shared ??= rig(t));
    const container = `jindr-mirror-${r.upstream.name}-5000`;
    const main = await startMainRegistry(t, r, r.data);
    if ((await docker(['inspect', container])).code !== 0) {
      ok(
        t,
        await r.jindr('-r', r.mirror, 'mirror', 'start', r.upstreamUrl, '--network', NETWORK, '--login', r.upstream.host, '-d', r.data),
        'mirror start',
      );
      cleanups.push(() => docker(['rm', '-f', '-v', container]));
    }
    const secret = await loginFileOf(container);
    const secrets = join(r.env.XDG_CONFIG_HOME!, 'docker-jindr');
    t.true(secret.startsWith(`${secrets}/`), secret);
    t.is(statSync(secret).mode & 0o777, 0o600);
    t.is(statSync(dirname(secret)).mode & 0o777, 0o700);
    t.is(statSync(secrets).mode & 0o777, 0o700);

    // The mirror itself reads it, as its configuration (the search below finds it where it is)...
    t.deepEqual(await searchFor(container, secret), { file: false, found: ['/etc/jindr/mirror.yml'] });
    // ...and it pulls through from the upstream with it.
    const logins = r.tokens.requests.filter((q) => q.subject === USER).length;
    t.is(JSON.parse((await pullAll(`${r.mirror}/archy:latest`)).raw).manifests.length, 2);
    t.true(r.tokens.requests.filter((q) => q.subject === USER).length > logins, 'the mirror logged in to the upstream');

    // The registry whose data directory holds the mirror, and gc's helpers of both, see none of it.
    t.deepEqual(await searchFor(main, secret), { file: false, found: [] }, main);
    const engine = await connectEngine({ debug: false, tls: false, tlsVerify: false }, r.env, new AbortController().signal);
    for (const name of [main, container]) {
      const registry = await inspectRegistryContainer(engine.docker, { id: name, name });
      const helper = await engine.docker.createContainer(helperContainerOptions(registry, `${name}-gc-test`, DEFAULT_STORAGE_ROOT));
      cleanups.push(() => helper.remove({ force: true }).catch(() => {}));
      await helper.start();
      t.deepEqual(await searchFor(helper.id, secret), { file: false, found: [] }, `gc's helper of ${name}`);
      if (name === container)
        t.regex(
          await dockerOk(['exec', helper.id, 'cat', '/etc/jindr/mirror.yml']),
          /remoteurl: "http:\/\/jindr-test-/,
          'the helper has the configuration without the login',
        );
      await helper.remove({ force: true });
    }
    // A real gc of the mirror works with the configuration without the login.
    ok(t, await r.jindr('-r', r.mirror, 'rmi', 'archy:latest'), 'rmi');
    const gc = await r.jindr('-r', r.mirror, 'gc', '--grace', '0', '--format', 'json');
    ok(t, gc, 'gc of the mirror');
    t.is((JSON.parse(gc.stdout) as { manifests: unknown[] }).manifests.length, 3);

    // docker inspect of every container on the engine: no password in env, command or labels.
    await noPasswordAnywhere(t, r);
    const purge = await r.jindr('mirror', 'rm', r.upstreamUrl, '--purge');
    ok(t, purge, 'mirror rm --purge');
    t.false(existsSync(secret), 'the login file went with the mirror');
    t.false(existsSync(join(r.data, 'mirrors', `${r.upstream.name}-5000`)), "the mirror's directory went with --purge");
  },
);

e2e(
  'a mirror made with its login in the data directory: the next mirror start moves it out (even while it runs), and removes the old config.yml',
  async (t) => {
    const r = await (shared ??= rig(t));
    const name = `${r.upstream.name}-5000`;
    const container = `jindr-mirror-${name}`;
    await docker(['rm', '-f', '-v', container]);
    // The layout mirror start made before: DATA/mirrors/NAME/config.yml with the login, mounted as the configuration.
    const data = tempDir('jindr-mirror-old-');
    const dir = join(data, 'mirrors', name);
    mkdirSync(join(dir, 'data'), { recursive: true, mode: 0o700 });
    const old = join(dir, 'config.yml');
    writeFileSync(old, mirrorConfigYaml(parseUpstream(r.upstreamUrl), { username: USER, password: PASSWORD }), { mode: 0o600 });
    const port = r.mirror.split(':')[1]!;
    await dockerOk([
      'run',
      '-d',
      '--name',
      container,
      '--network',
      NETWORK,
      '--restart',
      'unless-stopped',
      '-p',
      `127.0.0.1:${port}:5000`,
      '-e',
      'REGISTRY_STORAGE_DELETE_ENABLED=true',
      '--label',
      `jindr.registry=${r.mirror}`,
      '--label',
      `jindr.data=${join(dir, 'data')}`,
      '--label',
      'jindr.image=registry:3',
      '--label',
      `jindr.mirror=${r.upstreamUrl}`,
      '-v',
      `${join(dir, 'data')}:/var/lib/registry`,
      '-v',
      `${old}:/etc/jindr/mirror.yml:ro`,
      'registry:3',
      '/etc/jindr/mirror.yml',
    ]);
    cleanups.push(() => docker(['rm', '-f', '-v', container]));
    await waitForRegistry(`http://127.0.0.1:${port}/v2/`);
    const main = await startMainRegistry(t, r, data);
    t.deepEqual(
      await searchFor(main, old),
      { file: false, found: [`/var/lib/registry/mirrors/${name}/config.yml`] },
      'planted: the registry of the data directory sees the login',
    );

    const start = await r.jindr('mirror', 'start', r.upstreamUrl, '--login', r.upstream.host);
    ok(t, start, 'mirror start');
    t.regex(start.stdout, new RegExp(`^mirror of ${r.upstream.name}:5000 started as ${container} on ${r.mirror} `));
    const secret = await loginFileOf(container);
    t.true(
      start.stderr.includes(
        `moved the mirror's login out of its data directory, which other containers see: it is in ${secret} now (mode 0600), and ${old} is removed`,
      ),
      start.stderr,
    );
    t.true(secret.startsWith(join(r.env.XDG_CONFIG_HOME!, 'docker-jindr', 'mirrors') + '/'), secret);
    t.is(statSync(secret).mode & 0o777, 0o600);
    t.true(readFileSync(secret, 'utf8').includes(JSON.stringify(PASSWORD)));
    t.false(existsSync(old), 'the old config.yml with the login is gone');
    t.deepEqual(readdirSync(dir), ['data']);
    t.is(
      (
        await dockerOk(['inspect', '-f', '{{.State.Running}} {{.HostConfig.NetworkMode}} {{.HostConfig.RestartPolicy.Name}}', container])
      ).trim(),
      `true ${NETWORK} unless-stopped`,
    );
    t.deepEqual(await searchFor(main, secret), { file: false, found: [] }, 'the registry of the data directory sees no login now');

    // Still a mirror that logs in to its upstream.
    const logins = r.tokens.requests.filter((q) => q.subject === USER).length;
    t.is(JSON.parse((await pullAll(`${r.mirror}/archy:latest`)).raw).manifests.length, 2);
    t.true(r.tokens.requests.filter((q) => q.subject === USER).length > logins, 'the mirror logged in to the upstream');
    const again = await r.jindr('mirror', 'start', r.upstreamUrl, '--format', 'json');
    t.like(JSON.parse(again.stdout), { outcome: 'already-running' });
    t.false(again.stderr.includes('moved'), 'moved once');
    await noPasswordAnywhere(t, r);

    ok(t, await r.jindr('mirror', 'rm', r.upstreamUrl, '--purge'), 'mirror rm --purge');
    t.false(existsSync(secret));
    t.false(existsSync(dir));
  },
);

/** A registry started by the plugin on the data directory that holds the mirrors. */
async function startMainRegistry(t: ExecutionContext, r: Rig, data: string): Promise<string> {
  const port = await freePort();
  const start = await r.jindr('-r', `localhost:${port}`, 'start', '-d', data);
  ok(t, start, 'start');
  cleanups.push(() => docker(['rm', '-f', '-v', `jindr-${port}`]));
  return `jindr-${port}`;
}

/**
 * In a container: whether the login file's host path exists there (cat), and which files
 * under its storage and /etc hold the password (grep -r for its random part).
 */
async function searchFor(container: string, hostPath: string): Promise<{ file: boolean; found: string[] }> {
  const cat = await docker(['exec', container, 'cat', hostPath]);
  const grep = await docker(['exec', container, 'busybox', 'grep', '-rlF', PASSWORD.slice(-12), '/var/lib/registry', '/etc']);
  if (grep.code > 1) throw new Error(`grep in ${container}: ${grep.stderr}`);
  return { file: cat.code === 0, found: grep.stdout.split('\n').filter(Boolean).sort() };
}

/** docker inspect of every container on the engine, and what the plugin printed: no password. */
async function noPasswordAnywhere(t: ExecutionContext, r: Rig): Promise<void> {
  const basic = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
  const ids = (await dockerOk(['ps', '-aq'])).split('\n').filter(Boolean);
  t.true(ids.length > 0);
  const inspect = await docker(['inspect', ...ids]);
  for (const [what, text] of [
    ['docker inspect', inspect.stdout],
    ['output', r.printed.join('\n')],
  ] as const) {
    t.false(text.includes(PASSWORD.slice(-12)) || text.includes(basic), `the password appears in ${what}`);
  }
}

async function noPassword(t: ExecutionContext, r: Rig, container: string): Promise<void> {
  const basic = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
  const inspect = await dockerOk(['inspect', container]);
  const logs = await docker(['logs', container]);
  for (const [what, text] of [
    ['output', r.printed.join('\n')],
    ['docker inspect', inspect],
    ['docker logs', logs.stdout + logs.stderr],
  ] as const) {
    t.false(text.includes(PASSWORD) || text.includes(PASSWORD.slice(-12)) || text.includes(basic), `the password appears in ${what}`);
  }
}

/** The host file mounted as the mirror's configuration (the one with the login). */
async function loginFileOf(container: string): Promise<string> {
  return (
    await dockerOk(['inspect', '-f', '{{range .Mounts}}{{if eq .Destination "/etc/jindr/mirror.yml"}}{{.Source}}{{end}}{{end}}', container])
  ).trim();
}

async function engineMirrors(): Promise<string[]> {
  return JSON.parse(await dockerOk(['info', '--format', '{{json .RegistryConfig.Mirrors}}'])) ?? [];
}

async function hupDockerd(): Promise<void> {
  const pid = Number(readFileSync('/var/run/docker.pid', 'utf8').trim()) || Number((await run('pidof', ['dockerd'])).stdout.trim());
  process.kill(pid, 'SIGHUP');
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the engine');
    await new Promise((done) => setTimeout(done, 100));
  }
}
