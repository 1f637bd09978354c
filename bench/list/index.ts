// bench/list: `docker-jindr lsi` over a registry of 1000 repositories x 5 tags, against
//   (a) the same requests made one at a time (sequential.ts: the predecessor's way), and
//   (b) the floor: the requests lsi makes divided by the request rate that `ab -k`
//       (apache2-utils, keep-alive) gets from the same registry (best of several
//       concurrencies). Two floors are printed: every request at the rate of a manifest
//       GET, and each kind of request (catalog page, tag list, manifest, config blob) at
//       its own rate: the registry spends about twice the CPU on a blob GET that it
//       spends on a manifest GET, and half of lsi's requests are config blobs.
// Every tag is its own single-platform image (own config, one layer shared per
// repository), so lsi makes 1 catalog + 1000 tags/list + 5000 manifest + 5000 config
// requests. Times are wall clock, medians of --runs runs; lsi's include process start.
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
const KINDS = ['catalog', 'tags', 'manifest', 'blob'] as const;
type Kind = (typeof KINDS)[number];

if (!existsSync(binary)) {
  console.error('dist/docker-jindr is missing: run npm run build first');
  process.exit(1);
}
if (spawnSync('ab', ['-V']).status !== 0) {
  console.error('ab is missing: apt-get install apache2-utils');
  process.exit(1);
}

