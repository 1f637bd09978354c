// esbuild's options for the bundle, shared by build.ts and the tests that inspect it.
import type { BuildOptions, Plugin } from 'esbuild';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { buildPage } from './page.ts';

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/**
 * Turns `import('node:http')` (the AWS SDK has a few) into a lazily required module.
 * esbuild keeps import() of an external module as a real import(), which the executable
 * cannot run: its bundle is compiled with vm.Script, which has no module loader.
 */
const dynamicBuiltins: Plugin = {
  name: 'dynamic-builtins',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z0-9_/]+$/ }, (args) =>
      args.kind === 'dynamic-import' && builtins.has(args.path) ? { path: args.path, namespace: 'dynamic-builtin' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'dynamic-builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * The page of `docker jindr ui`, bundled for the browser and embedded as text: the body of
 * src/ui/assets.ts becomes the two strings (run from the sources, that module bundles the
 * page itself). Only the ui command imports it, through import().
 */
function uiPage(root: string): Plugin {
  return {
    name: 'ui-page',
    setup(build) {
      build.onLoad({ filter: /[\\/]src[\\/]ui[\\/]assets\.ts$/ }, async () => {
        const page = await buildPage(root);
        return { contents: `export async function pageAssets() { return ${JSON.stringify(page)}; }`, loader: 'js' };
      });
    },
  };
}

export function bundleOptions(root: string): BuildOptions & { write: false } {
  return {
    entryPoints: [join(root, 'src/cli/bin.ts')],
    absWorkingDir: root,
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
    plugins: [dynamicBuiltins, uiPage(root)],
    logLevel: 'warning',
  };
}
