// Runs one command line in the world it is given (argv, environment, streams, stdin,
// signals, the engine): bin.ts passes the real process, tests a world of their own, so
// a whole command runs in-process. The only place that prints an error.
import type { Argv } from 'yargs';
import pkg from '../../package.json' with { type: 'json' };
import { commands } from './commands/index.ts';
import { parsePluginArgv, type DockerGlobals } from './plugin-argv.ts';
import { pluginMetadata } from './metadata.ts';
import { fastParse } from './fast-parse.ts';
import { DEFAULT_REGISTRY, GLOBAL_OPTIONS } from './global-options.ts';
import { watchPluginSocket } from './plugin-socket.ts';
import type { Context, OutputFormat, Sink } from './context.ts';
import type { Engine } from '../engine/engine.ts';
import type { PasswordInput } from '../security/passwords.ts';
import type { RegistryHost } from '../registry/host.ts';
import { InterruptedError, JindrError, UsageError, errorMessage } from '../errors.ts';
import { checkUsage, unknownCommand } from './usage.ts';
import { helpFor } from './output/help.ts';
import { checkFields, outputMode } from './output/format.ts';
import { commandPath, formatFields, parsedSubcommand } from './command-spec.ts';

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

/** How long an interrupted command may take to wind down before we exit anyway. */
const INTERRUPT_GRACE_MS = 2000;

/** Our global options that take a value, to find the command word without yargs. */
const VALUE_OPTIONS = new Set(['-r', '--registry', '--format', '--context', '-H', '--host', '--config']);

/** Where the first word that is not an option (or an option's value) is: the command; -1 if none. */
export function commandIndex(args: readonly string[]): number {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return i + 1 < args.length ? i + 1 : -1;
    if (!arg.startsWith('-') || arg === '-') return i;
    if (!arg.includes('=') && VALUE_OPTIONS.has(arg)) i += 1;
  }
  return -1;
}

/** `-v`/`--version` alone (or after Docker's `jindr`): answered before yargs is even built. */
export function isVersionRequest(args: readonly string[]): boolean {
  return args.length === 1 && (args[0] === '-v' || args[0] === '--version');
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Rewrites `help [COMMAND]` to `[COMMAND] --help`, and refuses an unknown command with
 * one line (yargs alone accepts any word while the command table is empty).
 */
export function checkCommand(args: readonly string[], scriptName: string): string[] {
  if (args.length === 0) return ['--help']; // `docker jindr` alone shows what it can do
  const at = commandIndex(args);
  if (at < 0) return [...args];
  const word = args[at]!;
  if (word === 'help') return [...args.slice(0, at), ...args.slice(at + 1), '--help'];
  const names = commands.flatMap((c) => [c.command.split(' ')[0]!, ...c.aliases]);
  if (!names.includes(word)) {
    throw unknownCommand(word, names.find((n) => editDistance(n, word) <= (word.length > 3 ? 2 : 1)), scriptName);
  }
  // yargs silently drops the words after "--": refuse rather than do less than asked.
  const dashes = args.indexOf('--', at + 1);
  if (dashes !== -1 && dashes < args.length - 1) {
    throw new UsageError(`arguments after "--" are not accepted: give them before it (names and tags never start with "-")`);
  }
  return [...args];
}

/** yargs' factory: imported when a command line needs yargs (fast-parse.ts reads the plain ones). */
type Yargs = typeof import('yargs').default;

export function buildParser(yargs: Yargs, argv: readonly string[], run: (cmd: (typeof commands)[number], args: Record<string, unknown>) => Promise<void>, scriptName: string, columns?: number): Argv {
  let parser = yargs([...argv])
    .scriptName(scriptName)
    .usage(`Usage: ${scriptName} [OPTIONS] COMMAND\n\n${pluginMetadata().ShortDescription}`)
    .options(GLOBAL_OPTIONS)
    .group(['registry', 'format', 'debug', 'help', 'version'], 'Global options:')
    .version('version', 'Show the version and exit', pkg.version)
    .alias('version', 'v')
    .help('help', 'Show help')
    .alias('help', 'h')
    .strict()
    .demandCommand(1, 'name a command')
    // An option we do not know is an error, not an option swallowing the command word.
    .parserConfiguration({ 'unknown-options-as-args': true })
    .wrap(Math.min(100, columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      // An option's coerce (-r) failing reaches us as yargs' YError with its message: a usage error.
      if (err) throw err.name === 'YError' ? new UsageError(err.message) : err;
      // yargs spreads some messages over lines ("Invalid values:\n  Argument: ..."): one line,
      // and where to read more.
      const at = commandIndex(argv);
      const topic = at >= 0 && argv[at] !== undefined && !argv.includes('--help') ? `${scriptName} ${argv[at]} --help` : `${scriptName} --help`;
      throw new UsageError(`${msg.replace(/\s*\n\s*/g, ' ').trim()} (see '${topic}')`);
    });
  for (const cmd of commands) {
    parser = parser.command({
      command: cmd.command,
      aliases: [...cmd.aliases],
      describe: cmd.describe,
      builder: cmd.builder,
      handler: (args) => run(cmd, args),
    });
  }
  return parser;
}

function makeContext(world: World, globals: DockerGlobals, options: GlobalOptions, signal: AbortSignal, critical: Context['critical']): Context {
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
    const { globals, mode, args } = parsePluginArgv(argv);
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
    if (mode === 'run' && isVersionRequest(args)) {
      world.stdout.write(pkg.version + '\n');
      return 0;
    }
    const parserArgs = mode === 'help' ? [...args, '--help'] : checkCommand(args, scriptName);
    // Help and usage errors in Docker's shape (output/help.ts, usage.ts), before yargs.
    const help = helpFor(parserArgs, commands, scriptName, pluginMetadata().ShortDescription);
    if (help !== undefined) {
      world.stdout.write(help);
      return 0;
    }
    checkUsage(parserArgs, commands, scriptName);
    const critical = async <T>(fn: () => Promise<T>): Promise<T> => {
      criticalDepth += 1;
      try {
        return await fn();
      } finally {
        criticalDepth -= 1;
      }
    };
    let exitCode = 0;
    const handle = async (cmd: (typeof commands)[number], parsed: Record<string, unknown>): Promise<void> => {
      const options = parsed as unknown as GlobalOptions & { context?: string; host?: string; config?: string };
      const merged: DockerGlobals = {
        ...globals,
        context: options.context ?? globals.context,
        host: options.host ?? globals.host,
        config: options.config ?? globals.config,
        debug: globals.debug || options.debug,
      };
      if (merged.context !== undefined && merged.host !== undefined) {
        throw new UsageError('conflicting options: cannot specify both --host and --context');
      }
      const sub = parsedSubcommand(cmd, parsed);
      checkFields(outputMode(options.format), formatFields(cmd, sub), commandPath(scriptName, cmd, sub));
      const ctx = makeContext(world, merged, options, controller.signal, critical);
      exitCode = (await cmd.run(parsed, ctx)) ?? 0;
    };
    const fast = mode === 'run' ? fastParse(parserArgs, commands, GLOBAL_OPTIONS, scriptName) : undefined;
    if (fast) {
      await handle(fast.cmd, fast.args);
    } else {
      const parser = buildParser((await import('yargs')).default, parserArgs, handle, scriptName, world.stdout.columns);
      // Given a callback, yargs hands it its own output (help, version) instead of printing it.
      await parser.parseAsync(parserArgs, (_err: unknown, _parsed: unknown, output: string) => {
        if (output) world.stdout.write(output + '\n');
      });
    }
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
