// Mirrors that start and serve offline (issue 23 item 3), against real containers: an
// upstream registry on a user-defined network (the offline test upstream of TEST-RIG.md),
// a mirror of it started by the plugin, an image pulled through (skopeo, so it is cached);
// the upstream stopped before the mirror starts: the mirror comes up offline, says so,
// serves the cached image with the same digests and refuses a push; the upstream back: the
// next mirror start pulls through again. gc's restart (and `restart`) with the upstream
// down brings the mirror back offline. And an upstream answering 429 or 503 for manifests (a small HTTP
// forwarder in front of the real upstream): the cached tag is still served.
import type { ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { e2e, freePort, registryImages, startTestRegistry, waitForRegistry, type TestRegistry } from '../helpers/engine.ts';
import { buildRandomImage, pushImageManifest } from '../helpers/images.ts';
import { docker, dockerOk, jsonLines, makeDockerConfig, run, type RunResult, jindr as jindrAlone } from '../helpers/run.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';

const ID = randomBytes(3).toString('hex');
const NETWORK = `jindr-offline-net-${ID}`;
const OFFLINE_LINE = 'offline: serving 1 cached images from cache';

const cleanups = cleanupsAfterAll();
const tempDir = (prefix: string): string => cleanups.tempDir(prefix);

interface Rig {
  upstream: TestRegistry;
  gateway: string;
  /** app:v1, on the upstream from the start. */
  v1: string;
  data: string;
  jindr(...args: string[]): Promise<RunResult>;
}

let shared: Promise<Rig> | undefined;

async function rig(): Promise<Rig> {
  await dockerOk(['network', 'create', NETWORK]);
  cleanups.push(() => docker(['network', 'rm', NETWORK]));
  const gateway = (await dockerOk(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', NETWORK])).trim();
  const upstream = await startTestRegistry({ network: NETWORK });
  cleanups.push(() => upstream.remove());
  const image = buildRandomImage({ layers: 2 });
  await pushImageManifest(upstream.host, 'app', 'v1', image);
  const config = makeDockerConfig();
  cleanups.push(() => config.cleanup());
  config.env.XDG_CONFIG_HOME = tempDir('jindr-offline-xdg-');
  const data = tempDir('jindr-offline-data-');
  return {
    upstream,
    gateway,
    v1: image.digest,
    data,
    jindr: (...args) => jindrAlone(args, { env: config.env, timeoutMs: 180_000 }),
  };
}

function ok(t: ExecutionContext, r: RunResult, what: string): void {
  t.is(r.code, 0, `${what}: ${r.stderr}`);
}

async function digestOf(ref: string): Promise<string> {
  const r = await run('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${ref}`], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`skopeo inspect ${ref}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Pulls the whole image (manifest, config, layers) through the mirror: it is cached then. */
async function pull(ref: string): Promise<void> {
  const dir = tempDir('jindr-offline-pull-');
  const r = await run('skopeo', ['copy', '--src-tls-verify=false', `docker://${ref}`, `oci:${dir}:x`], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`skopeo copy ${ref}: ${r.stderr}`);
}

async function upstreamUp(r: Rig): Promise<void> {
  await dockerOk(['start', r.upstream.name]);
  await waitForRegistry(`http://127.0.0.1:${r.upstream.port}/v2/`);
}

function mirrorRow(ls: RunResult, container: string): Record<string, unknown> | undefined {
  return jsonLines(ls.stdout).find((x) => x.container === container);
}

e2e(
  'the upstream stopped before the mirror starts: it serves its cache offline, read-only; back up, the next mirror start pulls through',
  async (t) => {
    const r = await (shared ??= rig());
    const mirror = `localhost:${await freePort()}`;
    const url = `http://${r.upstream.name}:5000`;
    const container = `jindr-mirror-${r.upstream.name}-5000`;
    const start = await r.jindr('-r', mirror, 'mirror', 'start', url, '--network', NETWORK, '-d', r.data);
    ok(t, start, 'mirror start');
    cleanups.push(() => docker(['rm', '-f', '-v', container]));
    t.false(start.stderr.includes('offline'), start.stderr);
    await pull(`${mirror}/app:v1`);
    t.is(await digestOf(`${mirror}/app:v1`), r.v1);

    await dockerOk(['stop', r.upstream.name]);
    try {
      ok(t, await r.jindr('mirror', 'stop', url), 'mirror stop');
      const offline = await r.jindr('mirror', 'start', url, '--format', 'json');
      ok(t, offline, 'mirror start with the upstream stopped');
      const lines = offline.stderr.split('\n');
      t.true(lines.includes(OFFLINE_LINE), offline.stderr);
      t.true(
        lines.some((l) => l.startsWith(`the mirror cannot reach ${url} (dial tcp: lookup ${r.upstream.name}`) && l.includes('read-only')),
        offline.stderr,
      );
      t.like(JSON.parse(offline.stdout), { outcome: 'started', mode: 'offline', offline: { images: 1 } });
      // The cached image, whole and with the same digest; nothing new can be pushed.
      t.is(await digestOf(`${mirror}/app:v1`), r.v1);
      await pull(`${mirror}/app:v1`);
      const push = await fetch(`http://${mirror.replace('localhost', '127.0.0.1')}/v2/app/blobs/uploads/`, { method: 'POST' });
      t.is(push.status, 405, 'read-only: a push is refused');
      t.like(mirrorRow(await r.jindr('mirror', 'ls', '--format', 'json'), container), { running: true, mode: 'offline', images: 1 });
      const info = await r.jindr('info', '--format', 'json');
      t.like(mirrorRow(info, container), { mirrorOf: url, mirrorMode: 'offline' });
      t.regex((await r.jindr('mirror', 'ls')).stdout, new RegExp(`^${r.upstream.name}-5000\\s.*\\soffline\\s`, 'm'));
    } finally {
      await upstreamUp(r);
    }

    // Back: an image only the upstream has comes through the mirror after the next mirror start.
    const v2 = buildRandomImage({ layers: 1 });
    await pushImageManifest(r.upstream.host, 'app', 'v2', v2);
    const back = await r.jindr('mirror', 'start', url, '--format', 'json');
    ok(t, back, 'mirror start with the upstream back');
    t.false(back.stderr.includes('offline'), back.stderr);
    t.like(JSON.parse(back.stdout), { outcome: 'started', mode: 'pull-through', offline: null });
    t.is(await digestOf(`${mirror}/app:v2`), v2.digest);
    t.like(mirrorRow(await r.jindr('mirror', 'ls', '--format', 'json'), container), { mode: 'pull-through', images: 2 });
    const again = await r.jindr('mirror', 'start', url, '--format', 'json');
    t.like(JSON.parse(again.stdout), { outcome: 'already-running', mode: 'pull-through' });
  },
);

e2e("gc's restart, and restart, with the upstream down: the mirror comes back offline, serving its cache, not dead", async (t) => {
  const r = await (shared ??= rig());
  const url = `http://${r.upstream.name}:5000`;
  const container = `jindr-mirror-${r.upstream.name}-5000`;
  let mirror = (mirrorRow(await r.jindr('mirror', 'ls', '--format', 'json'), container)?.address as string | undefined) ?? '';
  if (mirror === '') {
    mirror = `localhost:${await freePort()}`;
    ok(t, await r.jindr('-r', mirror, 'mirror', 'start', url, '--network', NETWORK, '-d', r.data), 'mirror start');
    cleanups.push(() => docker(['rm', '-f', '-v', container]));
  }
  const v3 = buildRandomImage({ layers: 1 });
  await pushImageManifest(r.upstream.host, 'app', 'v3', v3);
  await pull(`${mirror}/app:v1`);
  await pull(`${mirror}/app:v3`);
  // Something for gc to collect, so that it stops the mirror and starts it again.
  ok(t, await r.jindr('-r', mirror, 'rmi', 'app:v3'), 'rmi');
  await r.jindr('-r', mirror, 'rmi', 'app:v2'); // cached by the first test, when it ran

  await dockerOk(['stop', r.upstream.name]);
  try {
    const gc = await r.jindr('-r', mirror, 'gc', '--grace', '0', '--format', 'json');
    ok(t, gc, 'gc with the upstream down');
    t.true((JSON.parse(gc.stdout) as { blobs: number }).blobs > 0, 'gc collected, so it restarted the mirror');
    t.true(gc.stderr.split('\n').includes(OFFLINE_LINE), gc.stderr);
    t.is((await dockerOk(['inspect', '-f', '{{.State.Running}} {{.State.Restarting}}', container])).trim(), 'true false');
    t.is(await digestOf(`${mirror}/app:v1`), r.v1);
    t.like(mirrorRow(await r.jindr('mirror', 'ls', '--format', 'json'), container), { mode: 'offline', images: 1 });
  } finally {
    await upstreamUp(r);
  }
  const back = await r.jindr('mirror', 'start', url, '--format', 'json');
  t.like(JSON.parse(back.stdout), { mode: 'pull-through' });

  // restart of the pull-through mirror with the upstream down: offline too.
  await dockerOk(['stop', r.upstream.name]);
  try {
    const restart = await r.jindr('-r', mirror, 'restart');
    ok(t, restart, 'restart with the upstream down');
    t.true(restart.stderr.split('\n').includes(OFFLINE_LINE), restart.stderr);
    t.is(await digestOf(`${mirror}/app:v1`), r.v1);
  } finally {
    await upstreamUp(r);
  }
  t.like(JSON.parse((await r.jindr('mirror', 'start', url, '--format', 'json')).stdout), { mode: 'pull-through' });
});

/** An HTTP forwarder to the upstream that answers manifest requests with `status` when set. */
async function startFlakyUpstream(
  host: string,
  targetPort: number,
): Promise<{ port: number; status: number | undefined; seen: string[]; close(): Promise<void> }> {
  const state = { status: undefined as number | undefined, seen: [] as string[] };
  const server: Server = createServer((req, res) => {
    const manifest = /^\/v2\/.+\/manifests\//.test(req.url ?? '');
    if (manifest && state.status !== undefined) {
      state.seen.push(`${req.method} ${req.url} ${state.status}`);
      const code = state.status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE';
      res.writeHead(state.status, { 'content-type': 'application/json', ...(state.status === 429 ? { 'retry-after': '60' } : {}) });
      res.end(JSON.stringify({ errors: [{ code, message: 'answered by the test' }] }));
      return;
    }
    const forward = httpRequest(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return Object.assign(state, {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

e2e('an upstream answering 429 or 503 for manifests: the cached tag is answered from the cache (registry 3 and 2)', async (t) => {
  const r = await (shared ??= rig());
  const flaky = await startFlakyUpstream(r.gateway, r.upstream.port);
  cleanups.push(() => flaky.close());
  const url = `http://${r.gateway}:${flaky.port}`;
  for (const image of registryImages) {
    const mirror = `localhost:${await freePort()}`;
    const start = await r.jindr(
      '-r',
      mirror,
      'mirror',
      'start',
      url,
      '--network',
      NETWORK,
      '-d',
      r.data,
      '--image',
      image,
      '--format',
      'json',
    );
    ok(t, start, `mirror start --image ${image}`);
    const container = (JSON.parse(start.stdout) as { container: string }).container;
    cleanups.push(() => docker(['rm', '-f', '-v', container]));
    flaky.status = undefined;
    await pull(`${mirror}/app:v1`);
    for (const status of [429, 503]) {
      flaky.status = status;
      flaky.seen.length = 0;
      t.is(await digestOf(`${mirror}/app:v1`), r.v1, `${image}: served from the cache while the upstream answers ${status}`);
      t.true(
        flaky.seen.some((s) => s.includes('/v2/app/manifests/v1') && s.endsWith(` ${status}`)),
        `${image}: the mirror asked its upstream, which answered ${status}: ${flaky.seen.join(', ')}`,
      );
      const uncached = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${mirror}/app:never-pulled`]);
      t.not(uncached.code, 0, `${image}: what was never pulled is not there`);
    }
    flaky.status = undefined;
    ok(t, await r.jindr('mirror', 'rm', url, '--purge'), 'mirror rm --purge');
  }
});
