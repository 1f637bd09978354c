// What a command declares, read from its yargs builder (run on a stand-in that records
// option, positional, example and epilog calls and ignores the rest) and its command
// string: one source for help, usage checks and completion.
import type { Argv, Options, PositionalOptions } from 'yargs';
import type { JindrCommand, Subcommand } from './command.ts';

export interface OptionSpec {
  name: string;
  /** Other names: one-letter ones are the short flag (-r). */
  aliases: string[];
  type: 'string' | 'number' | 'boolean' | 'count' | undefined;
  array: boolean;
  describe: string;
  default: unknown;
  choices: string[];
  hidden: boolean;
  normalize: boolean;
}

export interface PositionalSpec {
  name: string;
  required: boolean;
  variadic: boolean;
  describe: string;
  choices: string[];
}

export interface BuilderSpec {
  options: OptionSpec[];
  positionals: Map<string, { describe: string; choices: string[] }>;
  /** [command line, description], with $0 as written. */
  examples: Array<[string, string]>;
  epilog: string | undefined;
}

const describeOf = (o: { describe?: unknown; description?: unknown; desc?: unknown }): string =>
  [o.describe, o.description, o.desc].find((d): d is string => typeof d === 'string') ?? '';

export function optionSpec(name: string, o: Options): OptionSpec {
  const aliases = o.alias === undefined ? [] : Array.isArray(o.alias) ? o.alias.map(String) : [String(o.alias)];
  const type = o.type ?? (o.boolean ? 'boolean' : o.number ? 'number' : o.string ? 'string' : o.count ? 'count' : undefined);
  return {
    name,
    aliases,
    type: type === 'array' ? 'string' : type,
    array: Boolean(o.array) || type === 'array',
    describe: describeOf(o),
    default: o.default,
    choices: (o.choices ?? []).map(String),
    hidden: Boolean(o.hidden),
    normalize: Boolean(o.normalize),
  };
}

const cache = new WeakMap<JindrCommand, BuilderSpec>();

/** Runs the builder on a recorder: what it declares, without yargs. */
export function readBuilder(cmd: JindrCommand): BuilderSpec {
  const cached = cache.get(cmd);
  if (cached) return cached;
  const spec: BuilderSpec = { options: [], positionals: new Map(), examples: [], epilog: undefined };
  const recorder: Argv = new Proxy({} as Argv, {
    get(_target, prop) {
      switch (prop) {
        case 'option':
        case 'options':
          return (key: string | Record<string, Options>, o?: Options) => {
            if (typeof key === 'string') spec.options.push(optionSpec(key, o ?? {}));
            else for (const [k, v] of Object.entries(key)) spec.options.push(optionSpec(k, v));
            return recorder;
          };
        case 'positional':
          return (key: string, o: PositionalOptions = {}) => {
            spec.positionals.set(key, { describe: describeOf(o), choices: (o.choices ?? []).map(String) });
            return recorder;
          };
        case 'example':
          return (command: string, description: string) => {
            spec.examples.push([command, description]);
            return recorder;
          };
        case 'epilog':
        case 'epilogue':
          return (text: string) => {
            spec.epilog = text;
            return recorder;
          };
        case 'then':
          return undefined; // not a promise
        default:
          return () => recorder;
      }
    },
  });
  cmd.builder(recorder);
  cache.set(cmd, spec);
  return spec;
}

export const commandName = (cmd: JindrCommand): string => cmd.command.split(' ')[0]!;

/** The command a word names (its name or an alias). */
export function findCommand(commands: readonly JindrCommand[], word: string): JindrCommand | undefined {
  return commands.find((c) => commandName(c) === word || c.aliases.includes(word));
}

/** The positionals of the command string ('cp <image> [destination] [tags..]'), with what the builder says of them. */
export function positionalsOf(cmd: JindrCommand): PositionalSpec[] {
  const declared = readBuilder(cmd).positionals;
  return cmd.command.split(' ').slice(1).map((p) => {
    const name = p.replace(/[<>[\]]/g, '').replace(/\.\.$/, '');
    const found = declared.get(name);
    return { name, required: p.startsWith('<'), variadic: p.includes('..'), describe: found?.describe ?? '', choices: found?.choices ?? [] };
  });
}

/** How an argument is written in usage lines: IMAGE, REPOSITORY, TAG, bash|zsh. */
const ARGUMENT_NAMES: Record<string, string> = { tags: 'TAG', repo: 'REPOSITORY', args: 'ARG' };
export function argumentName(p: Pick<PositionalSpec, 'name' | 'choices'>): string {
  return p.choices.length > 0 ? p.choices.join('|') : (ARGUMENT_NAMES[p.name] ?? p.name.toUpperCase());
}

/** `IMAGE [DESTINATION] [TAG...]`, as Docker writes arguments (a list: `IMAGE [IMAGE...]`). */
export function argumentsLine(positionals: readonly PositionalSpec[]): string {
  return positionals
    .map((p) => {
      const name = argumentName(p);
      if (p.variadic) return p.required ? `${name} [${name}...]` : `[${name}...]`;
      return p.required ? name : `[${name}]`;
    })
    .join(' ');
}

/** How many arguments a usage text takes: `TARGET SOURCE [SOURCE...]` is 2 or more. */
export function argumentCount(args: string): { min: number; max: number } {
  const words = args.split(/\s+/).filter(Boolean);
  const min = words.filter((w) => !w.startsWith('[')).length;
  return { min, max: words.some((w) => w.includes('...')) ? Infinity : words.length };
}

/** The options of a command that a subcommand may take (all of them without a subcommand). */
export function ownOptions(cmd: JindrCommand, sub?: Subcommand): OptionSpec[] {
  const all = readBuilder(cmd).options.filter((o) => !o.hidden);
  return sub ? all.filter((o) => sub.options?.includes(o.name)) : all;
}

/** The fields --format may use: the command's, or a subcommand's (none when it takes no --format). */
export function formatFields(cmd: JindrCommand, sub?: Subcommand): readonly string[] {
  if (!sub) return cmd.fields;
  return sub.options?.includes('format') ? (sub.fields ?? cmd.fields) : [];
}

/** The subcommand a parsed command line names (its first positional: mirror's action), if any. */
export function parsedSubcommand(cmd: JindrCommand, parsed: Readonly<Record<string, unknown>>): Subcommand | undefined {
  const first = cmd.command.split(' ')[1]?.replace(/[<>[\]]|\.\.$/g, '');
  return first === undefined ? undefined : cmd.subcommands.find((s) => s.name === parsed[first]);
}

/** The full command path as the user types it: "docker jindr cp", "docker jindr mirror start". */
export function commandPath(scriptName: string, cmd: JindrCommand, sub?: Subcommand): string {
  return [scriptName, commandName(cmd), ...(sub ? [sub.name] : [])].join(' ');
}

/** The usage line after "Usage:  ": "docker jindr cp [OPTIONS] IMAGE [DESTINATION] [TAG...]". */
export function usageLine(scriptName: string, cmd: JindrCommand, sub?: Subcommand): string {
  if (cmd.subcommands.length > 0 && !sub) return `${commandPath(scriptName, cmd)} COMMAND`;
  const hasOptions = ownOptions(cmd, sub).length > 0 || formatFields(cmd, sub).length > 0;
  const args = sub ? sub.args : argumentsLine(positionalsOf(cmd));
  return [commandPath(scriptName, cmd, sub), ...(hasOptions ? ['[OPTIONS]'] : []), ...(args ? [args] : [])].join(' ');
}
