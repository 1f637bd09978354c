// The shape of one command: a yargs builder and a handler that gets the Context, and
// what help, usage checks and --format need to know beyond the builder.
import type { Argv, ArgumentsCamelCase } from 'yargs';
import type { Context } from './context.ts';
import { fieldName, type Column } from './output/table.ts';

/** An action of a command that has several (mirror start, index create): a subcommand in help and usage errors. */
export interface Subcommand {
  name: string;
  /** Its arguments as the usage line shows them, after the name: '[UPSTREAM]', 'TARGET SOURCE [SOURCE...]'. */
  args: string;
  describe: string;
  /** The builder's options that belong to it (none by default); 'format': its output takes --format. */
  options?: readonly string[];
  /** Its --format fields, when they are not the command's own (mirror start's are not mirror ls's). */
  fields?: readonly string[];
}

export interface JindrCommand {
  /** yargs command string, e.g. 'start' or 'inspect <image..>'. */
  command: string;
  aliases: readonly string[];
  describe: string;
  builder: (yargs: Argv) => Argv;
  /** The fields --format templates may use ({{.Repository}}); none: the command prints no rows. */
  fields: readonly string[];
  /** The actions of a command whose first positional names one (mirror, index). */
  subcommands: readonly Subcommand[];
  /** Returns the exit code (0 when it returns nothing). */
  run(args: Record<string, unknown>, ctx: Context): Promise<number | void>;
}

export interface CommandSpec<A> {
  command: string;
  aliases?: readonly string[];
  describe: string;
  builder?: (yargs: Argv) => Argv<A>;
  /** The columns its output prints (output/*.ts), for --format templates and help. */
  fields?: readonly Pick<Column<never>, 'header' | 'field'>[];
  subcommands?: readonly Subcommand[];
  run(args: ArgumentsCamelCase<A>, ctx: Context): Promise<number | void>;
}

/** Keeps each command's argument types while the table holds them all alike. */
export function defineCommand<A>(spec: CommandSpec<A>): JindrCommand {
  return {
    command: spec.command,
    aliases: spec.aliases ?? [],
    describe: spec.describe,
    builder: (spec.builder ?? ((y: Argv) => y)),
    fields: (spec.fields ?? []).map(fieldName),
    subcommands: spec.subcommands ?? [],
    run: spec.run,
  };
}
