// bench/list: `docker-jindr lsi` over a registry of 1000 repositories x 5 tags, three ways:
//   cold   lsi with an empty cache directory (XDG_CACHE_HOME fresh for each run): every
//          tag's manifest and config fetched
//   warm   lsi again with the cache the cold run left: one HEAD per tag, nothing fetched
//   quiet  lsi -q: the catalog and the tag lists only
// against (a) the same requests made one at a time (sequential.ts: the predecessor's way),
// (b) bare loops making the very requests cold lsi made, with undici (bare.ts), with
// Node's own http (bare-http.ts) and over node:net as lsi's transport sends them
// (bare-net.ts, also for warm's requests), and (c) the
// floor of each case: the requests it makes divided by the request rate `ab -k -c 16`
// (apache2-utils, keep-alive) gets from the same registry for each kind of request
// (GET /v2/, which lsi asks a loopback registry once to learn whether it is a mirror,
// catalog page, tag list, manifest GET, manifest HEAD, config blob GET), measured anew in
// every round next to the runs it is compared with. The registry spends about twice the CPU on a blob GET that it spends on
// a manifest GET, and half of a cold lsi's requests are config blobs.
// Every tag is its own single-platform image (own config, one layer shared per
// repository), so a cold lsi makes 1 catalog + 1000 tags/list + 5000 manifest + 5000
// config requests. Times are wall clock, process start included; ratios are taken per
// round and their median reported.
//
//   npm run build && npm run bench -- list [--repos 1000] [--tags 5] [--runs 3] [--image registry:2] [--json]
//   (or: node_modules/.bin/node bench/list/index.ts ...)
// Needs a Docker engine with the registry image, and ab. Removes its container at the end.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { populate } from './populate.ts';
import { median, option, startRegistry } from '../common.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const binary = join(root, 'dist/docker-jindr');
const node = process.execPath;

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string): string => option(argv, name, fallback);
const REPOS = Number(opt('repos', '1000'));
const TAGS = Number(opt('tags', '5'));
const RUNS = Number(opt('runs', '3'));
const IMAGE = opt('image', 'registry:2');
const json = argv.includes('--json');
const KINDS = ['base', 'catalog', 'tags', 'manifest', 'head', 'blob'] as const;
type Kind = (typeof KINDS)[number];

if (!existsSync(binary)) {
  console.error('dist/docker-jindr is missing: run npm run build first');
  process.exit(1);
}
if (spawnSync('ab', ['-V']).status !== 0) {
  console.error('ab is missing: apt-get install apache2-utils');
  process.exit(1);
}

