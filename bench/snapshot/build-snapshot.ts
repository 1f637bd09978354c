// Builds the executable as it would be with a V8 start-up snapshot (Node's SEA
// `useSnapshot: true`) instead of build/sea.ts's code caches, for bench/snapshot to
// compare: the same main bundle (src/cli/process-main.ts as the entry, so evaluating it
// runs nothing) and the same side scripts, evaluated by the snapshot builder; the metadata
// answer, argv, env and everything else of the process read in the deserialize main
// function. `warm`: the builder also runs these command lines (stdout and stderr thrown
// away) so that the functions they compile are in the snapshot too.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleOptions } from '../../build/bundle.ts';
import { inject, quiet } from '../../build/sea.ts';
import { SIDE_PACKAGES, sideAsset, sideBundleOptions, sideLoader } from '../../build/side-packages.ts';
import { hostTarget, resolveTarget } from '../../build/target.ts';

const wrap = (code: string): string => `(function (exports, require, module, __filename, __dirname) {\n${code}\n})`;

/**
 * The builder's script. AbortSignal.timeout and .any are Node's own with a
 * FinalizationRegistry, which a snapshot cannot hold once the warm-up's signals are
 * collected ("Check failed: ... dirty_js_finalization_registries_list"): plain versions
 * stand in for them while the warm-up runs.
 */
function builderScript(app: string, metadataAnswer: string, warm: readonly string[][] | undefined): string {
  const warmUp = warm
    ? `
{
  const sink = { columns: 80, write: (chunk, encoding, callback) => { const done = typeof encoding === 'function' ? encoding : callback; if (done) done(); return true; } };
  const { timeout, any } = AbortSignal;
  AbortSignal.timeout = (ms) => { const c = new AbortController(); setTimeout(() => c.abort(new DOMException('timed out', 'TimeoutError')), ms).unref(); return c.signal; };
  AbortSignal.any = (signals) => { const c = new AbortController(); for (const s of signals) { if (s.aborted) { c.abort(s.reason); break; } s.addEventListener('abort', () => c.abort(s.reason), { once: true }); } return c.signal; };
  (async () => {
    for (const argv of ${JSON.stringify(warm)}) {
      const code = await bundle.main({ argv, env: { XDG_CACHE_HOME: ${JSON.stringify(join(process.env.TMPDIR ?? '/tmp', 'jindr-snapshot-warm-xdg'))} }, stdout: sink, stderr: sink });
      if (code !== 0) throw new Error('snapshot warm-up: ' + argv.join(' ') + ' exited ' + code);
    }
    Object.assign(AbortSignal, { timeout, any });
  })();
}`
    : '';
  return `'use strict';
const bundle = { exports: {} };
${wrap(app)}(bundle.exports, require, bundle, __filename, __dirname);
Object.assign(bundle, bundle.exports);${warmUp}
require('node:v8').startupSnapshot.setDeserializeMainFunction(() => {
  const a = process.argv.slice(2);
  if (a.length === 1 && a[0] === 'docker-cli-plugin-metadata') {
    process.stdout.write(${JSON.stringify(metadataAnswer)});
  } else {
    const sea = require('node:sea');
    ${sideLoader("sea.getAsset(asset, 'utf8')")}
    bundle.runProcess();
  }
});
`;
}

/** Writes WORK/docker-jindr-snapshot (or -snapshot-warm) from the sources; returns its path and blob size. */
export async function buildSnapshotExecutable(
  root: string,
  work: string,
  warm?: readonly string[][],
): Promise<{ file: string; blobBytes: number }> {
  const options = bundleOptions(root, { side: true });
  const [main, ...sides] = await Promise.all([
    build({
      ...options,
      entryPoints: undefined,
      stdin: {
        contents: "export { runProcess } from './cli/process-main.ts';\nexport { main } from './cli/main.ts';\n",
        resolveDir: join(root, 'src'),
        sourcefile: 'snapshot-entry.ts',
        loader: 'ts',
      },
    }),
    ...SIDE_PACKAGES.map((p) => build(sideBundleOptions(root, bundleOptions(root), p))),
  ]);
  const name = warm ? 'snapshot-warm' : 'snapshot';
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const metadata = { ...JSON.parse(readFileSync(join(root, 'plugin-metadata/metadata.json'), 'utf8')), Version: pkg.version };
  const mainFile = join(work, `${name}-main.cjs`);
  writeFileSync(mainFile, builderScript(main.outputFiles[0]!.text, JSON.stringify(metadata, null, 2) + '\n', warm));
  const sideFiles: Record<string, string> = {};
  SIDE_PACKAGES.forEach((p, i) => {
    sideFiles[sideAsset(p)] = join(work, sideAsset(p));
    writeFileSync(sideFiles[sideAsset(p)]!, wrap(sides[i]!.outputFiles[0]!.text));
  });
  const blob = join(work, `${name}.blob`);
  const config = join(work, `${name}-sea-config.json`);
  writeFileSync(
    config,
    JSON.stringify({
      main: mainFile,
      output: blob,
      disableExperimentalSEAWarning: true,
      useSnapshot: true,
      assets: sideFiles,
    }),
  );
  // Node warns that node:module (esbuild's helpers) is not verified in snapshots: it is not used at run time.
  quiet(
    process.execPath,
    ['--experimental-sea-config', config],
    /Wrote single executable|ExperimentalWarning|not yet fully verified|It may still work|To request support|--trace-warnings/,
  );
  const file = join(work, `docker-jindr-${name}`);
  inject(root, resolveTarget(root, hostTarget), blob, file);
  return { file, blobBytes: readFileSync(blob).length };
}
