// The registry's life cycle (its main test through the real docker CLI, as users run it; the
// others run the executable on its own), with the built plugin installed in a temporary
// DOCKER_CONFIG: up, push, stop, start, pull back, data surviving a new
// container, loopback-only publishing, stat/info/logs; for registry:3 and registry:2.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { e2e, freePort, registryImages, startTestRegistry, tryConnect } from '../helpers/engine.ts';
import { outsideAddress } from '../helpers/network.ts';
import {
  docker,
  dockerOk,
  jindr as jindrAlone,
  makeDockerConfig,
  pluginBinary,
  removePulledImages,
  tinyImage,
  type RunResult,
  jsonLines,
} from '../helpers/run.ts';

interface Setup {
  port: number;
  host: string;
  container: string;
  data: string;
  env: NodeJS.ProcessEnv;
  configDir: string;
  jindr(...args: string[]): Promise<RunResult>;
}

/**
 * A free port, a temp data dir and DOCKER_CONFIG; removes the registry containers and dirs
 * afterwards. Its jindr() runs the executable on its own, or through the docker CLI with
 * `{ throughDocker: true }` (the main job as users run it: `docker jindr up`).
 */
async function setup(t: ExecutionContext, { throughDocker = false } = {}): Promise<Setup> {
  const port = await freePort();
  const host = `localhost:${port}`;
  const root = mkdtempSync(join(tmpdir(), 'jindr-lifecycle-'));
  const cfg = makeDockerConfig();
  const container = `jindr-${port}`;
  t.teardown(async () => {
    const ids = new Set<string>();
    for (const filter of [`label=jindr.registry=${host}`, `name=^${container}$`]) {
      for (const id of (await docker(['ps', '-aq', '--filter', filter])).stdout.split('\n')) if (id) ids.add(id);
    }
    if (ids.size > 0) await docker(['rm', '-f', '-v', ...ids]);
    rmSync(root, { recursive: true, force: true });
    cfg.cleanup();
  });
  return {
    port,
    host,
    container,
    data: join(root, 'data'),
    env: cfg.env,
    configDir: cfg.dir,
    jindr: (...args) => (throughDocker ? docker(['jindr', ...args], { env: cfg.env }) : jindrAlone(args, { env: cfg.env })),
  };
}

const oneLine = (r: RunResult): string[] => r.stderr.trim().split('\n');

function ok(t: ExecutionContext, r: RunResult, what: string): void {
  t.is(r.code, 0, `${what} failed: ${r.stderr}`);
}

const nonLoopback = outsideAddress();

