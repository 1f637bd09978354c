// The one reader of the command line. The Docker CLI runs a plugin as
// `docker-jindr [DOCKER FLAGS] jindr ARGS` (`help jindr`, `__complete jindr ARGS` too);
// on its own it runs as `docker-jindr ARGS`. Flags are read as pflag (Docker's parser)
// reads them: `--name=value`, `--name VALUE` whatever VALUE looks like (`--grace -5m`),
// short clusters `-qj2`, `-rHOST:PORT`, `-q=false`; a flag of the command may stand
// before the command's name (`-qr HOST lsi`). What is given goes to yargs' parser
// (yargs-parser) with the table's types, defaults and repeatable flags, which makes the
// handler's arguments (numbers, lists, camelCase names). Everything comes from the
// table: command.ts rows and global-options.ts.
import yargsParser from 'yargs-parser';
import type { JindrCommand } from './command.ts';
import { commandOptionSpecs, optionSpecs, type Given, type OptionSpec } from './command-spec.ts';

export type { Given };
import { DOCKER_OPTIONS, GLOBAL_OPTIONS } from './global-options.ts';
import { valueProblem } from './usage.ts';
import type { DockerGlobals } from '../engine/globals.ts';
import { UsageError } from '../errors.ts';

export const PLUGIN_NAME = 'jindr';

/** A mistake in the flags, in pflag's words (usage.ts adds the usage line); at: the word's index. */
export class FlagError extends Error {
  readonly at: number;
  constructor(message: string, at: number) {
    super(message);
    this.at = at;
  }
}

export interface Flags {
  given: Given[];
  /** The words that are not flags or their values, in order. */
  words: string[];
  /** Where each word is in args. */
  wordAt: number[];
  /** Words after `--`. */
  afterDashes: string[];
  /** Where reading stopped (stopAtWord, or an unknown flag when lenient): the index of the first word not read. */
  end: number;
  /** Lenient reading only: the last word is a flag still waiting for its value. */
  pending: OptionSpec | undefined;
}

interface ReadMode {
  /** Stop at the first plain word (Docker's flags end where the plugin's name starts). */
  stopAtWord?: boolean;
  /** Unknown flags are skipped (completion) or end the reading (Docker's flags), instead of an error. */
  unknown?: 'skip' | 'stop';
}

const takesValue = (o: OptionSpec): boolean => o.type !== 'boolean';

/** Reads flags as pflag does, against the flags given. */
export function readFlags(args: readonly string[], options: readonly OptionSpec[], mode: ReadMode = {}): Flags {
  const long = new Map<string, OptionSpec>();
  const short = new Map<string, OptionSpec>();
  for (const o of options) {
    long.set(o.name, o);
    for (const a of o.aliases) (a.length === 1 ? short : long).set(a, o);
  }
  const out: Flags = { given: [], words: [], wordAt: [], afterDashes: [], end: args.length, pending: undefined };
  const unknown = (i: number, message: string): boolean => {
    if (mode.unknown === 'stop') {
      out.end = i;
      return true;
    }
    if (mode.unknown !== 'skip') throw new FlagError(message, i);
    return false;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      out.afterDashes = args.slice(i + 1);
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (mode.stopAtWord) {
        out.end = i;
        break;
      }
      out.words.push(arg);
      out.wordAt.push(i);
      continue;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq > 0 ? eq : undefined);
      const o = long.get(name);
      if (!o) {
        if (unknown(i, `unknown flag: --${name}`)) break;
        continue;
      }
      let value = eq > 0 ? arg.slice(eq + 1) : undefined;
      if (takesValue(o) && value === undefined) {
        if (i + 1 >= args.length) {
          if (mode.unknown === 'skip') out.pending = o;
          else throw new FlagError(`flag needs an argument: --${name}`, i);
        }
        value = args[++i];
      }
      if (value !== undefined || !takesValue(o)) out.given.push({ option: o, value, typed: `--${name}` });
      continue;
    }
    const stop = readCluster(arg, i, args, short, out, mode);
    if (stop === 'stop') break;
    if (typeof stop === 'number') i = stop;
  }
  return out;
}

/** `-abc`: switches, then at most one flag that takes the rest (or the next word) as its value. */
function readCluster(
  arg: string,
  i: number,
  args: readonly string[],
  short: Map<string, OptionSpec>,
  out: Flags,
  mode: ReadMode,
): number | 'stop' | undefined {
  for (let j = 1; j < arg.length; j++) {
    const c = arg[j]!;
    const o = short.get(c);
    if (!o) {
      if (mode.unknown === 'stop') return ((out.end = i), 'stop');
      if (mode.unknown === 'skip') return undefined;
      throw new FlagError(`unknown shorthand flag: '${c}' in ${arg}`, i);
    }
    if (!takesValue(o)) {
      // -q=false, as pflag takes it; else the next letter is another flag.
      const inline = arg[j + 1] === '=' ? arg.slice(j + 2) : undefined;
      out.given.push({ option: o, value: inline, typed: `-${c}` });
      if (inline !== undefined) return undefined;
      continue;
    }
    const rest = arg.slice(j + 1).replace(/^=/, '');
    if (rest !== '' || arg[j + 1] === '=') {
      out.given.push({ option: o, value: rest, typed: `-${c}` });
      return undefined;
    }
    if (i + 1 >= args.length) {
      if (mode.unknown === 'skip') return ((out.pending = o), undefined);
      throw new FlagError(`flag needs an argument: '${c}' in -${c}`, i);
    }
    out.given.push({ option: o, value: args[i + 1], typed: `-${c}` });
    return i + 1;
  }
  return undefined;
}