function timed(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): { ms: number; stdout: string; stderr: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

const scratch = mkdtempSync(join(tmpdir(), 'jindr-bench-list-'));
let cacheDirs = 0;
/** An environment whose cache directory is new (a cold lsi), or the given one. */
const cacheEnv = (home = join(scratch, `cache-${cacheDirs++}`)): NodeJS.ProcessEnv => ({ ...process.env, XDG_CACHE_HOME: home });

/** The requests of a --debug run ("METHOD URL"), and how many of each kind. */
function requestsOf(stderr: string): { lines: string[]; counts: Record<Kind, number> } {
  const lines = [...stderr.matchAll(/^debug: (GET|HEAD) (http\S+) -> \d{3} \(/gm)].map((m) => `${m[1]} ${m[2]}`);
  const counts: Record<Kind, number> = { base: 0, catalog: 0, tags: 0, manifest: 0, head: 0, blob: 0 };
  for (const line of lines) {
    // GET /v2/: asking a loopback registry whether it is a mirror, once per run.
    const kind: Kind = /\/v2\/$/.test(line)
      ? 'base'
      : line.includes('/_catalog')
        ? 'catalog'
        : line.includes('/tags/list')
          ? 'tags'
          : line.startsWith('HEAD')
            ? 'head'
            : line.includes('/manifests/')
              ? 'manifest'
              : 'blob';
    counts[kind]++;
  }
  return { lines, counts };
}

const startLoad = +loadavg()[0]!.toFixed(2);
const { port, name } = await startRegistry(IMAGE, 'jindr-bench-list');
const host = `localhost:${port}`;
try {
  const t0 = Date.now();
  const sample = await populate(host, REPOS, TAGS);
  if (!json) console.error(`populated ${REPOS} repositories x ${TAGS} tags in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // How many requests each case makes, by kind: its --debug request lines, once.
  const warmHome = join(scratch, 'warm');
  const coldRun = timed(binary, ['-r', host, '-D', 'lsi', '--format', 'json'], cacheEnv(warmHome));
  const warmRun = timed(binary, ['-r', host, '-D', 'lsi', '--format', 'json'], cacheEnv(warmHome));
  const quietRun = timed(binary, ['-r', host, '-D', 'lsi', '-q'], cacheEnv());
  const cold = requestsOf(coldRun.stderr);
  const cases = { cold: cold.counts, warm: requestsOf(warmRun.stderr).counts, quiet: requestsOf(quietRun.stderr).counts };
  const rows = coldRun.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown).length; // one JSON object per line
  if (rows !== REPOS * TAGS) throw new Error(`lsi listed ${rows} tags, expected ${REPOS * TAGS}`);
  if (warmRun.stdout !== coldRun.stdout) throw new Error('the warm lsi printed something else than the cold one');
  if (quietRun.stdout.trim().split('\n').length !== REPOS * TAGS) throw new Error('lsi -q did not list every tag');

  const urlFile = join(scratch, 'urls');
  writeFileSync(urlFile, cold.lines.join('\n'));
  const warmUrlFile = join(scratch, 'warm-urls');
  writeFileSync(warmUrlFile, requestsOf(warmRun.stderr).lines.join('\n'));

  // The floors' URLs: one request of each kind.
  const base = `http://127.0.0.1:${port}/v2`;
  const manifest = (await (
    await fetch(`${base}/${sample.repository}/manifests/${sample.tag}`, { headers: { accept: sample.accept } })
  ).json()) as { config: { digest: string } };
  const urls: Record<Kind, string> = {
    base: `${base}/`,
    catalog: `${base}/_catalog?n=1000`,
    tags: `${base}/${sample.repository}/tags/list`,
    manifest: `${base}/${sample.repository}/manifests/${sample.tag}`,
    head: `${base}/${sample.repository}/manifests/${sample.tag}`,
    blob: `${base}/${sample.repository}/blobs/${manifest.config.digest}`,
  };
  /** ab's keep-alive rate (requests/s) for one kind at concurrency c. */
  const abRate = (kind: Kind, c: number, n: number): number => {
    const out = execFileSync(
      'ab',
      ['-q', '-k', ...(kind === 'head' ? ['-i'] : []), '-c', String(c), '-n', String(n), '-H', `Accept: ${sample.accept}`, urls[kind]],
      { encoding: 'utf8' },
    );
    const failed = Number(/Failed requests:\s+(\d+)/.exec(out)?.[1] ?? '0') + Number(/Non-2xx responses:\s+(\d+)/.exec(out)?.[1] ?? '0');
    if (failed > 0) throw new Error(`ab -c ${c} ${urls[kind]}: ${failed} failed requests`);
    return Math.round(Number(/Requests per second:\s+([\d.]+)/.exec(out)?.[1]));
  };
  const total = (counts: Record<Kind, number>) => KINDS.reduce((n, k) => n + counts[k], 0);
  const floorOf = (counts: Record<Kind, number>, rates: Record<Kind, number>) =>
    KINDS.reduce((sum, kind) => sum + (counts[kind] / rates[kind]) * 1000, 0);

  // Every round measures its own floor (ab -k -c 16 for each kind, as issue 11 defines it)
  // next to the runs it is compared with: this machine's speed drifts by 10-20% within
  // minutes (the same ab run took 8.3 s, then 10.5 s), so a floor measured once, minutes
  // away from the runs, moves every ratio by as much. Ratios are per round, then medians.
  const times = {
    cold: [] as number[],
    warm: [] as number[],
    quiet: [] as number[],
    bare: [] as number[],
    bareHttp: [] as number[],
    bareNet: [] as number[],
    bareNetWarm: [] as number[],
    sequential: [] as number[],
  };
  const roundFloors = { cold: [] as number[], warm: [] as number[], quiet: [] as number[] };
  const roundRates: Record<Kind, number>[] = [];
  let seqRequests = 0;
  for (let i = 0; i < RUNS; i++) {
    const rates = {} as Record<Kind, number>;
    for (const kind of KINDS) rates[kind] = abRate(kind, 16, kind === 'catalog' ? 200 : Math.min(Math.max(cases.cold[kind], 1000), 3000));
    roundRates.push(rates);
    for (const c of ['cold', 'warm', 'quiet'] as const) roundFloors[c].push(floorOf(cases[c], rates));
    times.cold.push(timed(binary, ['-r', host, 'lsi', '--format', 'json'], cacheEnv()).ms);
    times.bareNet.push(timed(node, [join(here, 'bare-net.ts'), urlFile]).ms);
    times.warm.push(timed(binary, ['-r', host, 'lsi', '--format', 'json'], cacheEnv(warmHome)).ms);
    times.bareNetWarm.push(timed(node, [join(here, 'bare-net.ts'), warmUrlFile]).ms);
    times.quiet.push(timed(binary, ['-r', host, 'lsi', '-q'], cacheEnv()).ms);
    times.bare.push(timed(node, [join(here, 'bare.ts'), urlFile]).ms);
    times.bareHttp.push(timed(node, [join(here, 'bare-http.ts'), urlFile]).ms);
    const s = timed(node, [join(here, 'sequential.ts'), host]);
    times.sequential.push(s.ms);
    seqRequests = (JSON.parse(s.stdout) as { requests: number }).requests;
  }

  const med = (xs: number[]) => Math.round(median(xs));
  const perRound = (xs: number[], ys: number[]) => +median(xs.map((x, i) => x / ys[i]!)).toFixed(2);
  const floors = { cold: median(roundFloors.cold), warm: median(roundFloors.warm), quiet: median(roundFloors.quiet) };
  const result = {
    registry: IMAGE,
    cpus: cpus().length,
    loadAverageAtStart: startLoad,
    loadAverageAtEnd: +loadavg()[0]!.toFixed(2),
    repositories: REPOS,
    tagsPerRepository: TAGS,
    runs: RUNS,
    requests: cases,
    sequentialRequests: seqRequests,
    ms: {
      cold: med(times.cold),
      warm: med(times.warm),
      quiet: med(times.quiet),
      bareUndici: med(times.bare),
      bareHttp: med(times.bareHttp),
      bareNet: med(times.bareNet),
      bareNetWarm: med(times.bareNetWarm),
      sequential: med(times.sequential),
    },
    abRequestsPerSecondByRound: roundRates,
    floorMs: { cold: Math.round(floors.cold), warm: Math.round(floors.warm), quiet: Math.round(floors.quiet), byRound: roundFloors },
    ratios: {
      coldOverFloor: perRound(times.cold, roundFloors.cold),
      warmOverFloor: perRound(times.warm, roundFloors.warm),
      quietOverFloor: perRound(times.quiet, roundFloors.quiet),
      quietOverCold: perRound(times.quiet, times.cold),
      warmOverCold: perRound(times.warm, times.cold),
      coldOverBareUndici: perRound(times.cold, times.bare),
      coldOverBareHttp: perRound(times.cold, times.bareHttp),
      bareHttpOverFloor: perRound(times.bareHttp, roundFloors.cold),
      coldOverBareNet: perRound(times.cold, times.bareNet),
      bareNetOverFloor: perRound(times.bareNet, roundFloors.cold),
      warmOverBareNetWarm: perRound(times.warm, times.bareNetWarm),
      bareNetWarmOverFloor: perRound(times.bareNetWarm, roundFloors.warm),
      sequentialOverCold: perRound(times.sequential, times.cold),
    },
  };
  if (json) console.log(JSON.stringify(result, null, 2));
  else {
    const secs = (ms: number) => (ms / 1000).toFixed(2);
    const r = result;
    console.log(
      `registry ${IMAGE}, ${r.cpus} CPUs (load average ${startLoad} at start, ${r.loadAverageAtEnd} at the end), ${REPOS} repositories x ${TAGS} tags, median of ${RUNS}`,
    );
    for (const c of ['cold', 'warm', 'quiet'] as const) {
      console.log(
        `lsi ${c.padEnd(5)}  ${secs(r.ms[c]).padStart(6)} s  floor ${secs(r.floorMs[c]).padStart(6)} s  (${total(cases[c])} requests ${JSON.stringify(cases[c])})`,
      );
    }
    console.log(`bare undici: ${secs(r.ms.bareUndici)} s  (cold lsi's requests, 16 at a time, bodies dropped)`);
    console.log(`bare http:   ${secs(r.ms.bareHttp)} s  (the same with Node's http)`);
    console.log(
      `bare net:    ${secs(r.ms.bareNet)} s  (the same over node:net, as lsi's transport sends them; warm's requests: ${secs(r.ms.bareNetWarm)} s)`,
    );
    console.log(`sequential:  ${secs(r.ms.sequential)} s  (${seqRequests} requests, one at a time)`);
    console.log(`ab -k -c 16 req/s by kind, each round: ${JSON.stringify(roundRates)}`);
    console.log(`ratios (per round, then the median): ${JSON.stringify(r.ratios)}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
  spawnSync('docker', ['rm', '-f', '-v', name], { stdio: 'ignore' });
}