for (const image of registryImages) {
  e2e(`${image}: up, push, stop, start, pull back; data survives a new container`, async (t) => {
    const s = await setup(t, { throughDocker: true });
    const up = await s.jindr('up', '-r', s.host, '-d', s.data, '--image', image);
    ok(t, up, 'up');
    t.is(up.stdout.trim(), `registry created and started as ${s.container} on ${s.host} (${image}, data in ${s.data})`);

    // Published on 127.0.0.1 only.
    t.is((await dockerOk(['port', s.container])).trim(), `5000/tcp -> 127.0.0.1:${s.port}`);
    const bindings = JSON.parse(await dockerOk(['inspect', '--format', '{{json .HostConfig.PortBindings}}', s.container])) as Record<
      string,
      { HostIp: string }[]
    >;
    t.deepEqual(
      bindings['5000/tcp']?.map((b) => b.HostIp),
      ['127.0.0.1'],
    );
    t.is(await tryConnect('127.0.0.1', s.port), 'connected');
    t.truthy(nonLoopback, 'this machine has a non-loopback IPv4 address');
    t.not(await tryConnect(nonLoopback!, s.port), 'connected', `reachable on ${nonLoopback}`);
    const labels = JSON.parse(await dockerOk(['inspect', '--format', '{{json .Config.Labels}}', s.container])) as Record<string, string>;
    t.like(labels, { 'jindr.registry': s.host, 'jindr.data': s.data });
    const env = await dockerOk(['inspect', '--format', '{{json .Config.Env}}', s.container]);
    t.true(env.includes('REGISTRY_STORAGE_DELETE_ENABLED=true'));

    const ref = await tinyImage(t, s.host);
    await dockerOk(['push', ref], { env: s.env });

    const again = await s.jindr('start', '-r', s.host, '-d', s.data, '--image', image);
    ok(t, again, 'start again');
    t.is(again.stdout.trim(), `registry already running as ${s.container} on ${s.host}`);

    const stat = await s.jindr('status', '-r', s.host);
    t.is(stat.code, 0);
    t.is(stat.stdout.trim(), `${s.host}: running as ${s.container} (${image}, data in ${s.data})`);

    const stop = await s.jindr('down', '-r', s.host, '-G');
    ok(t, stop, 'down');
    t.is((await s.jindr('stat', '-r', s.host)).code, 1);
    t.is((await dockerOk(['inspect', '--format', '{{.State.Status}}', s.container])).trim(), 'exited', 'stop keeps the container');

    ok(t, await s.jindr('start', '-r', s.host), 'start after stop');
    await dockerOk(['rmi', ref]);
    await dockerOk(['pull', ref], { env: s.env });

    // A new container on the same data directory serves the same images.
    await dockerOk(['rm', '-f', '-v', s.container]);
    t.is((await s.jindr('stat', '-r', s.host)).code, 1);
    const fresh = await s.jindr('start', '-r', s.host, '-d', s.data, '--image', image);
    ok(t, fresh, 'start a new container');
    t.regex(fresh.stdout, /created and started/);
    await dockerOk(['rmi', ref]);
    await dockerOk(['pull', ref], { env: s.env });

    ok(t, await s.jindr('restart', '-r', s.host), 'restart');
    await dockerOk(['rmi', ref]);
    await dockerOk(['pull', ref], { env: s.env });
    t.is((await s.jindr('stat', '-r', s.host)).code, 0);

    const logs = await s.jindr('logs', '-r', s.host);
    ok(t, logs, 'logs');
    t.regex(logs.stdout + logs.stderr, /listening on/);
  });

  e2e(`${image}: info shows running and stopped registries with storage area and size`, async (t) => {
    const s = await setup(t);
    ok(t, await s.jindr('up', '-r', s.host, '-d', s.data, '--image', image), 'up');
    const ref = await tinyImage(t, s.host);
    await dockerOk(['push', ref], { env: s.env });

    type Row = {
      registry: string;
      container: string;
      state: string;
      running: boolean;
      storageArea: string;
      size: number | null;
      image: string;
      managed: boolean;
    };
    const find = async (): Promise<Row | undefined> => {
      const r = await s.jindr('info', '--format', 'json');
      ok(t, r, 'info');
      return jsonLines<Row>(r.stdout).find((row) => row.container === s.container);
    };
    const running = await find();
    t.like(running, { registry: s.host, state: 'running', running: true, storageArea: s.data, image, managed: true });
    t.true((running?.size ?? 0) > 1000, 'the pushed image takes space');

    const table = await s.jindr('ps');
    // MIRROR OF only when a mirror is among the rows (one from another test may be).
    t.regex(table.stdout, /^REGISTRY\s+CONTAINER\s+STATUS\s+SECURITY\s+STORAGE AREA\s+SIZE\s+IMAGE(\s+MIRROR OF)?\n/);
    t.regex(table.stdout, new RegExp(`${s.host}\\s+${s.container}\\s+Up .*\\s+none\\s+${s.data}\\s+\\S+\\s+${image.replace(':', ':')}`));

    ok(t, await s.jindr('stop', '-r', s.host, '--no-gc'), 'stop');
    t.like(await find(), { state: 'exited', running: false, storageArea: s.data });
  });
}

e2e('a plain registry container publishing the port is recognised', async (t) => {
  const s = await setup(t);
  await dockerOk(['run', '-d', '--name', s.container, '-p', `127.0.0.1:${s.port}:5000`, 'registry:2']);
  const up = await s.jindr('up', '-r', s.host, '-d', s.data);
  ok(t, up, 'up');
  t.is(up.stdout.trim(), `registry already running as ${s.container} on ${s.host}`);
  const stat = await s.jindr('stat', '-r', s.host);
  t.is(stat.code, 0);
  t.regex(stat.stdout, /data in volume /);
});

e2e('start pulls a missing registry image, showing the pull, and runs it', async (t) => {
  const source = await startTestRegistry({ image: 'registry:2' });
  t.teardown(() => source.remove());
  const s = await setup(t);
  // The stand-in registry:2, served by another registry and not in the engine under that name.
  const ref = `${source.host}/team/registry:2`;
  await dockerOk(['tag', 'registry:2', ref]);
  await dockerOk(['push', ref]);
  await dockerOk(['rmi', ref]); // untags: registry:2 keeps the image
  t.teardown(() => removePulledImages(source.host));
  const up = await s.jindr('up', '-r', s.host, '-d', s.data, '--image', ref);
  ok(t, up, 'up');
  t.regex(up.stderr, /^2: Pulling from team\/registry$/m);
  t.true(up.stderr.includes(`Status: Downloaded newer image for ${ref}`), up.stderr);
  t.regex(up.stdout, new RegExp(`^registry created and started as ${s.container} on ${s.host} \\(${source.host}/team/registry:2, `));
  t.is((await dockerOk(['inspect', '-f', '{{.Config.Image}}', s.container])).trim(), ref);
  t.is((await s.jindr('stat', '-r', s.host)).code, 0);
});

