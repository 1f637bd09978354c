// The executable's script holds what a command may need at once; the big packages only a
// few commands reach (through import()) go into a second script, side.js, compiled the
// first time one of them is imported. V8 reads, hashes and checks the whole source of a
// script before it runs a line of it: with dockerode, ssh2 (since gone) and the AWS SDK in it (2.7 MB
// instead of 0.6), every `ls` spent some 6 ms more of CPU starting (measured with each
// one's own code cache: 52 ms against 46, node -e 0 being 24).
//
// In the main bundle each of these packages is a stub asking a loader the executable's
// main script defines (globalThis[Symbol.for('docker-jindr.side')]) for the package's
// exports; side.js is one CommonJS bundle of the packages, each required on first ask.
// The plain-Node form (dist/docker-jindr.cjs) stays one bundle.
import type { BuildOptions, Plugin } from 'esbuild';
import { join } from 'node:path';

/** Reached only through import() (the engine, cpe's AWS SDK, htpasswd's bcrypt, the SigV4 signer of S3 storage). */
export const SIDE_PACKAGES = ['dockerode', '@aws-sdk/client-ecr', 'bcryptjs', '@smithy/signature-v4'] as const;

export const SIDE_LOADER = "Symbol.for('docker-jindr.side')";

const filter = new RegExp(`^(${SIDE_PACKAGES.map((p) => p.replace(/[/.]/g, '\\$&')).join('|')})$`);

/** For the main bundle: each side package is a stub that asks the loader for it. */
export const sidePackages: Plugin = {
  name: 'side-packages',
  setup(build) {
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'side-package' }));
    build.onLoad({ filter: /.*/, namespace: 'side-package' }, (args) => ({
      contents: `module.exports = globalThis[${SIDE_LOADER}](${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/** side.js: module.exports maps each side package to a function that requires it. */
export function sideBundleOptions(root: string, base: BuildOptions): BuildOptions & { write: false } {
  const entries = SIDE_PACKAGES.map((p) => `  ${JSON.stringify(p)}: () => require(${JSON.stringify(p)}),`).join('\n');
  return {
    ...base,
    entryPoints: undefined,
    stdin: {
      contents: `module.exports = {\n${entries}\n};\n`,
      resolveDir: join(root, 'src'),
      sourcefile: 'side-packages.js',
      loader: 'js',
    },
    plugins: (base.plugins ?? []).filter((p) => p.name !== 'side-packages' && p.name !== 'lazy-commands'),
    write: false,
  };
}

/** The loader the SEA main script defines: side.js compiled and run on first ask, each package required once. */
export function sideLoader(readSide: string): string {
  return `{
    let side;
    globalThis[${SIDE_LOADER}] = (name) => {
      if (!side) {
        const m = { exports: {} };
        new (require('node:vm').Script)(${readSide}, { filename: 'docker-jindr-side.js' }).runInThisContext()(m.exports, require, m, __filename, __dirname);
        side = m.exports;
      }
      return side[name]();
    };
  }`;
}
