// docker-jindr against Podman's Docker-compatible engine: Debian's podman, its API service
// started here on a socket of its own (`podman system service`), driven through the real
// docker CLI with DOCKER_HOST pointing at it. The registry images come from Docker's engine
// (`docker save | podman load`). Podman keeps its images and containers apart from
// Docker's, so nothing here touches other tests. Outside CI, no podman skips these tests
// with a message; under CI (CI=true, where .ci/run installs podman) that is a failure.
//
// The service gets a containers.conf with lower default ulimits: rootful Podman 4.3 asks
// for nofile/nproc 1048576, which this sandbox refuses (see TEST-RIG.md); users need none.
import test, { type ExecutionContext, type SerialFn } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/engine.ts';
import { docker, jsonLines, makeDockerConfig, run, type RunResult } from '../helpers/run.ts';

const REGISTRIES_DIR = '/etc/containers/registries.conf.d';
const present = async (cmd: string, args: string[]): Promise<boolean> => (await run(cmd, args).catch(() => ({ code: -1 }))).code === 0;
const podmanThere = await present('podman', ['--version']);
const dockerThere = await present('docker', ['info', '--format', '{{.ServerVersion}}']);

if (!podmanThere || !dockerThere) {
  const missing = !podmanThere ? 'podman is not installed' : 'no Docker engine answers (its registry images are loaded into Podman)';
  if (process.env.CI === 'true') throw new Error(`${missing}: CI must provide it (.ci/run installs podman and starts Docker's engine)`);
  console.warn(`Skipping the Podman tests: ${missing} (apt-get install podman)`);
}

/** test.serial when podman and Docker's engine are here, test.serial.skip otherwise (never under CI). */
const e2e: SerialFn = podmanThere && dockerThere ? test.serial : (test.serial.skip as unknown as SerialFn);

interface PodmanService {
  dir: string;
  socket: string;
  process: ChildProcess;
  /** Images this file loaded into Podman (removed afterwards; ones it had before stay). */
  loaded: string[];
  /** Ports of the registries made here: their containers, images and registries.conf.d files go afterwards. */
  ports: number[];
}

let service: PodmanService | undefined;

async function startService(): Promise<PodmanService> {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-podman-'));
  const conf = join(dir, 'containers.conf');
  writeFileSync(conf, '[containers]\ndefault_ulimits = ["nofile=20000:20000","nproc=32768:32768"]\n');
  const socket = join(dir, 'podman.sock');
  const child = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], {
    env: { ...process.env, CONTAINERS_CONF: conf },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const s: PodmanService = { dir, socket, process: child, loaded: [], ports: [] };
  service = s;
  for (let i = 0; ; i++) {
    if ((await docker(['version', '--format', '{{.Server.Version}}'], { env: engineEnv(s) })).code === 0) break;
    if (i > 100 || child.exitCode !== null) throw new Error(`podman system service did not come up: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const image of ['registry:2', 'registry:3']) {
    if (await present('podman', ['image', 'exists', `localhost/${image}`])) continue;
    execFileSync('sh', ['-c', `docker save ${image} | podman load -q`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, DOCKER_HOST: '' },
    });
    s.loaded.push(`localhost/${image}`);
  }
  return s;
}

function engineEnv(s: PodmanService, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, DOCKER_HOST: `unix://${s.socket}` };
  delete out.DOCKER_CONTEXT;
  return out;
}

test.before(async () => {
  if (podmanThere && dockerThere) await startService();
});

test.after.always(async () => {
  const s = service;
  if (!s) return;
  s.process.kill('SIGTERM');
  if (s.process.exitCode === null) await new Promise((r) => s.process.once('exit', r));
  // Without the service: the podman CLI itself. Containers (gc helpers too), images, entries.
  const list = (args: string[]) => run('podman', args).then((r) => r.stdout.split('\n').filter(Boolean));
  for (const port of s.ports) {
    const ids = [
      ...(await list(['ps', '-aq', '--filter', `name=^jindr-${port}`])),
      ...(await list(['ps', '-aq', '--filter', `label=jindr.registry=localhost:${port}`])),
    ];
    if (ids.length > 0) await run('podman', ['rm', '-f', '-v', ...new Set(ids)]);
    const images = (await list(['images', '--format', '{{.Repository}}:{{.Tag}}'])).filter((i) => i.startsWith(`localhost:${port}/`));
    if (images.length > 0) await run('podman', ['rmi', '-f', ...images]);
    rmSync(join(REGISTRIES_DIR, `jindr-localhost-${port}.conf`), { force: true });
  }
  if (s.loaded.length > 0) await run('podman', ['rmi', ...s.loaded]);
  rmSync(s.dir, { recursive: true, force: true });
});

interface Registry {
  port: number;
  host: string;
  container: string;
  data: string;
  env: NodeJS.ProcessEnv;
  jindr(...args: string[]): Promise<RunResult>;
  /** docker CLI against Podman's engine. */
  docker(...args: string[]): Promise<RunResult>;
}

async function setup(t: ExecutionContext): Promise<Registry> {
  const s = service!;
  const port = await freePort();
  s.ports.push(port);
  const root = mkdtempSync(join(s.dir, 'reg-'));
  const cfg = makeDockerConfig();
  t.teardown(() => cfg.cleanup());
  const env = engineEnv(s, cfg.env);
  return {
    port,
    host: `localhost:${port}`,
    container: `jindr-${port}`,
    data: join(root, 'data'),
    env,
    jindr: (...args) => docker(['jindr', '-r', `localhost:${port}`, ...args], { env }),
    docker: (...args) => docker(args, { env }),
  };
}

function ok(t: ExecutionContext, r: RunResult, what: string): RunResult {
  t.is(r.code, 0, `${what} failed: ${r.stderr}`);
  return r;
}

/** A one-layer image of a few random bytes, made in Podman with `docker import`. */
async function importTiny(t: ExecutionContext, r: Registry, ref: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-tiny-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'hello.txt'), `hello ${Math.random()}\n`);
  execFileSync('tar', ['-C', dir, '-cf', join(dir, 'layer.tar'), 'hello.txt']);
  ok(t, await r.docker('import', join(dir, 'layer.tar'), ref), `docker import ${ref}`);
}

