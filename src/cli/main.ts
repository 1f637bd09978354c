// Runs one command line in the world it is given (argv, environment, streams, stdin,
// signals, the engine): bin.ts passes the real process, tests a world of their own, so
// a whole command runs in-process. The only place that prints an error.
import pkg from '../../package.json' with { type: 'json' };
import { commands } from './commands/index.ts';
import { pluginLine } from './parse.ts';
import { checkCommandLine, handlerArgs, readCommandLine } from './command-line.ts';
import { pluginMetadata } from './metadata.ts';
import { DEFAULT_REGISTRY, GLOBAL_OPTIONS, registryOption } from './global-options.ts';
import { watchPluginSocket } from './plugin-socket.ts';
import type { Context, OutputFormat, Sink } from './context.ts';
import type { DockerGlobals } from '../engine/globals.ts';
import type { Engine } from '../engine/engine.ts';
import type { PasswordInput } from '../security/passwords.ts';
import type { RegistryHost } from '../registry/host.ts';
import { InterruptedError, JindrError, UsageError, errorMessage } from '../errors.ts';
import { usageErrorFor } from './usage.ts';
import { helpFor } from './output/help.ts';
import { checkFields, outputMode } from './output/format.ts';
import { commandPath, formatFields } from './command-spec.ts';

export { DEFAULT_REGISTRY };

interface GlobalOptions {
  /** -r, already parsed (global-options.ts). */
  registry: RegistryHost;
  format: OutputFormat;
  debug: boolean;
}

/** Everything a run touches outside itself. bin.ts passes the real process; tests their own. */
export interface World {
  /** The arguments after the program name. */
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  stdout: Sink & { readonly columns?: number };
  stderr: Sink;
  /** Standard input, opened only when a command reads it (start's passwords). */
  stdin?: () => PasswordInput;
  /** Aborting it interrupts the command, as Ctrl-C does. */
  signal?: AbortSignal;
  /** Calls handler on SIGINT and SIGTERM; returns what stops that. */
  onSignal?: (handler: () => void) => () => void;
  /** Ends the process at once: a second Ctrl-C, or an interrupted command that does not wind down. */
  exit?: (code: number) => void;
  /** Libraries' deprecation warnings are for us: shown only with --debug. */
  showWarnings?: (show: boolean) => void;
  /** Connects the Docker engine; default: dockerode (src/engine/engine.ts), loaded on first use. */
  engine?: (globals: DockerGlobals, env: NodeJS.ProcessEnv, signal: AbortSignal) => Promise<Engine>;
}

/**
 * How long an interrupted command may take to wind down before we exit anyway: an upload
 * cut by Ctrl-C ends its PATCH and then DELETEs its session, each within CANCEL_MS
 * (src/registry/upload.ts), so that no session is left behind (test/cli/main.test.ts
 * checks the two agree). A second Ctrl-C exits at once.
 */
export const INTERRUPT_GRACE_MS = 3500;

function makeContext(
  world: World,
  globals: DockerGlobals,
  options: GlobalOptions,
  signal: AbortSignal,
  critical: Context['critical'],
): Context {
  const debug = options.debug || globals.debug;
  let engine: Promise<Engine> | undefined;
  // Loaded on first use, so commands that never touch the engine never evaluate dockerode.
  const connect = world.engine ?? ((g, env, s) => import('../engine/engine.ts').then((m) => m.connectEngine(g, env, s)));
  return {
    registry: options.registry,
    format: options.format,
    debug,
    docker: globals,
    env: world.env,
    stdout: world.stdout,
    // A getter: Node makes process.stderr on first use, which a command that prints nothing there need not pay.
    get stderr() {
      return world.stderr;
    },
    // A getter: opening stdin sets up a stream on fd 0, which only start --auth needs.
    get stdin() {
      return world.stdin?.();
    },
    signal,
    engine: () => (engine ??= connect(globals, world.env, signal)),
    info: (message) => world.stderr.write(message + '\n'),
    debugLog: (message) => {
      if (debug) world.stderr.write(`debug: ${message}\n`);
    },
    critical,
  };
}

