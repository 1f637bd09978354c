// bench/warm-cp: a warm copy measured side by side as a new user measures it (issue 24):
// the executable itself, `docker-jindr cp -q SRC/busybox:latest DST`, against
// `skopeo copy --all docker://SRC/busybox:latest docker://DST/busybox:latest`, where SRC
// and DST are two registry containers on loopback, busybox is the two-platform image of
// the tests (test/helpers/images.ts: an OCI index over linux/amd64 and linux/arm64, one
// layer each), and DST already holds it all (skopeo copied it once, tag included).
// Nothing wraps the commands (no /usr/bin/time): wall-clock from spawn to exit, the order
// alternating from run to run, --runs runs (5, as the issue), median wall, ratio of the
// medians. --sets N repeats that N times and shows each set's ratio (a busy machine moves
// single sets a lot). With the docker CLI, `docker jindr cp -q ...` (the plugin installed
// into a DOCKER_CONFIG of the bench's own: the CLI starts it twice) is a third case.
// Before the runs, each tool's requests are counted in the registries' access logs.
//
//   npm run build && npm run bench -- warm-cp [--runs 5] [--sets 1] [--image registry:2] [--json]
// Needs a Docker engine with the registry image, skopeo, and test/rig/multiarch.sh's busybox binaries.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, option, startRegistry } from '../common.ts';
import { pushArchy } from '../../test/helpers/images.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const binary = join(root, 'dist/docker-jindr');
const argv = process.argv.slice(2);
const RUNS = Number(option(argv, 'runs', '5'));
const SETS = Number(option(argv, 'sets', '1'));
const IMAGE = option(argv, 'image', 'registry:2');
const json = argv.includes('--json');
const log = (m: string) => {
  if (!json) console.error(m);
};

for (const [what, ok] of [
  ['dist/docker-jindr (npm run build)', existsSync(binary)],
  ['skopeo', spawnSync('skopeo', ['--version']).status === 0],
] as const) {
  if (!ok) {
    console.error(`${what} is missing`);
    process.exit(1);
  }
}

interface Case {
  name: string;
  file: string;
  args: string[];
}

const src = await startRegistry(IMAGE, 'jindr-bench-warm-cp-src');
const containers = [src.name];
const home = mkdtempSync(join(tmpdir(), 'jindr-bench-warm-cp-'));
// jindr's cache directory of the bench's own (a warm copy with -q reads nothing there).
const env = { ...process.env, XDG_CACHE_HOME: join(home, 'cache'), DOCKER_CONFIG: join(home, 'docker') };

