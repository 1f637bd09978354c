// The executable's main script leaves the big lazily imported packages to side.js
// (build/side-packages.ts): the main bundle holds stubs for them and none of their code,
// side.js holds them all; the plain bundle (bundleOptions without side) is unchanged.
import test from 'ava';
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { compileFunction } from 'node:vm';
import { bundleOptions } from '../../build/bundle.ts';
import { SIDE_PACKAGES, sideBundleOptions } from '../../build/side-packages.ts';
import { repoRoot } from '../helpers/run.ts';

const [main, side, plain] = await Promise.all([
  build({ ...bundleOptions(repoRoot, { side: true }), metafile: true, logLevel: 'silent' }),
  build({ ...sideBundleOptions(repoRoot, bundleOptions(repoRoot)), metafile: true, logLevel: 'silent' }),
  build({ ...bundleOptions(repoRoot), metafile: true, logLevel: 'silent' }),
]);

const inPackage = (file: string, pkg: string): boolean => file.startsWith(`node_modules/${pkg}/`) || file.includes(`/node_modules/${pkg}/`);

for (const pkg of SIDE_PACKAGES) {
  test(`${pkg}: in side.js and in the plain bundle, only a stub in the main script`, (t) => {
    t.false(
      Object.keys(main.metafile.inputs).some((f) => inPackage(f, pkg)),
      'none of its files in the main script',
    );
    t.true(main.outputFiles[0]!.text.includes(`(${JSON.stringify(pkg)})`), 'the stub asks the loader for it');
    t.true(Object.keys(side.metafile.inputs).some((f) => inPackage(f, pkg)));
    t.true(Object.keys(plain.metafile.inputs).some((f) => inPackage(f, pkg)));
  });
}

test('the main script is a fraction of the plain bundle (V8 reads and hashes all of it at every start)', (t) => {
  const mainBytes = main.outputFiles[0]!.text.length;
  const plainBytes = plain.outputFiles[0]!.text.length;
  t.true(mainBytes < plainBytes / 3, `${mainBytes} of ${plainBytes} bytes`);
});

test('side.js exports a function per package that requires it', (t) => {
  const exported: Record<string, () => unknown> = {};
  const module = { exports: exported };
  // Evaluated as the executable does: the CommonJS variables, Node's require for built-ins.
  compileFunction(side.outputFiles[0]!.text, ['exports', 'require', 'module', '__filename', '__dirname'])(
    exported,
    createRequire(import.meta.url),
    module,
    '/side.js',
    '/',
  );
  t.deepEqual(Object.keys(module.exports).sort(), [...SIDE_PACKAGES].sort());
  t.true(Object.values(module.exports).every((f) => typeof f === 'function'));
});