e2e('start refuses a taken port, a data directory it cannot write, an image it cannot pull: one line, nothing created', async (t) => {
  const s = await setup(t);
  const noContainer = async (): Promise<void> => {
    t.is((await docker(['ps', '-aq', '--filter', `name=^${s.container}$`])).stdout.trim(), '');
  };

  // Something else listens on the port (not Docker).
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(s.port, '127.0.0.1', r));
  const taken = await s.jindr('up', '-r', s.host, '-d', s.data);
  await new Promise((r) => server.close(r));
  t.not(taken.code, 0);
  t.deepEqual(oneLine(taken), [
    `docker-jindr: port ${s.port} on 127.0.0.1 is already in use by another program: choose another port with -r localhost:PORT`,
  ]);
  await noContainer();

  // A container (not a registry) publishes the port.
  const blocker = `jindr-blocker-${s.port}`;
  t.teardown(async () => {
    await docker(['rm', '-f', '-v', blocker]);
  });
  await dockerOk([
    'create',
    '--name',
    blocker,
    '-p',
    `127.0.0.1:${s.port}:80`,
    '--entrypoint',
    '/bin/busybox',
    'registry:2',
    'sleep',
    '300',
  ]);
  await dockerOk(['start', blocker]);
  const byContainer = await s.jindr('up', '-r', s.host, '-d', s.data);
  t.not(byContainer.code, 0);
  t.deepEqual(oneLine(byContainer), [
    `docker-jindr: port ${s.port} is taken by the container ${blocker}: choose another port with -r localhost:PORT`,
  ]);
  await dockerOk(['rm', '-f', '-v', blocker]);

  for (const dir of ['/proc/jindr-e2e-data', '/proc/self', '/etc/hostname/data']) {
    const r = await s.jindr('up', '-r', s.host, '-d', dir);
    t.not(r.code, 0, dir);
    t.is(oneLine(r).length, 1);
    t.regex(r.stderr, new RegExp(`^docker-jindr: cannot use ${dir} as the registry's data directory: .*; choose another with -d DIR\\n$`));
  }
  await noContainer();

  const missing = `jindr-no-such-image-${s.port}:1`;
  const pull = await s.jindr('up', '-r', s.host, '-d', s.data, '--image', missing);
  t.not(pull.code, 0);
  const lines = oneLine(pull);
  t.regex(lines.at(-1)!, new RegExp(`^docker-jindr: cannot pull the image ${missing}: `));
  t.is(lines.filter((l) => l.startsWith('docker-jindr:')).length, 1);
  await noContainer();

  const named = await s.jindr('up', '-r', s.host, '-d', s.data, '-n', 'jindr-blocker-' + s.port + '-x');
  t.is(named.code, 0, 'a free name works');
  t.is((await dockerOk(['inspect', '--format', '{{.Name}}', `jindr-blocker-${s.port}-x`])).trim(), `/jindr-blocker-${s.port}-x`);
});

e2e('start refuses a data directory another registry keeps its data in; the first keeps running', async (t) => {
  const first = await setup(t);
  const second = await setup(t);
  t.is((await first.jindr('up', '-r', first.host, '-d', first.data)).code, 0);
  for (const dir of [first.data, `${first.data}/`, join(first.data, '..', 'data')]) {
    const r = await second.jindr('up', '-r', second.host, '-d', dir);
    t.is(r.code, 1, dir);
    t.deepEqual(oneLine(r), [
      `docker-jindr: ${dir.replace(/\/$/, '')} already holds the data of the registry container ${first.container} (${first.host}): give this registry its own directory with -d DIR`,
    ]);
  }
  t.is((await docker(['ps', '-aq', '--filter', `name=^${second.container}$`])).stdout.trim(), '', 'nothing created');
  t.is((await first.jindr('stat', '-r', first.host)).code, 0, 'the first still runs');
  // Stopped, its directory is still its own.
  t.is((await first.jindr('stop', '-G', '-r', first.host)).code, 0);
  t.is((await second.jindr('up', '-r', second.host, '-d', first.data)).code, 1);
  t.is((await second.jindr('up', '-r', second.host, '-d', second.data)).code, 0, 'its own directory works');
});