/** Runs a case once to its end: wall-clock ms from spawn to exit. */
function once(c: Case): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(c.file, c.args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${c.name} failed (${result.status}): ${String(result.stderr).slice(-500)}`);
  return ms;
}

/** The requests in each registry's access log (distribution's lines: "METHOD /v2/... HTTP/1.1"), once it stops growing. */
function accessLogs(names: string[]): string[][] {
  const read = () =>
    names.map((n) => {
      const out = spawnSync('docker', ['logs', n], { encoding: 'utf8' });
      return [...`${out.stdout}${out.stderr}`.matchAll(/"(GET|HEAD|PUT|POST|PATCH|DELETE) (\/v2\/[^ "]*)/g)].map((m) => `${m[1]} ${m[2]}`);
    });
  // The engine writes a container's log as it reads it: ask until two reads agree.
  let last = read();
  for (let i = 0; i < 20; i++) {
    spawnSync('sleep', ['0.3']);
    const now = read();
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  return last;
}

/** The requests each registry logged while fn ran: the lines after those there before (not timestamps: the engine stamps a line when it reads it). */
function requestsDuring(names: string[], fn: () => void): string[][] {
  const before = accessLogs(names);
  fn();
  return accessLogs(names).map((lines, i) => lines.slice(before[i]!.length));
}

try {
  const dst = await startRegistry(IMAGE, 'jindr-bench-warm-cp-dst');
  containers.push(dst.name);
  const [from, to] = [`127.0.0.1:${src.port}`, `127.0.0.1:${dst.port}`];
  const index = await pushArchy(from, { repo: 'busybox', tag: 'latest' });
  const skopeoArgs = [
    'copy',
    '--all',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    `docker://${from}/busybox:latest`,
    `docker://${to}/busybox:latest`,
  ];
  execFileSync('skopeo', skopeoArgs, { stdio: 'ignore' });
  const cases: Case[] = [
    { name: 'docker-jindr cp -q', file: binary, args: ['cp', '-q', `${from}/busybox:latest`, to] },
    { name: 'skopeo copy --all', file: 'skopeo', args: skopeoArgs },
  ];
  if (spawnSync('docker', ['--version']).status === 0) {
    mkdirSync(join(home, 'docker', 'cli-plugins'), { recursive: true });
    copyFileSync(binary, join(home, 'docker', 'cli-plugins', 'docker-jindr'));
    cases.push({ name: 'docker jindr cp -q', file: 'docker', args: ['jindr', 'cp', '-q', `${from}/busybox:latest`, to] });
  }
  // What each one asks of the registries (and a first run of each, for the page cache).
  const requests = Object.fromEntries(
    cases.map((c) => {
      const [s, d] = requestsDuring([src.name, dst.name], () => once(c));
      return [c.name, { source: s!.length, destination: d!.length, lines: [...s!.map((l) => `src ${l}`), ...d!.map((l) => `dst ${l}`)] }];
    }),
  );
  for (const [name, r] of Object.entries(requests)) log(`${name}: ${r.source} requests to the source, ${r.destination} to the destination`);
  const digest = spawnSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${to}/busybox:latest`]);
  if (digest.status !== 0 || !String(digest.stdout).includes(index.manifests[0]!.digest))
    throw new Error('the destination does not hold the image');

  const [jindr, skopeo] = [cases[0]!.name, cases[1]!.name];
  const sets: Array<{ medians: Record<string, number>; runs: Record<string, number[]>; ratio: number }> = [];
  for (let set = 0; set < SETS; set++) {
    const runs: Record<string, number[]> = Object.fromEntries(cases.map((c) => [c.name, []]));
    for (let run = 0; run < RUNS; run++) {
      // Who goes first alternates: the second of two back-to-back runs finds more in caches.
      for (const c of run % 2 ? [...cases].reverse() : cases) runs[c.name]!.push(once(c));
    }
    const medians = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)]));
    sets.push({ medians, runs, ratio: medians[jindr]! / medians[skopeo]! });
    log(
      `set ${set + 1}/${SETS}: ${Object.entries(medians)
        .map(([k, v]) => `${k} ${v.toFixed(1)} ms`)
        .join(', ')}; ${jindr} / ${skopeo} ${sets.at(-1)!.ratio.toFixed(2)}`,
    );
  }
  const ratios = sets.map((s) => s.ratio);
  const result = {
    registry: IMAGE,
    cpus: cpus().length,
    loadAverage: loadavg()[0],
    runs: RUNS,
    sets: SETS,
    medians: Object.fromEntries(cases.map((c) => [c.name, +median(sets.map((s) => s.medians[c.name]!)).toFixed(1)])),
    ratio: +median(ratios).toFixed(2),
    ratioRange: [+Math.min(...ratios).toFixed(2), +Math.max(...ratios).toFixed(2)],
    requests,
    sample: sets.map((s) => s.runs),
  };
  if (json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    console.log(
      `warm cp of a two-platform busybox image, ${IMAGE} -> ${IMAGE}, ${result.cpus} CPUs, load ${result.loadAverage!.toFixed(1)}, ${SETS} set(s) of ${RUNS} interleaved runs`,
    );
    for (const [name, ms] of Object.entries(result.medians))
      console.log(
        `  ${name.padEnd(22)} ${ms.toFixed(1).padStart(7)} ms median wall   (${requests[name]!.source} + ${requests[name]!.destination} requests)`,
      );
    console.log(
      `  ${jindr} / ${skopeo}: ${result.ratio.toFixed(2)} x${SETS > 1 ? ` (median of the sets; ${result.ratioRange[0]}-${result.ratioRange[1]})` : ''}`,
    );
  }
} finally {
  rmSync(home, { recursive: true, force: true });
  execFileSync('docker', ['rm', '-f', '-v', ...containers], { stdio: 'ignore' });
}
