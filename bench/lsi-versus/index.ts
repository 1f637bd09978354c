// `npm run bench -- lsi-versus --old PATH [--repos 1000] [--tags 5] [--runs 5]`: lsi of this
// build next to another build of docker-jindr (PATH: its dist/docker-jindr, e.g. one built
// from an earlier commit in a git worktree), on one registry filled as bench/list fills it.
// Cold (empty cache) and warm (the cache a cold run left) runs of both builds alternate,
// so the machine's drift falls on both alike; the ratio new/old is taken per round, then
// the median of the rounds. Issue 24's "lsi 1000x5 not slower than today" is this ratio.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { populate } from '../list/populate.ts';
import { median, option, startRegistry } from '../common.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const builds = { new: join(root, 'dist/docker-jindr'), old: resolve(option(argv, 'old', '')) };
const REPOS = Number(option(argv, 'repos', '1000'));
const TAGS = Number(option(argv, 'tags', '5'));
const RUNS = Number(option(argv, 'runs', '5'));
for (const [which, file] of Object.entries(builds)) {
  if (!existsSync(file)) {
    console.error(`${which} build missing: ${file} (npm run build; --old PATH names the other one)`);
    process.exit(1);
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'jindr-bench-versus-'));
let dirs = 0;
function lsi(file: string, host: string, cacheHome: string): { ms: number; lines: number } {
  const start = process.hrtime.bigint();
  const r = spawnSync(file, ['-r', host, 'lsi', '--format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, XDG_CACHE_HOME: cacheHome },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${file} lsi failed: ${r.stderr}`);
  return { ms, lines: r.stdout.trim().split('\n').length };
}

const startLoad = loadavg()[0]!.toFixed(2);
const { port, name } = await startRegistry(option(argv, 'image', 'registry:2'), 'jindr-bench-versus');
const host = `localhost:${port}`;
try {
  await populate(host, REPOS, TAGS);
  const warm = { new: join(scratch, 'warm-new'), old: join(scratch, 'warm-old') };
  for (const which of ['new', 'old'] as const) {
    const { lines } = lsi(builds[which], host, warm[which]); // fills the warm cache
    if (lines !== REPOS * TAGS) throw new Error(`${which} listed ${lines} images, not ${REPOS * TAGS}`);
  }
  const times = { cold: { new: [] as number[], old: [] as number[] }, warm: { new: [] as number[], old: [] as number[] } };
  for (let round = 0; round < RUNS; round++) {
    const order = round % 2 === 0 ? (['new', 'old'] as const) : (['old', 'new'] as const);
    for (const which of order) times.cold[which].push(lsi(builds[which], host, join(scratch, `cold-${dirs++}`)).ms);
    for (const which of order) times.warm[which].push(lsi(builds[which], host, warm[which]).ms);
  }
  console.log(`lsi of ${REPOS} x ${TAGS}, ${RUNS} rounds, load ${startLoad} -> ${loadavg()[0]!.toFixed(2)}`);
  for (const kind of ['cold', 'warm'] as const) {
    const t = times[kind];
    const ratios = t.new.map((ms, i) => ms / t.old[i]!);
    console.log(
      `${kind}: new ${median(t.new).toFixed(0)} ms, old ${median(t.old).toFixed(0)} ms, new/old per round ${ratios.map((r) => r.toFixed(2)).join(' ')}, median ${median(ratios).toFixed(2)}`,
    );
  }
} finally {
  spawnSync('docker', ['rm', '-f', '-v', name], { stdio: 'ignore' });
  rmSync(scratch, { recursive: true, force: true });
}
