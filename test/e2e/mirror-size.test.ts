// A mirror within a size (mirror start --max-size, mirror trim) against a real mirror of an
// offline upstream on a user-defined network: three images cached (the two-platform archy
// between two single-platform ones; the one fetched first is pulled again last), a limit
// that fits two. Within the grace period nothing goes; `mirror trim --grace 0` evicts the least
// recently pulled, archy, whole (index, both platforms, their configs and layers: gone from
// storage), and the other two still pull from the cache, the upstream stopped, with the
// same digests (skopeo). du -r shows the limit and what is used; gc on the mirror trims too.
import type { ExecutionContext } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { e2e, freePort, startTestRegistry, waitForRegistry } from '../helpers/engine.ts';
import { blobsOf, pushArchy, pushRandomImage, type Blob } from '../helpers/images.ts';
import { docker, dockerOk, makeDockerConfig, run, type RunResult, jindr as jindrAlone } from '../helpers/run.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';

const NETWORK = `jindr-size-net-${randomBytes(3).toString('hex')}`;
const cleanups = cleanupsAfterAll();
const tempDir = (prefix: string): string => cleanups.tempDir(prefix);

const sum = (blobs: readonly Blob[]): number => blobs.reduce((n, b) => n + b.size, 0);

e2e(
  'a mirror over its --max-size gives up the least recently pulled image, whole, and keeps serving the rest',
  async (t: ExecutionContext) => {
    await dockerOk(['network', 'create', NETWORK]);
    cleanups.push(() => docker(['network', 'rm', NETWORK]));
    const upstream = await startTestRegistry({ network: NETWORK });
    cleanups.push(() => upstream.remove());
    const archy = await pushArchy(upstream.host);
    const one = await pushRandomImage(upstream.host, 'one', 'v1', { layers: 2, layerSize: 300_000 });
    const two = await pushRandomImage(upstream.host, 'two', 'v1', { layers: 2, layerSize: 300_000 });
    const archyBlobs: Blob[] = [archy, ...archy.manifests, ...blobsOf(archy)];
    const oneBlobs: Blob[] = [one, ...blobsOf(one)];
    const twoBlobs: Blob[] = [two, ...blobsOf(two)];

    const config = makeDockerConfig();
    cleanups.push(() => config.cleanup());
    config.env.XDG_CONFIG_HOME = tempDir('jindr-size-xdg-');
    const jindr = (...args: string[]): Promise<RunResult> => jindrAlone(args, { env: config.env, timeoutMs: 180_000 });
    const mirror = `localhost:${await freePort()}`;
    const name = `${upstream.name}-5000`;
    const container = `jindr-mirror-${name}`;
    const start = await jindr(
      '-r',
      mirror,
      'mirror',
      'start',
      `http://${upstream.name}:5000`,
      '--network',
      NETWORK,
      '-d',
      tempDir('jindr-size-data-'),
    );
    cleanups.push(() => docker(['rm', '-f', '-v', container]));
    t.is(start.code, 0, start.stderr);

    const pull = async (ref: string): Promise<string> => {
      const dir = tempDir('jindr-size-pull-');
      const r = await run('skopeo', ['copy', '--all', '--src-tls-verify=false', `docker://${mirror}/${ref}`, `oci:${dir}:x`]);
      t.is(r.code, 0, `${ref}: ${r.stderr}`);
      const raw = await run('skopeo', ['inspect', '--raw', `oci:${dir}:x`]);
      return `sha256:${createHash('sha256').update(raw.stdout).digest('hex')}`;
    };
    /** Which of the blobs the mirror's storage holds. */
    const held = async (blobs: readonly Blob[]): Promise<string[]> => {
      const paths = blobs.map((b) => `/var/lib/registry/docker/registry/v2/blobs/sha256/${b.digest.slice(7, 9)}/${b.digest.slice(7)}/data`);
      const r = await docker(['exec', container, 'sh', '-c', 'for f; do [ -f "$f" ] && echo "$f"; done; true', 'sh', ...paths]);
      return blobs.filter((_, i) => r.stdout.includes(paths[i]!)).map((b) => b.digest);
    };
    /** The registry stores a fetched blob after it has streamed it. */
    const waitHeld = async (blobs: readonly Blob[]): Promise<void> => {
      const deadline = Date.now() + 30_000;
      while ((await held(blobs)).length < blobs.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    };

    // one is fetched first but pulled again last: by the access log, archy is the least recently pulled.
    t.is(await pull('one:v1'), one.digest);
    t.is(await pull('archy:latest'), archy.digest);
    t.is(await pull('two:v1'), two.digest);
    t.is(await pull('one:v1'), one.digest);
    await waitHeld([...archyBlobs, ...oneBlobs, ...twoBlobs]);
    t.is((await held([...archyBlobs, ...oneBlobs, ...twoBlobs])).length, archyBlobs.length + oneBlobs.length + twoBlobs.length);

    // Fits one and two, not archy as well.
    const limit = sum(oneBlobs) + sum(twoBlobs) + Math.floor(sum(archyBlobs) / 2);
    const set = await jindr('mirror', 'start', name, '--max-size', String(limit));
    t.is(set.code, 0, set.stderr);
    t.regex(set.stderr, /keeps its cache under/);
    t.regex(set.stderr, /stays over its limit: 3 image\(s\) were pulled within the grace period/, 'within the grace period nothing goes');
    t.is((await held(archyBlobs)).length, archyBlobs.length);

    const du = await jindr('-r', mirror, 'du');
    t.is(du.code, 0, du.stderr);
    t.regex(du.stderr, /a mirror kept under \S+B .*: \S+B used/);

    const trim = await jindr('mirror', 'trim', name, '--grace', '0', '--format', 'json');
    t.is(trim.code, 0, trim.stderr);
    const report = JSON.parse(trim.stdout) as { maxSize: number; evicted: { repository: string; digest: string; tags: string[] }[] };
    t.is(report.maxSize, limit);
    t.deepEqual(
      report.evicted.map((e) => [e.repository, e.digest, e.tags]),
      [['archy', archy.digest, ['latest']]],
    );
    t.deepEqual(await held(archyBlobs), [], 'archy is gone whole: its index, both platforms, their configs and layers');
    t.is((await held([...oneBlobs, ...twoBlobs])).length, oneBlobs.length + twoBlobs.length);

    // The other two come from the cache: the upstream is stopped.
    await dockerOk(['stop', upstream.name]);
    t.is(await pull('one:v1'), one.digest);
    t.is(await pull('two:v1'), two.digest);

    const again = await jindr('mirror', 'trim', name, '--grace', '0');
    t.is(again.code, 0, again.stderr);
    t.regex(again.stdout, /uses \S+ of its \S+: nothing to evict/);

    // gc on the mirror trims too: archy cached again is the most recent, one the least.
    await dockerOk(['start', upstream.name]);
    await waitForRegistry(`http://127.0.0.1:${upstream.port}/v2/`);
    t.is(await pull('archy:latest'), archy.digest);
    await waitHeld(archyBlobs);
    const fitsTwoAndArchy = sum(twoBlobs) + sum(archyBlobs) + Math.floor(sum(oneBlobs) / 2);
    // mirror config sets a limit as mirror start does (nothing pulled an hour ago: nothing goes yet).
    const configured = await jindr('mirror', 'config', name, '--max-size', String(fitsTwoAndArchy));
    t.is(configured.code, 0, configured.stderr);
    t.regex(configured.stderr, /keeps its cache under \S+B/);
    t.regex(configured.stdout, /hosts\.toml/, 'and prints the settings as ever');
    const gc = await jindr('-r', mirror, 'gc', '--grace', '0');
    t.is(gc.code, 0, gc.stderr);
    t.regex(gc.stderr, /evicting one:v1 /);
    t.deepEqual(await held(oneBlobs), []);
    t.is((await held([...twoBlobs, ...archyBlobs])).length, twoBlobs.length + archyBlobs.length);
  },
);