const containerId = async (r: Registry): Promise<string> => (await r.docker('inspect', '-f', '{{.Id}}', r.container)).stdout.trim();

e2e(
  'registry:2 on Podman: up allows plain HTTP (docker push works), ls/lsi/inspect/info, gc and stop collect, up --image keeps the container',
  async (t) => {
    const r = await setup(t);
    const ref = `${r.host}/jtest/tiny:1`;
    await importTiny(t, r, ref);
    // Before up: Podman reads its registries configuration now, and keeps it.
    t.not((await r.docker('push', ref)).code, 0, 'nothing to push to yet');

    const up = ok(t, await r.jindr('up', '-d', r.data, '--image', 'registry:2'), 'up');
    t.is(
      up.stdout,
      `registry created and started as ${r.container} on ${r.host} (registry:2, data in ${r.data})\n`,
      'the image as given, not localhost/registry:2',
    );
    const entry = join(REGISTRIES_DIR, `jindr-localhost-${r.port}.conf`);
    t.true(up.stderr.includes(`wrote ${entry} and had Podman's service (pid ${service!.process.pid}) read it again`), up.stderr);
    t.regex(readFileSync(entry, 'utf8'), new RegExp(`^\\[\\[registry\\]\\]\\nlocation = "${r.host}"\\ninsecure = true\\n`, 'm'));
    t.is((await r.docker('inspect', '-f', '{{.Config.Image}}', r.container)).stdout.trim(), 'localhost/registry:2', 'what Podman calls it');

    // Through Podman's engine, which now talks plain HTTP to it.
    ok(t, await r.docker('push', ref), 'docker push through Podman');
    t.regex(ok(t, await r.jindr('ls'), 'ls').stdout, new RegExp(`^${r.host}/jtest/tiny$`, 'm'));
    t.regex(ok(t, await r.jindr('lsi'), 'lsi').stdout, new RegExp(`^${r.host}/jtest/tiny\\s+1\\s+[0-9a-f]{12}\\s`, 'm'));
    t.regex(ok(t, await r.jindr('inspect', 'jtest/tiny:1'), 'inspect').stdout, /sha256:[0-9a-f]{64}/);
    t.regex(
      ok(t, await r.jindr('stat'), 'stat').stdout,
      new RegExp(`^${r.host}: running as ${r.container} \\(registry:2, data in ${r.data}\\)`),
    );
    const info = ok(t, await r.jindr('info'), 'info');
    t.regex(info.stderr, new RegExp(`^engine: Podman \\d+\\.\\d+\\.\\d+ at unix://${service!.socket} `, 'm'));
    t.regex(info.stdout, new RegExp(`^${r.host}\\s+${r.container}\\s+Up .*\\s+registry:2\\s*\\n`, 'm'));
    t.regex(ok(t, await r.jindr('logs'), 'logs').stderr + (await r.jindr('logs')).stdout, /listening on/);

    // gc: its helper container sees the registry's bind mount (no VolumesFrom for Podman < 4.7).
    ok(t, await r.jindr('rmi', '-f', 'jtest/tiny:1'), 'rmi');
    const gc = ok(t, await r.jindr('gc', '--grace', '0', '--format', 'json'), 'gc');
    const report = JSON.parse(gc.stdout) as { repositories: string[]; blobs: number; bytesFreed: number };
    t.deepEqual(report.repositories, ['jtest/tiny']);
    t.true(report.blobs >= 2 && report.bytesFreed > 0, gc.stdout);
    t.deepEqual((await r.docker('ps', '-aq', '--filter', `label=jindr.gc-for=${r.container}`)).stdout.trim(), '', 'no helper left');
    t.is((await r.docker('inspect', '-f', '{{.State.Running}}', r.container)).stdout.trim(), 'true', 'running again');

    // stop collects first, without "garbage collection failed".
    ok(t, await r.docker('push', ref), 'push again');
    ok(t, await r.jindr('rmi', '-f', 'jtest/tiny:1'), 'rmi again');
    const id = await containerId(r);
    const stop = ok(t, await r.jindr('stop', '--grace', '0'), 'stop');
    t.is(stop.stdout, `registry stopped: ${r.container} on ${r.host} (container kept, data in ${r.data})\n`);
    t.regex(stop.stderr, /^garbage collected: 1 repository, [1-9]\d* blobs?, /m);
    t.notRegex(stop.stderr, /failed/);
    t.true(existsSync(entry), 'the entry stays: start needs it again');

    // The same image named as Podman names it, or fully, is no change: the stopped container is started.
    for (const image of ['registry:2', 'docker.io/library/registry:2']) {
      const again = ok(t, await r.jindr('up', '--image', image), `up --image ${image}`);
      t.is(
        again.stdout,
        image === 'registry:2'
          ? `registry started as ${r.container} on ${r.host} (registry:2, data in ${r.data})\n`
          : `registry already running as ${r.container} on ${r.host}\n`,
      );
      t.notRegex(again.stderr, /not applied|wrote/, 'nothing ignored, nothing written again');
      t.is(await containerId(r), id, 'not re-created');
    }
    ok(t, await r.jindr('restart'), 'restart');
    ok(t, await r.docker('push', ref), 'push after the restart');
    t.is(await containerId(r), id);
  },
);

