// The shape of one command, as plain data: its name and positionals (the yargs command
// string), aliases, description, flags, positional descriptions, examples and epilog,
// the --format fields and subcommands, and the handler that gets the Context. The one
// parser (parse.ts), help (output/help.ts), usage errors (usage.ts), completion
// (complete.ts) and README's command reference (output/reference.ts) all read this.
import type { ArgumentsCamelCase } from 'yargs';
import type { Context } from './context.ts';
import { fieldName, type Column } from './output/table.ts';

/** A flag, as yargs declares one (`.option(name, flag)`), data only. */
export interface Flag {
  /** The one-letter short form (-q). */
  alias?: string;
  type: 'string' | 'number' | 'boolean';
  describe: string;
  default?: string | number | boolean | readonly string[];
  choices?: readonly string[];
  /** Repeatable: every value is kept (--match a --match b). Others: the last one given wins, as pflag has it. */
  array?: boolean;
  /** Accepted, never listed in help or completion. */
  hidden?: boolean;
  /** Its value is a path: the shell completes file names. */
  normalize?: boolean;
  /** What its value is, as README's reference names it: DIR, PATTERN, DURATION (default VALUE, N for a number). */
  value?: string;
  /** README's reference only: the default as it shows it (markdown), for one the table does not hold because the run works it out ('`~/.jindr`', '`jindr-PORT`'). Help never shows it (its describe says the default). */
  defaultText?: string;
  /** README's reference only: a note after the flag (markdown), e.g. 'created if missing'. */
  readme?: string;
}

/** What the command string does not say of a positional. */
export interface Positional {
  describe: string;
  choices?: readonly string[];
}

/** An action of a command that has several (mirror start, index create): a subcommand in help and usage errors. */
export interface Subcommand {
  name: string;
  /** Its arguments as the usage line shows them, after the name: '[UPSTREAM]', 'TARGET SOURCE [SOURCE...]'. */
  args: string;
  describe: string;
  /** The command's flags that belong to it (none by default); 'format': its output takes --format. */
  options?: readonly string[];
  /** Its --format fields, when they are not the command's own (mirror start's are not mirror ls's). */
  fields?: readonly string[];
}

/** Everything a command declares, as data: what build/lazy-commands.ts writes into the executable's table. */
export interface CommandData {
  /** yargs command string: the name, then the positionals, e.g. 'inspect <image..>', 'cp <image> [destination] [tags..]'. */
  command: string;
  aliases: readonly string[];
  describe: string;
  options: Readonly<Record<string, Flag>>;
  positionals: Readonly<Record<string, Positional>>;
  /** [command line with $0 for the program, what it does] */
  examples: ReadonlyArray<readonly [string, string]>;
  epilog: string | undefined;
  /** The fields --format templates may use ({{.Repository}}); none: the command prints no rows. */
  fields: readonly string[];
  /** The actions of a command whose first positional names one (mirror, index). */
  subcommands: readonly Subcommand[];
  /** README's reference only: what the command does, at length (markdown, links to README's sections), instead of describe. Help never shows it. */
  readme: string | undefined;
}

export interface JindrCommand extends CommandData {
  /** Returns the exit code (0 when it returns nothing). */
  run(args: Record<string, unknown>, ctx: Context): Promise<number | void>;
}

export interface CommandSpec<A> {
  command: string;
  aliases?: readonly string[];
  describe: string;
  options?: Readonly<Record<string, Flag>>;
  positionals?: Readonly<Record<string, Positional>>;
  examples?: ReadonlyArray<readonly [string, string]>;
  epilog?: string;
  /** The columns its output prints (output/*.ts), for --format templates and help. */
  fields?: readonly Pick<Column<never>, 'header' | 'field'>[];
  subcommands?: readonly Subcommand[];
  /** README's reference only: the longer text of the command's row (CommandData.readme). */
  readme?: string;
  run(args: ArgumentsCamelCase<A>, ctx: Context): Promise<number | void>;
}

/** Keeps each command's argument types while the table holds them all alike. */
export function defineCommand<A>(spec: CommandSpec<A>): JindrCommand {
  return {
    command: spec.command,
    aliases: spec.aliases ?? [],
    describe: spec.describe,
    options: spec.options ?? {},
    positionals: spec.positionals ?? {},
    examples: spec.examples ?? [],
    epilog: spec.epilog,
    fields: (spec.fields ?? []).map(fieldName),
    subcommands: spec.subcommands ?? [],
    readme: spec.readme,
    run: spec.run,
  };
}
