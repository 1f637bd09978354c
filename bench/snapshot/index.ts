// bench/snapshot: would a V8 start-up snapshot start docker-jindr faster than the code
// caches of dist/docker-jindr (build/sea.ts)? Builds two snapshot executables from the
// same sources (build-snapshot.ts): the evaluated bundle alone, and the bundle after a
// warm-up of --help, ls and a warm cp run inside the snapshot builder (its compiled
// functions kept in the snapshot), and an empty snapshot (Node's own heap and a
// deserialize main that writes the metadata answer: what any snapshot costs). Counts the
// instructions of each (valgrind's callgrind, so a loaded machine does not matter) for
// node -e 0, the Docker CLI's metadata request, --help, `ls` of a registry of 3 (+1)
// repositories and a warm `cp -q` of a two-platform busybox image whose blobs are all at
// the destination (two registry containers on loopback, as bench/startup and bench/warm-cp).
// V8 searches for a hash seed at start (HashSeed::InitializeRoots) for a number of
// instructions that varies from run to run: counts are shown with it and without it.
//
//   npm run build && npm run bench -- snapshot [--image registry:2] [--json]
// Needs valgrind, skopeo, a Docker engine with the registry image, test/rig/multiarch.sh's busybox binaries.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject, quiet } from '../../build/sea.ts';
import { hostTarget, resolveTarget } from '../../build/target.ts';
import { pushArchy } from '../../test/helpers/images.ts';
import { option, startRegistry } from '../common.ts';
import { populate } from '../list/populate.ts';
import { buildSnapshotExecutable } from './build-snapshot.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const binary = join(root, 'dist/docker-jindr');
const argv = process.argv.slice(2);
const IMAGE = option(argv, 'image', 'registry:2');
const json = argv.includes('--json');
const log = (m: string) => {
  if (!json) console.error(m);
};

for (const [what, ok] of [
  ['dist/docker-jindr (npm run build)', existsSync(binary)],
  ['valgrind', spawnSync('valgrind', ['--version']).status === 0],
  ['skopeo', spawnSync('skopeo', ['--version']).status === 0],
] as const) {
  if (!ok) {
    console.error(`${what} is missing`);
    process.exit(1);
  }
}

const work = mkdtempSync(join(tmpdir(), 'jindr-bench-snapshot-'));
const env = { ...process.env, XDG_CACHE_HOME: join(work, 'cache') };

/** Millions of instructions of one run: all of it, V8's hash-seed search, and the rest. */
function instructions(file: string, args: readonly string[], label: string): { total: number; seed: number; rest: number } {
  const out = join(work, `${label}.callgrind`);
  const run = spawnSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, file, ...args], { env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${label} failed (${run.status}): ${run.stderr.slice(-500)}`);
  const total = Number(/^summary:\s+(\d+)/m.exec(readFileSync(out, 'utf8'))![1]);
  const annotated = spawnSync('callgrind_annotate', ['--inclusive=yes', out], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
  const seedLine = annotated.split('\n').find((l) => l.includes('HashSeed::InitializeRoots'));
  const seed = seedLine ? Number(seedLine.trim().split(/\s+/)[0]!.replaceAll(',', '')) : 0;
  const m = (n: number) => +(n / 1e6).toFixed(1);
  return { total: m(total), seed: m(seed), rest: m(total - seed) };
}

/** The empty snapshot: Node's heap, a deserialize main that writes the metadata answer. */
function emptySnapshot(): string {
  const main = join(work, 'empty-main.cjs');
  writeFileSync(main, "require('node:v8').startupSnapshot.setDeserializeMainFunction(() => process.stdout.write('{}\\n'));\n");
  const config = join(work, 'empty-sea-config.json');
  const blob = join(work, 'empty.blob');
  writeFileSync(config, JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useSnapshot: true }));
  quiet(process.execPath, ['--experimental-sea-config', config], /Wrote single executable|ExperimentalWarning|--trace-warnings/);
  const file = join(work, 'docker-jindr-empty-snapshot');
  inject(root, resolveTarget(root, hostTarget), blob, file);
  return file;
}

const containers: string[] = [];
try {
  const src = await startRegistry(IMAGE, 'jindr-bench-snapshot-src');
  containers.push(src.name);
  const dst = await startRegistry(IMAGE, 'jindr-bench-snapshot-dst');
  containers.push(dst.name);
  const [from, to] = [`127.0.0.1:${src.port}`, `127.0.0.1:${dst.port}`];
  await populate(from, 3, 1);
  await pushArchy(from, { repo: 'busybox', tag: 'latest' });
  execFileSync(
    'skopeo',
    [
      'copy',
      '--all',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      `docker://${from}/busybox:latest`,
      `docker://${to}/busybox:latest`,
    ],
    { stdio: 'ignore' },
  );
  const commands: Record<string, string[]> = {
    metadata: ['docker-cli-plugin-metadata'],
    '--help': ['--help'],
    ls: ['-r', from, 'ls'],
    'warm cp -q': ['cp', '-q', `${from}/busybox:latest`, to],
  };

  log('building the snapshot executables...');
  let started = Date.now();
  const cold = await buildSnapshotExecutable(root, work);
  const coldSeconds = (Date.now() - started) / 1000;
  started = Date.now();
  const warm = await buildSnapshotExecutable(root, work, [
    ['--help'],
    ['lsi', '--help'],
    ['cp', '--help'],
    commands.ls!,
    commands['warm cp -q']!,
  ]);
  const warmSeconds = (Date.now() - started) / 1000;
  const empty = emptySnapshot();

  const builds: Record<string, string> = { 'code caches (dist/docker-jindr)': binary, snapshot: cold.file, 'snapshot, warmed': warm.file };
  const counts: Record<string, Record<string, ReturnType<typeof instructions>>> = {
    'node -e 0': { '': instructions(process.execPath, ['-e', '0'], 'node') },
    'empty snapshot': { metadata: instructions(empty, ['docker-cli-plugin-metadata'], 'empty-metadata') },
  };
  for (const [name, file] of Object.entries(builds)) {
    counts[name] = {};
    for (const [what, args] of Object.entries(commands)) {
      log(`${name}: ${what}`);
      counts[name][what] = instructions(file, args, `${name}-${what}`.replace(/[^\w-]+/g, '_'));
    }
  }
  const sizes = Object.fromEntries(Object.entries(builds).map(([name, file]) => [name, +(statSync(file).size / 1e6).toFixed(1)]));
  const result = { counts, sizesMB: sizes, snapshotBuildSeconds: { cold: coldSeconds, warm: warmSeconds } };
  if (json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    console.log("millions of instructions (callgrind): all / without V8's hash-seed search");
    for (const [name, byCommand] of Object.entries(counts)) {
      for (const [what, c] of Object.entries(byCommand)) {
        console.log(`  ${`${name} ${what}`.padEnd(50)} ${String(c.total).padStart(7)} / ${String(c.rest).padStart(7)}`);
      }
    }
    console.log(
      `sizes (MB): ${Object.entries(sizes)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    console.log(`snapshot builds: ${coldSeconds.toFixed(1)} s, warmed ${warmSeconds.toFixed(1)} s`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  if (containers.length) execFileSync('docker', ['rm', '-f', '-v', ...containers], { stdio: 'ignore' });
}