e2e('registry:3 (the default) on Podman: cp, du, prune and rmr, which restart the registry through the engine', async (t) => {
  const r = await setup(t);
  ok(t, await r.jindr('up', '-d', r.data), 'up');
  t.regex((await r.jindr('stat')).stdout, /\(registry:3, /);
  for (const tag of ['1', '2']) {
    await importTiny(t, r, `${r.host}/jtest/tiny:${tag}`);
    ok(t, await r.docker('push', `${r.host}/jtest/tiny:${tag}`), `push tiny:${tag}`);
  }
  ok(t, await r.jindr('cp', 'jtest/tiny:1', '--to', `${r.host}/jtest/copy:1`, '-q'), 'cp');
  const du = ok(t, await r.jindr('du'), 'du');
  t.regex(du.stdout, /^jtest\/copy\s/m);
  t.regex(du.stdout, /^jtest\/tiny\s/m);

  const prune = ok(t, await r.jindr('prune', '--grace', '0', '--keep', '1', '--protect', 'none', '-f', 'jtest/tiny'), 'prune');
  t.regex(prune.stderr + prune.stdout, /tiny/);
  const tags = ok(t, await r.jindr('lsi', 'jtest/tiny', '--format', 'json'), 'lsi').stdout;
  t.is(jsonLines(tags).length, 1, tags);

  ok(t, await r.jindr('rmr', 'jtest/copy'), 'rmr');
  t.notRegex(ok(t, await r.jindr('ls'), 'ls').stdout, /jtest\/copy/);
  t.is((await r.docker('inspect', '-f', '{{.State.Running}}', r.container)).stdout.trim(), 'true');
});

e2e(
  'up --tls on Podman: the CA goes where Podman reads it (/etc/containers/certs.d), no plain-HTTP entry; pushes and ls over TLS',
  async (t) => {
    const r = await setup(t);
    const certs = join('/etc/containers/certs.d', r.host);
    t.teardown(() => rmSync(certs, { recursive: true, force: true }));
    const up = ok(t, await r.jindr('up', '-d', r.data, '--tls'), 'up --tls');
    t.true(up.stderr.includes(`trust the registry's CA: ${join(certs, 'ca.crt')}`), up.stderr);
    t.is(readFileSync(join(certs, 'ca.crt'), 'utf8'), readFileSync(join(r.data, 'tls/ca.crt'), 'utf8'));
    t.false(existsSync(join(REGISTRIES_DIR, `jindr-localhost-${r.port}.conf`)), 'TLS needs no insecure entry');
    const ref = `${r.host}/jtest/tiny:1`;
    await importTiny(t, r, ref);
    ok(t, await r.docker('push', ref), 'docker push through Podman, over TLS');
    t.regex(ok(t, await r.jindr('lsi'), 'lsi').stdout, new RegExp(`^${r.host}/jtest/tiny\\s+1\\s`, 'm'));
    t.regex(ok(t, await r.jindr('stat'), 'stat').stdout, /, TLS\)/);
  },
);
