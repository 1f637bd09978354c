// Sorting names in the executable two ways: src/registry/name-order.ts's quick order first
// (the collator only for what it cannot judge, as compareTags does), and Intl.Collator
// ('en', { numeric: true }) alone. Two cases: `ls` of a small registry (3 repository
// names) and `lsi` of bench/list's 1000 x 5 (1000 repository names, then 1000 lists of 5
// tags). Each measurement is a fresh dist/docker-jindr process (`--version`, the sorting
// loaded first through NODE_OPTIONS=--require), so the collator's one-time cost (ICU's
// collation data) counts as a command pays it; CPU time of the sorting alone, medians of
// --runs rounds in a shuffled order. Both ways must give the same order.
//
//   npm run build && npm run bench -- name-order [--runs 15] [--json]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { median, option } from '../common.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const binary = join(root, 'dist/docker-jindr');
if (!existsSync(binary)) {
  console.error('dist/docker-jindr is missing: run npm run build first');
  process.exit(1);
}
const argv = process.argv.slice(2);
const RUNS = Number(option(argv, 'runs', '15'));
const json = argv.includes('--json');

const scratch = mkdtempSync(join(tmpdir(), 'jindr-bench-order-'));
const script = join(scratch, 'sort.cjs');
const entry = join(scratch, 'entry.ts');
writeFileSync(
  entry,
  `import { quickOrder } from ${JSON.stringify(join(root, 'src/registry/name-order.ts'))};
const { WAY, CASE } = process.env;
// As bench/list/populate.ts names them, in a shuffled order.
const shuffled = <T>(xs: T[]): T[] => xs.map((x) => [Math.random(), x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x);
const repos = shuffled(Array.from({ length: CASE === 'ls' ? 3 : 1000 }, (_, r) => 'bench/repo-' + String(r).padStart(4, '0')));
const tagLists = CASE === 'ls' ? [] : Array.from({ length: 1000 }, () => shuffled(['v0', 'v1', 'v2', 'v3', 'v4', 'v10', 'latest'].slice(0, 5)));
const start = process.cpuUsage();
let collator: Intl.Collator | undefined;
const byCollator = (a: string, b: string): number => (collator ??= new Intl.Collator('en', { numeric: true })).compare(a, b);
const compare = WAY === 'quick' ? (a: string, b: string): number => quickOrder(a, b) ?? byCollator(a, b) : byCollator;
const sorted = [repos.sort(compare), ...tagLists.map((t) => t.sort(compare))];
const used = process.cpuUsage(start);
process.stdout.write(JSON.stringify({ cpuMs: (used.user + used.system) / 1000, collator: collator !== undefined, order: sorted.map((l) => l.join(',')).join(';') }) + '\\n');
process.exit(0);
`,
);
await build({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node24',
  outfile: script,
  logLevel: 'warning',
});

interface Sample {
  cpuMs: number;
  collator: boolean;
  order: string;
}
function once(way: string, kase: string): Sample {
  const r = spawnSync(binary, ['--version'], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: `--require ${script}`, WAY: way, CASE: kase },
  });
  if (r.status !== 0) throw new Error(`${way} ${kase}: ${r.stderr}`);
  return JSON.parse(r.stdout.split('\n')[0]!) as Sample;
}

const cases = ['ls', 'lsi'] as const;
const ways = ['quick', 'collator'] as const;
const samples: Record<string, Sample[]> = {};
const startLoad = loadavg()[0]!.toFixed(2);
for (let run = 0; run < RUNS; run++) {
  const order = cases.flatMap((c) => ways.map((w) => [w, c] as const)).sort(() => Math.random() - 0.5);
  for (const [way, kase] of order) (samples[`${way} ${kase}`] ??= []).push(once(way, kase));
}
rmSync(scratch, { recursive: true, force: true });
// Same result: within a case the orders of both ways match (each process shuffles anew).
for (const kase of cases) {
  const orders = new Set(ways.flatMap((w) => samples[`${w} ${kase}`]!.map((s) => s.order)));
  if (orders.size !== 1) throw new Error(`${kase}: the two ways sort differently`);
}
const result = Object.fromEntries(
  Object.entries(samples).map(([k, v]) => [
    k,
    { cpuMs: +median(v.map((s) => s.cpuMs)).toFixed(2), collatorMade: v.some((s) => s.collator) },
  ]),
);
if (json) console.log(JSON.stringify({ runs: RUNS, loadAverage: { start: startLoad, end: loadavg()[0]!.toFixed(2) }, ...result }, null, 2));
else {
  console.log(
    `sorting names in dist/docker-jindr, CPU ms (median of ${RUNS} fresh processes each), load ${startLoad} -> ${loadavg()[0]!.toFixed(2)}`,
  );
  for (const kase of cases)
    console.log(
      `${kase.padEnd(4)} quick order first ${result[`quick ${kase}`]!.cpuMs} ms (collator made: ${result[`quick ${kase}`]!.collatorMade})   collator alone ${result[`collator ${kase}`]!.cpuMs} ms`,
    );
}
