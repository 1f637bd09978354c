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

const SOURCE_PATCHES: readonly SourcePatch[] = [
  /*
   * docker-modem's ssh dialer goes: docker-jindr reaches ssh:// engines through the ssh
   * binary (src/engine/ssh-agent.ts), and with the dialer its ssh2 would be bundled (some
   * 450 KB of dockerode's side script) and required with dockerode (~33 ms). dockerode's BuildKit session
   * (grpc and protobufjs, ~47 ms; never used) is required when first called instead of
   * when dockerode is: together they were most of the ~135 ms `require('dockerode')`
   * cost, paid by every command that talks to the engine (and by lsi, which reads push
   * times through it).
   * Measured again (2026-12): without the first patch the build fails (esbuild cannot
   * bundle ssh2's optional native cpu-features; test/build/lazy-modules.test.ts checks
   * ssh2 stays out); without the second, `docker-jindr logs` with no registry (a command
   * that only asks the engine) takes 0.35 s of CPU against 0.28 s (medians of 15
   * alternating runs of both builds, /usr/bin/time, load ~18).
   */
  {
    file: /[\\/]docker-modem[\\/]lib[\\/]modem\.js$/,
    edits: [
      [
        "ssh = require('./ssh'),",
        "ssh = function () { throw new Error('docker-modem ssh is not bundled: ssh:// goes through src/engine/ssh-agent.ts'); },",
      ],
    ],
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

/** side: the big lazily imported packages become stubs for their side scripts (build/side-packages.ts), as in the executable. */
export function bundleOptions(root: string, options: { side?: boolean } = {}): BuildOptions & { write: false } {
  return {
    entryPoints: [join(root, 'src/cli/bin.ts')],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    write: false,
    charset: 'ascii', // the executable reads its scripts as Latin-1 (sea.ts readAsset)
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: 'none',
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [...(options.side ? [sidePackages] : []), dynamicBuiltins, sourcePatches, uiPage(root), lazyCommands(root)],
    logLevel: 'warning',
  };
}
