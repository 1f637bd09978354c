// Heavy modules must stay out of start-up: the AWS SDK is for `cpe` only, dockerode
// for commands that reach the engine, the page and its server (src/ui) for `ui`. esbuild evaluates a module imported with import()
// only when that import() runs, so neither may be reachable from the entry through
// static imports. This walks esbuild's own import graph of the bundle.
import test from 'ava';
import { build, type Metafile } from 'esbuild';
import { bundleOptions } from '../../build/bundle.ts';
import { repoRoot } from '../helpers/run.ts';

const { metafile, outputFiles } = await build({ ...bundleOptions(repoRoot), metafile: true, logLevel: 'silent' });

function staticallyReachable(meta: Metafile, entry: string): Map<string, string> {
  const via = new Map<string, string>([[entry, '']]);
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift()!;
    for (const imp of meta.inputs[file]?.imports ?? []) {
      if (imp.kind === 'dynamic-import' || imp.external || via.has(imp.path)) continue;
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

/** Whether an input of the bundle is in package pkg ("@aws-sdk/"); node_modules may be a symlink (a worktree's). */
const inPackage = (file: string, pkg: string): boolean => file.startsWith(`node_modules/${pkg}`) || file.includes(`/node_modules/${pkg}`);

/** Whether an input is in one of our folders ("src/ui/") or a package. */
const inPlace = (file: string, place: string): boolean => (place.startsWith('src/') ? file.startsWith(place) : inPackage(file, place));

for (const heavy of ['@aws-sdk/', 'dockerode/', 'ssh2/', 'src/ui/']) {
  test(`${heavy.startsWith('src/') ? heavy : `node_modules/${heavy}`} is not evaluated at start-up (only through import())`, (t) => {
    t.true(Object.keys(metafile.inputs).some((f) => inPlace(f, heavy)), `${heavy} is in the bundle at all`);
    const eager = [...reachable.keys()].find((f) => inPlace(f, heavy));
    t.is(eager, undefined, eager && `statically imported: ${chain(reachable, eager)}`);
  });
}

test('@sindresorhus/is adds only the guards src/json-shape.ts uses: none of its load-time work (is, assert, Intl.ListFormat)', (t) => {
  const inputs = Object.values(metafile.outputs)[0]!.inputs;
  const bytes = Object.entries(inputs).filter(([f]) => inPackage(f, '@sindresorhus/is/')).reduce((sum, [, v]) => sum + v.bytesInOutput, 0);
  t.true(bytes > 0, 'it is in the bundle at all');
  // Whole, it is some 16 KB of the bundle; its guards about 2 KB.
  t.true(bytes < 4000, `${bytes} bytes of @sindresorhus/is in the bundle`);
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
  t.false(Object.keys(metafile.inputs).some((f) => f.startsWith('build/') || f.includes('node_modules/esbuild/')), 'no bundler in the bundle');
  t.false(Object.keys(metafile.inputs).some((f) => f.includes('node_modules/preact/')), 'preact only in the page, not in the program');
  t.regex(code, /Skip to content/, 'the views are in it');
});