e2e('start refuses a registry address that is not on this machine', async (t) => {
  const s = await setup(t);
  for (const registry of ['example.com:5001', `${nonLoopback ?? '192.0.2.2'}:${s.port}`]) {
    const r = await s.jindr('start', '-r', registry, '-d', s.data);
    t.is(r.code, 1, registry);
    t.deepEqual(oneLine(r), [
      `docker-jindr: a registry can only be run on this machine: -r ${registry} is not local (use localhost:PORT, 127.x.x.x:PORT or [::1]:PORT)`,
    ]);
  }
});

e2e('the engine from contexts, DOCKER_HOST and currentContext; an unreachable one is one line naming it', async (t) => {
  const s = await setup(t);
  ok(t, await s.jindr('up', '-r', s.host, '-d', s.data), 'up');
  const dead = join(tmpdir(), `jindr-no-engine-${s.port}.sock`);
  await dockerOk(['context', 'create', 'jtest', '--docker', 'host=unix:///var/run/docker.sock'], { env: s.env });
  await dockerOk(['context', 'create', 'jdead', '--docker', `host=unix://${dead}`], { env: s.env });

  const viaContext = await docker(['--context', 'jtest', 'jindr', 'stat', '-r', s.host], { env: s.env });
  t.is(viaContext.code, 0, viaContext.stderr);
  t.regex(viaContext.stdout, /running as/);

  const deadContext = await docker(['--context', 'jdead', 'jindr', 'stat', '-r', s.host], { env: s.env });
  t.not(deadContext.code, 0);
  t.deepEqual(oneLine(deadContext).length, 1);
  t.true(
    deadContext.stderr.startsWith(`docker-jindr: cannot reach the Docker engine at unix://${dead} (context "jdead"): is it running?`),
    deadContext.stderr,
  );

  const envContext = await docker(['jindr', 'stat', '-r', s.host], { env: { ...s.env, DOCKER_CONTEXT: 'jdead' } });
  t.not(envContext.code, 0);
  t.regex(envContext.stderr, /\(context "jdead", from DOCKER_CONTEXT\)/);

  const dockerHost = await docker(['jindr', 'stat', '-r', s.host], { env: { ...s.env, DOCKER_HOST: `unix://${dead}` } });
  t.not(dockerHost.code, 0);
  t.deepEqual(oneLine(dockerHost), [
    expect(
      dockerHost.stderr,
      `docker-jindr: cannot reach the Docker engine at unix://${dead} (context "default", from DOCKER_HOST): is it running?`,
    ),
  ]);

  const unknown = await docker(['jindr', 'stat', '-r', s.host], { env: { ...s.env, DOCKER_CONTEXT: 'jnope' } });
  t.not(unknown.code, 0);
  t.deepEqual(oneLine(unknown), ['docker-jindr: context "jnope" (from DOCKER_CONTEXT) does not exist: docker context ls lists them']);

  // `docker context use` sets currentContext in config.json.
  await dockerOk(['context', 'use', 'jdead'], { env: s.env });
  const current = await docker(['jindr', 'stat', '-r', s.host], { env: s.env });
  t.not(current.code, 0);
  t.regex(current.stderr, /\(context "jdead", the current context in config\.json\)/);
  await dockerOk(['context', 'use', 'jtest'], { env: s.env });
  t.is((await docker(['jindr', 'stat', '-r', s.host], { env: s.env })).code, 0);
});

/** The line itself when it starts with prefix, so a mismatch shows the whole line. */
function expect(stderr: string, prefix: string): string {
  const line = stderr.trim();
  return line.startsWith(prefix) ? line : `${prefix}...`;
}

/** Runs a follower until its output shows `until`, then sends SIGINT; resolves with its exit. */
function interruptWhen(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  until: RegExp,
): Promise<{ code: number | null; signal: string | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let sent = false;
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (!sent && until.test(output)) {
        sent = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, output });
    });
  });
}

e2e('logs -f follows until Ctrl-C, alone and through the docker CLI', async (t) => {
  const s = await setup(t);
  ok(t, await s.jindr('up', '-r', s.host, '-d', s.data), 'up');
  const alone = await interruptWhen(pluginBinary, ['logs', '-f', '-r', s.host], s.env, /listening on/);
  t.is(alone.code, 130, alone.output);
  t.regex(alone.output, /listening on/);
  const viaDocker = await interruptWhen('docker', ['jindr', 'logs', '--follow', '-r', s.host], s.env, /listening on/);
  t.is(viaDocker.code, 130, viaDocker.output);
  t.regex(viaDocker.output, /listening on/);
});