export async function main(world: World): Promise<number> {
  const { argv, env } = world;
  if (argv[0] === 'docker-cli-plugin-metadata') {
    world.stdout.write(JSON.stringify(pluginMetadata(), null, 2) + '\n');
    return 0;
  }
  const controller = new AbortController();
  let criticalDepth = 0;
  let interrupted = false;
  let signals = 0;
  const interrupt = (): void => {
    if (interrupted) return;
    interrupted = true;
    controller.abort(new InterruptedError());
    const timer = setTimeout(function waitForCritical() {
      if (criticalDepth > 0) setTimeout(waitForCritical, 200).unref();
      else world.exit?.(130);
    }, INTERRUPT_GRACE_MS);
    timer.unref();
  };
  // A second Ctrl-C does not wait for work that must finish. Only signals count: with its
  // output piped, one Ctrl-C reaches the plugin both as SIGINT and as the CLI closing the
  // socket, and that must not cut short a registry restart.
  const onSignal = (): void => {
    signals += 1;
    if (signals > 1) world.exit?.(130);
    interrupt();
  };
  const stopSignals = world.onSignal?.(onSignal);
  if (world.signal?.aborted) interrupt();
  world.signal?.addEventListener('abort', interrupt);
  watchPluginSocket(env, interrupt);

  let debug = argv.includes('--debug') || argv.includes('-D');
  // Libraries' deprecation warnings (docker-modem's url.parse) are for us, not for users.
  world.showWarnings?.(debug);
  try {
    const { globals, mode, args } = pluginLine(argv);
    // Docker's -D sets its log level to debug; -l debug asks for the same of the plugin.
    if (globals.logLevel === 'debug') globals.debug = true;
    debug ||= globals.debug;
    world.showWarnings?.(debug);
    const plugin = Boolean(env.DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND);
    const scriptName = plugin || mode !== 'run' ? 'docker jindr' : 'docker-jindr';
    if (mode === 'complete') {
      // Imported for completion only: it is no command's start-up.
      const { completeWithRegistry } = await import('./complete-registry.ts');
      world.stdout.write(await completeWithRegistry(commands, GLOBAL_OPTIONS, args, env, globals.config));
      return 0;
    }
    const line = readCommandLine(mode === 'help' ? [...args, '--help'] : args, commands, scriptName);
    if (line.version && !line.help) {
      world.stdout.write(pkg.version + '\n');
      return 0;
    }
    // Help in Docker's shape (output/help.ts): asked for, or nothing at all, or a group without its subcommand.
    const help = helpFor(line, args.length === 0, commands, scriptName, pluginMetadata().ShortDescription);
    if (help !== undefined) {
      world.stdout.write(help);
      return 0;
    }
    checkCommandLine(line, scriptName);
    const cmd = line.command;
    if (!cmd) throw usageErrorFor('name a command', scriptName);
    const parsed = handlerArgs(line, scriptName);
    let registry: RegistryHost;
    try {
      registry = registryOption(parsed.registry);
    } catch (err) {
      throw err instanceof UsageError ? err : new UsageError(errorMessage(err));
    }
    const options = { registry, format: String(parsed.format), debug: parsed.debug === true };
    const given = parsed as { context?: string; host?: string; config?: string };
    const merged: DockerGlobals = {
      ...globals,
      context: given.context ?? globals.context,
      host: given.host ?? globals.host,
      config: given.config ?? globals.config,
      debug: globals.debug || options.debug,
    };
    if (merged.context !== undefined && merged.host !== undefined) {
      throw new UsageError('conflicting options: cannot specify both --host and --context');
    }
    checkFields(outputMode(options.format), formatFields(cmd, line.sub), commandPath(scriptName, cmd, line.sub));
    const critical = async <T>(fn: () => Promise<T>): Promise<T> => {
      criticalDepth += 1;
      try {
        return await fn();
      } finally {
        criticalDepth -= 1;
      }
    };
    const ctx = makeContext(world, merged, options, controller.signal, critical);
    const exitCode = (await cmd.run(parsed, ctx)) ?? 0;
    if (interrupted) return 130;
    return exitCode;
  } catch (err) {
    if (interrupted) return 130;
    const code = err instanceof JindrError ? err.exitCode : 1;
    if (debug && err instanceof Error && err.stack) {
      world.stderr.write(err.stack + '\n');
    } else {
      world.stderr.write(`docker-jindr: ${errorMessage(err)}\n`);
    }
    return code;
  } finally {
    stopSignals?.();
    world.signal?.removeEventListener('abort', interrupt);
  }
}
