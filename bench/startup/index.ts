// Start-up of the plugin against bare Node: how long until a process that answers the
// Docker CLI's metadata request, --version or --help, or a command that talks to a
// registry (`ls` of a registry of 3 repositories, `lsi` of an empty one; two registry
// containers on loopback), has exited, next to `node -e 0` on the same Node 24 binary the
// executable is built from; and `docker jindr ls` through the real Docker CLI (metadata,
// then the command) against the predecessor's 624 ms (the aim: 0.2x, 125 ms). Every case
// runs once per round, in a shuffled order, so drift on the machine hits all of them
// alike; wall-clock medians and mean CPU times are compared.
//
//   npm run bench -- startup [--runs N] [--image registry:2] [--json]
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { option, startRegistry } from '../common.ts';
import { populate } from '../list/populate.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const binary = join(root, 'dist/docker-jindr');
if (!existsSync(binary)) {
  console.error('dist/docker-jindr is missing: run npm run build first');
  process.exit(1);
}

const argv = process.argv.slice(2);
const runsAt = argv.indexOf('--runs');
const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 40;
const json = argv.includes('--json');
const IMAGE = option(argv, 'image', 'registry:2');
/** The predecessor's `jindr ls` end to end, measured once on this machine (issue 11). */
const PREDECESSOR_LS_MS = 624;

interface Case {
  name: string;
  file: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

// A registry with 3 repositories for ls, an empty one for lsi; a cache directory of the run's own.
const full = await startRegistry(IMAGE, 'jindr-bench-startup');
const empty = await startRegistry(IMAGE, 'jindr-bench-startup-empty');
const containers = [full.name, empty.name];
await populate(`127.0.0.1:${full.port}`, 3, 1).catch((err: unknown) => {
  execFileSync('docker', ['rm', '-f', '-v', ...containers], { stdio: 'ignore' });
  throw err;
});
const dockerConfig = mkdtempSync(join(tmpdir(), 'jindr-bench-'));
const jindrEnv = { ...process.env, XDG_CACHE_HOME: join(dockerConfig, 'cache') };

const cases: Case[] = [
  { name: 'node -e 0', file: process.execPath, args: ['-e', '0'] },
  { name: 'docker-jindr docker-cli-plugin-metadata', file: binary, args: ['docker-cli-plugin-metadata'] },
  { name: 'docker-jindr --version', file: binary, args: ['--version'] },
  // The command table's data (help is made from it); no command's module.
  { name: 'docker-jindr --help', file: binary, args: ['--help'] },
  // A command that talks to a registry: one catalog request (and the mirror check).
  { name: 'docker-jindr ls', file: binary, args: ['-r', `127.0.0.1:${full.port}`, 'ls'], env: jindrEnv },
  { name: 'docker-jindr lsi (empty registry)', file: binary, args: ['-r', `127.0.0.1:${empty.port}`, 'lsi'], env: jindrEnv },
];

// Through the real Docker CLI too: it runs the plugin twice (metadata, then the command),
// so compare it with the CLI's own --version, and `docker jindr ls` with the predecessor.
const hasDocker = spawnSync('docker', ['--version']).status === 0;
if (hasDocker) {
  mkdirSync(join(dockerConfig, 'cli-plugins'));
  copyFileSync(binary, join(dockerConfig, 'cli-plugins/docker-jindr'));
  const env = { ...jindrEnv, DOCKER_CONFIG: dockerConfig };
  cases.push(
    { name: 'docker --version', file: 'docker', args: ['--version'], env },
    { name: 'docker jindr --version', file: 'docker', args: ['jindr', '--version'], env },
    { name: 'docker jindr ls', file: 'docker', args: ['jindr', '-r', `127.0.0.1:${full.port}`, 'ls'], env },
  );
}

/** CPU time (user + system, ms) of this process's waited-for children so far, from /proc. */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): cutime and cstime are fields 16 and 17, in clock ticks (1/100 s)
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** With perf, CPU time is its task-clock (to the microsecond), in runs of their own; else /proc's 10 ms ticks. */
const hasPerf = spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', 'true']).status === 0;
const perfOut = join(dockerConfig, 'perf-stat');