function timed(file: string, args: string[]): { ms: number; stdout: string; stderr: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

const startLoad = +loadavg()[0]!.toFixed(2);
const { port, name } = await startRegistry(IMAGE, 'jindr-bench-list');
const host = `localhost:${port}`;
try {
  const t0 = Date.now();
  const sample = await populate(host, REPOS, TAGS);
  if (!json) console.error(`populated ${REPOS} repositories x ${TAGS} tags in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // How many requests lsi makes, by kind: count its --debug request lines once.
  const counted = timed(binary, ['-r', host, '-D', 'lsi', '--format', 'json']);
  const requestPaths = counted.stderr.split('\n').filter((l) => / -> \d{3} \(/.test(l));
  const requests = requestPaths.length;
  const kindOf = (line: string): Kind => (line.includes('/_catalog') ? 'catalog' : line.includes('/tags/list') ? 'tags' : line.includes('/manifests/') ? 'manifest' : 'blob');
  const counts: Record<Kind, number> = { catalog: 0, tags: 0, manifest: 0, blob: 0 };
  for (const line of requestPaths) counts[kindOf(line)]++;
  const rows = (JSON.parse(counted.stdout) as unknown[]).length;
  if (rows !== REPOS * TAGS) throw new Error(`lsi listed ${rows} tags, expected ${REPOS * TAGS}`);

  const urlFile = join(mkdtempSync(join(tmpdir(), 'jindr-bench-list-')), 'urls');
  writeFileSync(urlFile, requestPaths.map((l) => / (http\S+) -> /.exec(l)?.[1]).join('\n'));

  const lsi: number[] = [];
  const seq: number[] = [];
  const bare: number[] = [];
  let seqRequests = 0;
  for (let i = 0; i < RUNS; i++) {
    lsi.push(timed(binary, ['-r', host, 'lsi', '--format', 'json']).ms);
    bare.push(timed(node, [join(here, 'bare.ts'), urlFile]).ms);
    const s = timed(node, [join(here, 'sequential.ts'), host]);
    seq.push(s.ms);
    seqRequests = (JSON.parse(s.stdout) as { requests: number }).requests;
  }
  rmSync(dirname(urlFile), { recursive: true, force: true });

  // The floors: ab's best keep-alive rate for one request of each kind, over a few concurrencies.
  const base = `http://127.0.0.1:${port}/v2`;
  const manifest = (await (await fetch(`${base}/${sample.repository}/manifests/${sample.tag}`, { headers: { accept: sample.accept } })).json()) as { config: { digest: string } };
  const urls: Record<Kind, string> = {
    catalog: `${base}/_catalog?n=1000`,
    tags: `${base}/${sample.repository}/tags/list`,
    manifest: `${base}/${sample.repository}/manifests/${sample.tag}`,
    blob: `${base}/${sample.repository}/blobs/${manifest.config.digest}`,
  };
  const rates = {} as Record<Kind, Record<string, number>>;
  const best = {} as Record<Kind, number>;
  for (const kind of KINDS) {
    rates[kind] = {};
    for (const c of [8, 16, 32]) {
      const n = Math.max(kind === 'catalog' ? 200 : counts[kind], 2000);
      const out = execFileSync('ab', ['-q', '-k', '-c', String(c), '-n', String(n), '-H', `Accept: ${sample.accept}`, urls[kind]], { encoding: 'utf8' });
      const rate = Number(/Requests per second:\s+([\d.]+)/.exec(out)?.[1]);
      const failed = Number(/Failed requests:\s+(\d+)/.exec(out)?.[1] ?? '0') + Number(/Non-2xx responses:\s+(\d+)/.exec(out)?.[1] ?? '0');
      if (failed > 0) throw new Error(`ab -c ${c} ${urls[kind]}: ${failed} failed requests`);
      rates[kind][c] = Math.round(rate);
    }
    best[kind] = Math.max(...Object.values(rates[kind]));
  }
  const floorMs = (requests / best.manifest) * 1000;
  const floorByKindMs = KINDS.reduce((sum, kind) => sum + (counts[kind] / best[kind]) * 1000, 0);
  const result = {
    registry: IMAGE, cpus: cpus().length, loadAverageAtStart: startLoad, repositories: REPOS, tagsPerRepository: TAGS, runs: RUNS,
    lsiRequests: requests, lsiRequestsByKind: counts, sequentialRequests: seqRequests,
    lsiMs: Math.round(median(lsi)), bareUndiciMs: Math.round(median(bare)), sequentialMs: Math.round(median(seq)),
    abRequestsPerSecond: rates, floorMs: Math.round(floorMs), floorByKindMs: Math.round(floorByKindMs),
    lsiOverFloor: +(median(lsi) / floorMs).toFixed(2),
    lsiOverFloorByKind: +(median(lsi) / floorByKindMs).toFixed(2),
    lsiOverBareUndici: +(median(lsi) / median(bare)).toFixed(2),
    sequentialOverLsi: +(median(seq) / median(lsi)).toFixed(2),
  };
  if (json) console.log(JSON.stringify(result, null, 2));
  else {
    const secs = (ms: number) => (ms / 1000).toFixed(2);
    console.log(`registry ${IMAGE}, ${cpus().length} CPUs (load average ${startLoad} at start), ${REPOS} repositories x ${TAGS} tags, median of ${RUNS}`);
    console.log(`lsi:         ${secs(result.lsiMs)} s  (${requests} requests ${JSON.stringify(counts)}, ${Math.round(requests / (median(lsi) / 1000))} req/s, process start included)`);
    console.log(`bare undici: ${secs(result.bareUndiciMs)} s  (the same URLs, 16 at a time, bodies dropped)`);
    console.log(`sequential:  ${secs(result.sequentialMs)} s  (${seqRequests} requests, one at a time)`);
    console.log(`ab -k req/s by kind and concurrency: ${JSON.stringify(rates)}`);
    console.log(`floor, all at the manifest rate: ${secs(result.floorMs)} s   floor, each kind at its rate: ${secs(result.floorByKindMs)} s`);
    console.log(`lsi / floor = ${result.lsiOverFloor}x   lsi / floor by kind = ${result.lsiOverFloorByKind}x   lsi / bare undici = ${result.lsiOverBareUndici}x   sequential / lsi = ${result.sequentialOverLsi}x`);
  }
} finally {
  spawnSync('docker', ['rm', '-f', '-v', name], { stdio: 'ignore' });
}
