// The executable's script holds what a command may need at once; the big packages only a
// few commands reach (through import()) each go into a script of their own (side-NAME.js),
// compiled the first time the package is imported, with a V8 code cache made at build time
// (build/warm-side.cjs). V8 reads, hashes and checks the whole source of a script before it
// runs a line of it: with dockerode, ssh2 (since gone) and the AWS SDK in it (2.7 MB
// instead of 0.6), every `ls` spent some 6 ms more of CPU starting (measured with each
// one's own code cache: 52 ms against 46, node -e 0 being 24). With the four packages in one
// side script and no cache for it (until 2026-12-07), loading dockerode cost every command
// that talks to the engine about 78 ms of wall-clock; in its own script 46, and 29 with its
// code cache (Node 24, medians of three, the script evaluated and the package required).
//
// In the main bundle each of these packages is a stub asking a loader the executable's
// main script defines (globalThis[Symbol.for('docker-jindr.side')]) for the package's
// exports; each side script is one CommonJS bundle of its package, required on first ask.
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

/** The SEA asset of a side package's script: side-dockerode.js, side-aws-sdk-client-ecr.js... */
export const sideAsset = (pkg: string): string => `side-${pkg.replace(/[^a-z0-9]+/gi, '-').replace(/^-/, '')}.js`;

/** A side package's script: module.exports maps the package to a function that requires it. */
export function sideBundleOptions(root: string, base: BuildOptions, pkg: string): BuildOptions & { write: false } {
  const entries = `  ${JSON.stringify(pkg)}: () => require(${JSON.stringify(pkg)}),`;
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

/**
 * The loader the SEA main script defines: a side package's script compiled and run on first
 * ask (with its code cache when `cache` gives one), each package required once. `read` and
 * `cache` are expressions of the main script in the asset's name, `asset`.
 */
export function sideLoader(read: string, cache?: string): string {
  const assets = Object.fromEntries(SIDE_PACKAGES.map((p) => [p, sideAsset(p)]));
  return `{
    const sides = new Map();
    const assets = ${JSON.stringify(assets)};
    globalThis[${SIDE_LOADER}] = (name) => {
      let exported = sides.get(name);
      if (!exported) {
        const asset = assets[name];
        const m = { exports: {} };
        new (require('node:vm').Script)(${read}, { filename: 'docker-jindr-' + asset${cache ? `, cachedData: ${cache}` : ''} }).runInThisContext()(m.exports, require, m, __filename, __dirname);
        exported = m.exports;
        sides.set(name, exported);
      }
      return exported[name]();
    };
  }`;
}