/** Wall-clock ms of one run, and the CPU ms it used. */
function once(c: Case): { wall: number; cpu: number } {
  const cpu0 = childrenCpuMs();
  const start = process.hrtime.bigint();
  const result = spawnSync(c.file, c.args, { env: c.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${c.name} failed (${result.status}): ${result.stderr}`);
  let cpu = childrenCpuMs() - cpu0;
  if (hasPerf) {
    const counted = spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', '-o', perfOut, '--', c.file, ...c.args], {
      env: c.env ?? process.env,
      stdio: 'ignore',
    });
    if (counted.status !== 0) throw new Error(`${c.name} failed under perf stat (${counted.status})`);
    cpu = Number(
      readFileSync(perfOut, 'utf8')
        .split('\n')
        .find((l) => l.includes('task-clock'))!
        .split(',')[0],
    );
  }
  return { wall, cpu };
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

try {
  for (const c of cases) once(c); // warm the page cache
  const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const cpu = new Map<string, number>(cases.map((c) => [c.name, 0]));
  for (let round = 0; round < runs; round++) {
    for (const c of shuffled(cases)) {
      const t = once(c);
      times.get(c.name)!.push(t.wall);
      cpu.set(c.name, cpu.get(c.name)! + t.cpu);
    }
  }
  const medians = Object.fromEntries([...times].map(([name, t]) => [name, median(t)]));
  const cpuMeans = Object.fromEntries([...cpu].map(([name, total]) => [name, total / runs]));
  const ratiosOf = (v: Record<string, number>): Record<string, number> => {
    const r: Record<string, number> = {
      'metadata / node -e 0': v['docker-jindr docker-cli-plugin-metadata']! / v['node -e 0']!,
      '--version / node -e 0': v['docker-jindr --version']! / v['node -e 0']!,
      '--help / node -e 0': v['docker-jindr --help']! / v['node -e 0']!,
      'ls / node -e 0': v['docker-jindr ls']! / v['node -e 0']!,
      'lsi (empty) / node -e 0': v['docker-jindr lsi (empty registry)']! / v['node -e 0']!,
    };
    if (hasDocker) r['docker jindr --version / docker --version'] = v['docker jindr --version']! / v['docker --version']!;
    return r;
  };
  // Wall-clock is what a person waits for; CPU time is steadier when the machine is busy.
  const ratios = { wall: ratiosOf(medians), cpu: ratiosOf(cpuMeans) };
  const predecessor = hasDocker
    ? { 'docker jindr ls / predecessor jindr ls (624 ms)': medians['docker jindr ls']! / PREDECESSOR_LS_MS }
    : {};
  if (json) {
    console.log(
      JSON.stringify(
        { runs, node: process.version, cpus: cpus().length, loadAverage: loadavg()[0], medians, cpuMeans, ratios, predecessor },
        null,
        2,
      ),
    );
  } else {
    console.log(
      `startup: ${runs} interleaved runs each (Node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)})`,
    );
    console.log(`  ${'case'.padEnd(42)} ${'median wall'.padStart(12)} ${'mean CPU'.padStart(10)}`);
    for (const [name, ms] of Object.entries(medians)) {
      console.log(`  ${name.padEnd(42)} ${ms.toFixed(1).padStart(9)} ms ${cpuMeans[name]!.toFixed(1).padStart(7)} ms`);
    }
    console.log(`  ${'ratios'.padEnd(42)} ${'wall'.padStart(12)} ${'CPU'.padStart(10)}`);
    for (const name of Object.keys(ratios.wall)) {
      console.log(`  ${name.padEnd(42)} ${ratios.wall[name]!.toFixed(2).padStart(10)} x ${ratios.cpu[name]!.toFixed(2).padStart(8)} x`);
    }
    for (const [name, ratio] of Object.entries(predecessor)) console.log(`  ${name.padEnd(42)} ${ratio.toFixed(2).padStart(10)} x (wall)`);
  }
} finally {
  rmSync(dockerConfig, { recursive: true, force: true });
  execFileSync('docker', ['rm', '-f', '-v', ...containers], { stdio: 'ignore' });
}
