// Heavy modules must stay out of start-up: the AWS SDK is for `cpe` only, dockerode
// for commands that reach the engine, the page and its server (src/ui) for `ui`, and each
// command's module for that command (build/lazy-commands.ts). esbuild evaluates a module imported with import(), or
// required inside a function of the generated command table, only when that runs, so none
// may be reachable from the entry through static imports. This walks esbuild's own import
// graph of the bundle. And the bundle run for `ls` or `lsi` loads none of Node's heavier
// modules (crypto, TLS, child processes: ~20 ms of start-up each), nor a warm `cp -q`.
import test, { type ExecutionContext } from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { bundleOptions } from '../../build/bundle.ts';
import { commandEntries } from '../../build/lazy-commands.ts';
import { commands } from '../../src/cli/commands/index.ts';
import { startOciRegistry } from '../fakes/oci-registry.ts';
import { buildIndex, buildRandomImage } from '../helpers/images.ts';
import { repoRoot } from '../helpers/run.ts';

const { metafile, outputFiles } = await build({ ...bundleOptions(repoRoot), metafile: true, logLevel: 'silent' });

function staticallyReachable(meta: Metafile, entry: string): Map<string, string> {
  const via = new Map<string, string>([[entry, '']]);
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift()!;
    for (const imp of meta.inputs[file]?.imports ?? []) {
      // The generated command table requires each command's module inside its functions.
      const lazy = imp.kind === 'dynamic-import' || (imp.kind === 'require-call' && file === 'src/cli/commands/index.ts');
      if (lazy || imp.external || via.has(imp.path)) continue;
      via.set(imp.path, file);
      queue.push(imp.path);
    }
  }
  return via;
}

function chain(via: Map<string, string>, file: string): string {
  const path = [file];
  while (via.get(path[0]!)) path.unshift(via.get(path[0]!)!);
  return path.join(' -> ');
}

const reachable = staticallyReachable(metafile, 'src/cli/bin.ts');

test("the command line is read by yargs' parser alone: yargs-parser is in the bundle, yargs' command framework (and its cliui, y18n, string-width) is not", (t) => {
  const inputs = Object.keys(metafile.inputs);
  t.true(inputs.some((f) => inPackage(f, 'yargs-parser/')));
  t.deepEqual(
    inputs.filter((f) => ['yargs/', 'cliui/', 'y18n/', 'string-width/'].some((p) => inPackage(f, p))),
    [],
  );
});

/** Whether an input of the bundle is in package pkg ("@aws-sdk/"); node_modules may be a symlink (a worktree's). */
const inPackage = (file: string, pkg: string): boolean => file.startsWith(`node_modules/${pkg}`) || file.includes(`/node_modules/${pkg}`);

/** Whether an input is in one of our folders ("src/ui/") or a package. */
const inPlace = (file: string, place: string): boolean => (place.startsWith('src/') ? file.startsWith(place) : inPackage(file, place));

for (const heavy of [
  '@aws-sdk/',
  // The SDK's SigV4 signer, which src/aws/s3-sign.ts uses for reading S3 storage.
  '@smithy/signature-v4/',
  'dockerode/',
  'src/ui/',
  'src/cli/commands/ls.ts',
  'src/cli/commands/lsi.ts',
  'src/cli/commands/cp.ts',
  'src/engine/',
  'src/storage/',
]) {
  test(`${heavy.startsWith('src/') ? heavy : `node_modules/${heavy}`} is not evaluated at start-up (only through import())`, (t) => {
    t.true(
      Object.keys(metafile.inputs).some((f) => inPlace(f, heavy)),
      `${heavy} is in the bundle at all`,
    );
    const eager = [...reachable.keys()].find((f) => inPlace(f, heavy));
    t.is(eager, undefined, eager && `statically imported: ${chain(reachable, eager)}`);
  });
}

test('ssh2 is not in the bundle at all: ssh:// engines go through the ssh binary (src/engine/ssh-agent.ts)', (t) => {
  t.true(
    Object.keys(metafile.inputs).some((f) => inPackage(f, 'docker-modem/')),
    'docker-modem is in the bundle',
  );
  t.deepEqual(
    Object.keys(metafile.inputs).filter(
      (f) => inPackage(f, 'ssh2/') || inPackage(f, 'cpu-features/') || f.endsWith('docker-modem/lib/ssh.js'),
    ),
    [],
  );
});

test('no type-check library in the bundle: src/json-shape.ts has its own guards, and nothing builds an Intl.ListFormat at start-up', (t) => {
  t.deepEqual(
    Object.keys(metafile.inputs).filter((f) => inPackage(f, '@sindresorhus/is/')),
    [],
  );
  t.false(outputFiles[0]!.text.includes('new Intl.ListFormat('), 'a ListFormat built at start-up');
});

