// What a command declares, read from its table row (command.ts): the flags with their
// names and aliases, the positionals of its command string with what the row says of
// them. One source for the parser, help, usage errors, completion and the README.
import type { Flag, JindrCommand, Subcommand } from './command.ts';

export interface OptionSpec {
  name: string;
  /** Other names: one-letter ones are the short flag (-r). */
  aliases: string[];
  type: Flag['type'];
  array: boolean;
  describe: string;
  default: unknown;
  choices: string[];
  hidden: boolean;
  /** Its value is a path (file completion). */
  normalize: boolean;
  /** What its value is called in README's reference (VALUE when the row does not say). */
  value: string | undefined;
  /** README's reference only: the default as it shows it, and a note (command.ts Flag). */
  defaultText: string | undefined;
  readme: string | undefined;
}

export interface PositionalSpec {
  name: string;
  required: boolean;
  variadic: boolean;
  describe: string;
  choices: string[];
}

/** A flag as given: its spec, its value as typed (none for a switch without `=`), and how it was written. */
export interface Given {
  option: OptionSpec;
  value: string | undefined;
  /** `-j`, `--jobs`: for "flag needs an argument" and the like. */
  typed: string;
}

export function optionSpec(name: string, o: Flag): OptionSpec {
  return {
    name,
    aliases: o.alias === undefined ? [] : [o.alias],
    type: o.type,
    array: Boolean(o.array),
    describe: o.describe,
    default: o.default,
    choices: [...(o.choices ?? [])],
    hidden: Boolean(o.hidden),
    normalize: Boolean(o.normalize),
    value: o.value,
    defaultText: o.defaultText,
    readme: o.readme,
  };
}

const cache = new WeakMap<object, OptionSpec[]>();

/** A table of flags as OptionSpecs, in the order declared. */
export function optionSpecs(flags: Readonly<Record<string, Flag>>): OptionSpec[] {
  let specs = cache.get(flags);
  if (!specs) cache.set(flags, (specs = Object.entries(flags).map(([name, o]) => optionSpec(name, o))));
  return specs;
}

/** Every flag of a command, hidden ones included. */
export const commandOptionSpecs = (cmd: JindrCommand): OptionSpec[] => optionSpecs(cmd.options);

export const commandName = (cmd: JindrCommand): string => cmd.command.split(' ')[0]!;

/** The command a word names (its name or an alias). */
export function findCommand(commands: readonly JindrCommand[], word: string): JindrCommand | undefined {
  return commands.find((c) => commandName(c) === word || c.aliases.includes(word));
}

/** The positionals of the command string ('cp <image> [destination] [tags..]'), with what the row says of them. */
export function positionalsOf(cmd: JindrCommand): PositionalSpec[] {
  return cmd.command
    .split(' ')
    .slice(1)
    .map((p) => {
      const name = p.replace(/[<>[\]]/g, '').replace(/\.\.$/, '');
      const found = cmd.positionals[name];
      return {
        name,
        required: p.startsWith('<'),
        variadic: p.includes('..'),
        describe: found?.describe ?? '',
        choices: [...(found?.choices ?? [])],
      };
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
  const all = commandOptionSpecs(cmd).filter((o) => !o.hidden);
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