/** The plugin's flags, with -h/--help and -v/--version. */
export const globalOptionSpecs = (): OptionSpec[] => optionSpecs(GLOBAL_OPTIONS);

const unions = new WeakMap<readonly JindrCommand[], OptionSpec[]>();

/** Every flag of every command and the global ones: a name that takes a value anywhere takes one here. */
export function allFlags(commands: readonly JindrCommand[]): OptionSpec[] {
  let all = unions.get(commands);
  if (all) return all;
  const byName = new Map<string, OptionSpec>();
  for (const o of [...globalOptionSpecs(), ...commands.flatMap(commandOptionSpecs)]) {
    for (const key of [`--${o.name}`, ...o.aliases.map((a) => `-${a}`)]) {
      const seen = byName.get(key);
      if (!seen || (!takesValue(seen) && takesValue(o))) byName.set(key, o);
    }
  }
  all = [...byName].map(([key, o]) => ({
    ...o,
    name: key.startsWith('--') ? key.slice(2) : `\0${key}`,
    aliases: key.startsWith('--') ? [] : [key.slice(1)],
  }));
  unions.set(commands, all);
  return all;
}

/** Where the command word is: the first word that is not a flag or a flag's value (of any command: `-qr HOST lsi`); -1 if none. */
export function commandIndex(args: readonly string[], commands: readonly JindrCommand[]): number {
  return readFlags(args, allFlags(commands), { unknown: 'skip' }).wordAt[0] ?? -1;
}

/** The flags a command line may use: the command's and the global ones. */
export function flagsFor(command: JindrCommand | undefined): OptionSpec[] {
  return command ? [...commandOptionSpecs(command), ...globalOptionSpecs()] : globalOptionSpecs();
}

/** The handler's arguments from what was given: yargs' parser types them, with the table's defaults and lists. */
export function typedArgs(given: readonly Given[], options: readonly OptionSpec[]): Record<string, unknown> {
  const last = new Map<OptionSpec, Given[]>();
  for (const g of given) last.set(g.option, g.option.array ? [...(last.get(g.option) ?? []), g] : [g]);
  const tokens = [...last.values()]
    .flat()
    .map((g) => `--${g.option.name}=${g.option.type === 'boolean' ? /^(1|t|true)$/i.test(g.value ?? 'true') : g.value}`);
  const of = (type: OptionSpec['type']): string[] => options.filter((o) => o.type === type).map((o) => o.name);
  const defaults = Object.fromEntries(options.filter((o) => o.default !== undefined).map((o) => [o.name, o.default]));
  return yargsParser(tokens, {
    boolean: of('boolean'),
    string: of('string'),
    number: of('number'),
    array: options.filter((o) => o.array).map((o) => o.name),
    default: defaults,
    configuration: { 'boolean-negation': false, 'dot-notation': false, 'greedy-arrays': false, 'parse-positional-numbers': false },
  });
}

/** `docker-jindr [DOCKER FLAGS] jindr ARGS`: Docker's flags, the mode, and the plugin's arguments. */
export interface PluginLine {
  globals: DockerGlobals;
  mode: 'run' | 'help' | 'complete';
  args: string[];
}

export function pluginLine(argv: readonly string[]): PluginLine {
  let read: Flags;
  try {
    read = readFlags(argv, optionSpecs(DOCKER_OPTIONS), { stopAtWord: true, unknown: 'stop' });
  } catch (err) {
    throw err instanceof FlagError ? new UsageError(err.message) : err;
  }
  let rest = argv.slice(read.end);
  let mode: PluginLine['mode'] = 'run';
  if (rest[0] === PLUGIN_NAME) rest = rest.slice(1);
  else if (rest[0] === 'help' && rest[1] === PLUGIN_NAME) [mode, rest] = ['help', rest.slice(2)];
  else if (rest[0] === '__complete' && rest[1] === PLUGIN_NAME) [mode, rest] = ['complete', rest.slice(2)];
  return { globals: dockerGlobals(read.given), mode, args: rest };
}

/** Docker's flags as the engine connection takes them; what docker itself would refuse is a usage error. */
function dockerGlobals(given: readonly Given[]): DockerGlobals {
  for (const g of given) {
    const problem = valueProblem(g);
    if (problem) throw new UsageError(problem);
  }
  if (given.filter((g) => g.option.name === 'host').length > 1) throw new UsageError('specify only one -H');
  const a = typedArgs(given, optionSpecs(DOCKER_OPTIONS));
  const text = (key: string): string | undefined => (typeof a[key] === 'string' ? a[key] : undefined);
  const globals: DockerGlobals = { debug: a.debug === true, tls: a.tls === true, tlsVerify: a.tlsverify === true };
  const values = {
    config: text('config'),
    context: text('context'),
    host: text('host'),
    logLevel: text('log-level'),
    tlsCaCert: text('tlscacert'),
    tlsCert: text('tlscert'),
    tlsKey: text('tlskey'),
  };
  for (const [key, value] of Object.entries(values)) if (value !== undefined) globals[key as keyof typeof values] = value;
  if (globals.context !== undefined && globals.host !== undefined)
    throw new UsageError('conflicting options: cannot specify both --host and --context');
  return globals;
}
