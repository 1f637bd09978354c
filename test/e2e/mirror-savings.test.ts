// `mirror ls` HITS, MISSES and SAVED against a real mirror: an upstream registry on a
// user-defined network (offline), a mirror of it started by the plugin, the same image
// pulled twice through it with skopeo. The figures are the registry's own proxy counters
// (its debug endpoint, read inside the container): the first pull is all misses (the
// manifest, its config and layers), the second all hits, and SAVED is exactly the bytes of
// the manifest and blobs the second pull was served from the cache. A restart of the
// container starts them from zero.
import type { ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { e2e, freePort, startTestRegistry } from '../helpers/engine.ts';
import { blobsOf, pushRandomImage } from '../helpers/images.ts';
import { docker, dockerOk, jsonLines, makeDockerConfig, run, type RunResult, jindr as jindrAlone } from '../helpers/run.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';

const NETWORK = `jindr-savings-net-${randomBytes(3).toString('hex')}`;
const cleanups = cleanupsAfterAll();
const tempDir = (prefix: string): string => cleanups.tempDir(prefix);

interface Figures {
  hits: number | null;
  misses: number | null;
  saved: number | null;
  countingSince: string | null;
}

e2e('mirror ls counts hits, misses and the bytes served from the cache, as the registry counts them', async (t: ExecutionContext) => {
  await dockerOk(['network', 'create', NETWORK]);
  cleanups.push(() => docker(['network', 'rm', NETWORK]));
  const upstream = await startTestRegistry({ network: NETWORK });
  cleanups.push(() => upstream.remove());
  const image = await pushRandomImage(upstream.host, 'library/savings', 'v1', { layers: 2, layerSize: 200_000 });

  const config = makeDockerConfig();
  cleanups.push(() => config.cleanup());
  config.env.XDG_CONFIG_HOME = tempDir('jindr-savings-xdg-');
  const jindr = (...args: string[]): Promise<RunResult> => jindrAlone(args, { env: config.env, timeoutMs: 180_000 });
  const mirror = `localhost:${await freePort()}`;
  const upstreamUrl = `http://${upstream.name}:5000`;
  const container = `jindr-mirror-${upstream.name}-5000`;
  const start = await jindr('-r', mirror, 'mirror', 'start', upstreamUrl, '--network', NETWORK, '-d', tempDir('jindr-savings-data-'));
  cleanups.push(() => docker(['rm', '-f', '-v', container]));
  t.is(start.code, 0, start.stderr);

  // The debug endpoint is the container's loopback only: nothing published but the registry's port.
  const ports = (await dockerOk(['port', container])).trim().split('\n');
  t.deepEqual(
    ports.map((p) => p.replace(/:\d+$/, '')),
    ['5000/tcp -> 127.0.0.1'],
  );

  const figures = async (): Promise<Figures> => {
    const ls = await jindr('mirror', 'ls', '--format', 'json');
    t.is(ls.code, 0, ls.stderr);
    const row = jsonLines<Figures & { container: string }>(ls.stdout).find((r) => r.container === container);
    if (!row) throw new Error(`mirror ls lists no ${container}: ${ls.stdout}`);
    return { hits: row.hits, misses: row.misses, saved: row.saved, countingSince: row.countingSince };
  };
  /** The registry stores a fetched blob after it has streamed it: its counters settle a moment later. */
  const settled = async (want: Omit<Figures, 'countingSince'>): Promise<Figures> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const now = await figures();
      if ((now.hits === want.hits && now.misses === want.misses && now.saved === want.saved) || Date.now() > deadline) return now;
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const pull = async (): Promise<void> => {
    const dir = tempDir('jindr-savings-pull-');
    const r = await run('skopeo', ['copy', '--src-tls-verify=false', `docker://${mirror}/library/savings:v1`, `oci:${dir}:x`]);
    t.is(r.code, 0, r.stderr);
  };

  const fresh = await figures();
  t.like(fresh, { hits: 0, misses: 0, saved: 0 });
  t.truthy(fresh.countingSince);

  const blobs = blobsOf(image);
  const cachedBytes = image.bytes.length + blobs.reduce((n, b) => n + b.size, 0);
  await pull();
  t.like(await settled({ hits: 0, misses: 1 + blobs.length, saved: 0 }), { hits: 0, misses: 1 + blobs.length, saved: 0 }, 'first pull');
  await pull();
  const second = { hits: 1 + blobs.length, misses: 1 + blobs.length, saved: cachedBytes };
  t.like(await settled(second), second, 'second pull: every manifest and blob from the cache');

  const table = await jindr('mirror', 'ls');
  t.regex(table.stdout, /^NAME +UPSTREAM +ADDRESS +STATUS +MODE +SIZE +IMAGES +HITS +MISSES +SAVED\n/);
  t.regex(table.stdout, new RegExp(`${upstream.name}-5000 .* ${second.hits} +${second.misses} +\\S+ ?[kM]?B\\n`));

  // The counters live in the registry's memory: a restart starts them again.
  t.is((await jindr('mirror', 'stop', `${upstream.name}-5000`)).code, 0);
  t.like(await figures(), { hits: null, misses: null, saved: null, countingSince: null }, 'a stopped mirror has no figures');
  t.is((await jindr('mirror', 'start', `${upstream.name}-5000`)).code, 0);
  t.like(await figures(), { hits: 0, misses: 0, saved: 0 });
});
