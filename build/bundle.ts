// esbuild's options for the bundle, shared by build.ts and the tests that inspect it.
import type { BuildOptions, Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { buildPage } from './page.ts';
import { lazyCommands } from './lazy-commands.ts';
import { sidePackages } from './side-packages.ts';

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

/** Lines of a package's source replaced as it is bundled; a version without them fails the build, not silently. */
interface SourcePatch {
  file: RegExp;
  /** [the line as the package has it, what it becomes] */
  edits: ReadonlyArray<readonly [string, string]>;
}

/** Marks the call after `= ` pure, so esbuild drops it when its result is unused. */
const pure = (line: string): readonly [string, string] => {
  const at = line.indexOf('= ') + 2;
  return [line, `${line.slice(0, at)}/* @__PURE__ */ ${line.slice(at)}`];
};

const SOURCE_PATCHES: readonly SourcePatch[] = [
  /*
   * @sindresorhus/is, tree-shaken to the guards src/json-shape.ts imports. Its module builds
   * the `is` and `assert` objects and two Intl.ListFormat at load (some 15 KB, 7-20 ms before
   * the first command runs, on every start); esbuild must keep those calls unless told
   * they are pure. Marked so, they go when unused, and start-up evaluates only the guards.
   */
  {
    file: /[\\/]@sindresorhus[\\/]is[\\/]distribution[\\/]index\.js$/,
    edits: ['const is = Object.assign(detect,', 'const andFormatter = new Intl.ListFormat(', 'const orFormatter = new Intl.ListFormat(', 'const isMethodNames = keysOf('].map(pure),
  },
  /*
   * docker-modem's ssh dialer goes: docker-jindr reaches ssh:// engines through the ssh
   * binary (src/engine/ssh-agent.ts), and with the dialer its ssh2 would be bundled (some
   * 450 KB of side.js) and required with dockerode (~33 ms). dockerode's BuildKit session
   * (grpc and protobufjs, ~47 ms; never used) is required when first called instead of
   * when dockerode is: together they were most of the ~135 ms `require('dockerode')`
   * cost, paid by every command that talks to the engine (and by lsi, which reads push
   * times through it).
   */
  {
    file: /[\\/]docker-modem[\\/]lib[\\/]modem\.js$/,
    edits: [["ssh = require('./ssh'),", "ssh = function () { throw new Error('docker-modem ssh is not bundled: ssh:// goes through src/engine/ssh-agent.ts'); },"]],
  },
  {
    file: /[\\/]dockerode[\\/]lib[\\/]docker\.js$/,
    edits: [["withSession = require('./session'),", "withSession = function () { return require('./session').apply(this, arguments); },"]],
  },
];

const sourcePatches: Plugin = {
  name: 'source-patches',
  setup(build) {
    for (const { file, edits } of SOURCE_PATCHES) {
      build.onLoad({ filter: file }, async (args) => {
        let contents = await readFile(args.path, 'utf8');
        for (const [line, replacement] of edits) {
          if (!contents.includes(line)) throw new Error(`${args.path} no longer has "${line}": update SOURCE_PATCHES in build/bundle.ts`);
          contents = contents.replace(line, replacement);
        }
        return { contents, loader: 'js' };
      });
    }
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

/** side: the big lazily imported packages become stubs for side.js (build/side-packages.ts), as in the executable. */
export function bundleOptions(root: string, options: { side?: boolean } = {}): BuildOptions & { write: false } {
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
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [...(options.side ? [sidePackages] : []), dynamicBuiltins, sourcePatches, uiPage(root), lazyCommands(root)],
    logLevel: 'warning',
  };
}