test('the bundle has no real import() left, which the executable could not run', (t) => {
  const code = outputFiles[0]!.text;
  const found = /[^\w.]import\((?!\))/.exec(code);
  t.is(found, null, found ? code.slice(found.index - 60, found.index + 40) : '');
});

test("the page is in the bundle as text made at build time: src/ui/assets.ts's body is the built script and style sheet", (t) => {
  const code = outputFiles[0]!.text;
  t.true(Object.keys(metafile.inputs).includes('src/ui/assets.ts'));
  t.false(
    Object.keys(metafile.inputs).some((f) => f.startsWith('build/') || f.includes('node_modules/esbuild/')),
    'no bundler in the bundle',
  );
  t.false(
    Object.keys(metafile.inputs).some((f) => f.includes('node_modules/preact/')),
    'preact only in the page, not in the program',
  );
  t.regex(code, /Skip to content/, 'the views are in it');
});

test("the bundle's command table is the sources' table: every row's data (name, aliases, description, flags, positionals, examples, fields, subcommands), in order", async (t) => {
  const entries = await commandEntries(repoRoot);
  t.deepEqual(
    entries.map((e) => e.data),
    commands.map(({ run: _run, ...data }) => JSON.parse(JSON.stringify(data)) as unknown),
  );
  t.true(outputFiles[0]!.text.includes('docker-jindr.load-commands'), 'the bundle has the generated table');
});

/** A directory with the bundle and a hook that writes, at exit, the built-in modules loaded beyond what `node -e 0` loads. */
function hooked(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-lazy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'bundle.cjs'), outputFiles[0]!.text);
  writeFileSync(
    join(dir, 'hook.cjs'),
    `const base = new Set(process.moduleLoadList);
    const exit = process.exit;
    process.exit = (code) => { require('fs').writeFileSync(${JSON.stringify(join(dir, 'loaded'))} + process.pid, process.moduleLoadList.filter((m) => !base.has(m)).join('\\n')); exit(code); };`,
  );
  return dir;
}

const HEAVY = /^NativeModule (crypto|tls|https|child_process|zlib|http2|v8|vm)$/;

test("`ls` and `lsi` load none of Node's crypto, TLS, https, child_process, zlib, v8 or vm modules", (t) => {
  const dir = hooked(t);
  for (const args of [['ls'], ['lsi'], ['lsi', '-q']]) {
    // Port 9 on loopback: refused at once, after the command's modules are evaluated and its request made.
    const run = spawnSync(process.execPath, ['-r', join(dir, 'hook.cjs'), join(dir, 'bundle.cjs'), '-r', '127.0.0.1:9', ...args], {
      encoding: 'utf8',
      env: { ...process.env, XDG_CACHE_HOME: dir },
    });
    t.regex(run.stderr, /no registry answers on 127\.0\.0\.1:9/, args.join(' '));
    const loaded = spawnSync('sh', ['-c', `cat ${JSON.stringify(dir)}/loaded${run.pid}`], { encoding: 'utf8' }).stdout.split('\n');
    t.true(loaded.includes('NativeModule net'), 'the hook saw the modules');
    const heavy = loaded.filter((m) => HEAVY.test(m));
    t.deepEqual(heavy, [], args.join(' '));
  }
});

test('a warm `cp -q` of a two-platform index loads none of them either (its manifest is hashed without node:crypto)', async (t) => {
  const dir = hooked(t);
  const [src, dst] = [await startOciRegistry(), await startOciRegistry()];
  t.teardown(src.close);
  t.teardown(dst.close);
  const index = buildIndex('oci', [buildRandomImage({ layers: 1 }), buildRandomImage({ layers: 1 })]);
  src.store.pushIndex('app', 'v1', index);
  dst.store.pushIndex('app', 'v1', index);
  // The registries answer from this process: the command runs beside it, not blocking it.
  const run = spawn(process.execPath, ['-r', join(dir, 'hook.cjs'), join(dir, 'bundle.cjs'), 'cp', '-q', `${src.host}/app:v1`, dst.host], {
    env: { ...process.env, XDG_CACHE_HOME: dir },
  });
  let stdout = '';
  run.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const [code] = (await once(run, 'close')) as [number];
  t.is(code, 0);
  t.is(stdout, `${dst.host}/app:v1\n`);
  const loaded = readFileSync(join(dir, `loaded${run.pid}`), 'utf8').split('\n');
  t.true(loaded.includes('NativeModule net'), 'the hook saw the modules');
  t.deepEqual(
    loaded.filter((m) => HEAVY.test(m)),
    [],
  );
});
