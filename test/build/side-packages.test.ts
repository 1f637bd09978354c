// The executable's main script leaves the big lazily imported packages to side scripts
// (build/side-packages.ts), one per package: the main bundle holds stubs for them and none
// of their code, each side script holds its package; the plain bundle (bundleOptions
// without side) is unchanged. A side script's code cache, made as the build makes it
// (build/warm-side.cjs), is accepted by V8 when the script is loaded with it.
import test from 'ava';
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFunction, Script } from 'node:vm';
import { bundleOptions } from '../../build/bundle.ts';
import { SIDE_PACKAGES, sideAsset, sideBundleOptions } from '../../build/side-packages.ts';
import { repoRoot } from '../helpers/run.ts';

const [main, plain, ...sides] = await Promise.all([
  build({ ...bundleOptions(repoRoot, { side: true }), metafile: true, logLevel: 'silent' }),
  build({ ...bundleOptions(repoRoot), metafile: true, logLevel: 'silent' }),
  ...SIDE_PACKAGES.map((p) => build({ ...sideBundleOptions(repoRoot, bundleOptions(repoRoot), p), metafile: true, logLevel: 'silent' })),
]);

const inPackage = (file: string, pkg: string): boolean => file.startsWith(`node_modules/${pkg}/`) || file.includes(`/node_modules/${pkg}/`);

SIDE_PACKAGES.forEach((pkg, i) => {
  test(`${pkg}: in its side script and in the plain bundle, only a stub in the main script`, (t) => {
    t.false(
      Object.keys(main.metafile.inputs).some((f) => inPackage(f, pkg)),
      'none of its files in the main script',
    );
    t.true(main.outputFiles[0]!.text.includes(`(${JSON.stringify(pkg)})`), 'the stub asks the loader for it');
    t.true(Object.keys(sides[i]!.metafile.inputs).some((f) => inPackage(f, pkg)));
    t.true(Object.keys(plain.metafile.inputs).some((f) => inPackage(f, pkg)));
  });
});

test("the engine's client (dockerode) does not load the AWS SDK: its script has none of it", (t) => {
  const dockerode = sides[SIDE_PACKAGES.indexOf('dockerode')]!;
  t.false(Object.keys(dockerode.metafile.inputs).some((f) => inPackage(f, '@aws-sdk') || inPackage(f, '@smithy')));
});

test('the side scripts have names of their own', (t) => {
  t.is(new Set(SIDE_PACKAGES.map(sideAsset)).size, SIDE_PACKAGES.length);
  t.is(sideAsset('@aws-sdk/client-ecr'), 'side-aws-sdk-client-ecr.js');
});

test('the main script is a fraction of the plain bundle (V8 reads and hashes all of it at every start)', (t) => {
  const mainBytes = main.outputFiles[0]!.text.length;
  const plainBytes = plain.outputFiles[0]!.text.length;
  t.true(mainBytes < plainBytes / 3, `${mainBytes} of ${plainBytes} bytes`);
});

const wrap = (code: string): string => `(function (exports, require, module, __filename, __dirname) {\n${code}\n})`;

SIDE_PACKAGES.forEach((pkg, i) => {
  test(`${sideAsset(pkg)} exports a function that requires ${pkg}; its code cache from the warm-up is accepted`, (t) => {
    const exported: Record<string, () => unknown> = {};
    const module = { exports: exported };
    // Evaluated as the executable does: the CommonJS variables, Node's require for built-ins.
    compileFunction(sides[i]!.outputFiles[0]!.text, ['exports', 'require', 'module', '__filename', '__dirname'])(
      exported,
      createRequire(import.meta.url),
      module,
      '/side.js',
      '/',
    );
    t.deepEqual(Object.keys(module.exports), [pkg]);
    t.truthy(module.exports[pkg]!());

    const dir = mkdtempSync(join(tmpdir(), 'jindr-side-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, sideAsset(pkg));
    writeFileSync(file, wrap(sides[i]!.outputFiles[0]!.text));
    const warm = spawnSync(process.execPath, [join(repoRoot, 'build/warm-side.cjs'), file, pkg, join(dir, 'cache')], { encoding: 'utf8' });
    t.is(warm.status, 0, warm.stderr);
    const script = new Script(readFileSync(file, 'latin1'), { filename: 'side', cachedData: readFileSync(join(dir, 'cache')) });
    t.false(script.cachedDataRejected);
  });
});
