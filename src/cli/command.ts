// The shape of one command: a yargs builder and a handler that gets the Context.
import type { Argv, ArgumentsCamelCase } from 'yargs';
import type { Context } from './context.ts';

export interface JindrCommand {
  /** yargs command string, e.g. 'start' or 'inspect <image..>'. */
  command: string;
  aliases: readonly string[];
  describe: string;
  builder: (yargs: Argv) => Argv;
  /** Returns the exit code (0 when it returns nothing). */
  run(args: Record<string, unknown>, ctx: Context): Promise<number | void>;
}

export interface CommandSpec<A> {
  command: string;
  aliases?: readonly string[];
  describe: string;
  builder?: (yargs: Argv) => Argv<A>;
  run(args: ArgumentsCamelCase<A>, ctx: Context): Promise<number | void>;
}

/** Keeps each command's argument types while the table holds them all alike. */
export function defineCommand<A>(spec: CommandSpec<A>): JindrCommand {
  return {
    command: spec.command,
    aliases: spec.aliases ?? [],
    describe: spec.describe,
    builder: (spec.builder ?? ((y: Argv) => y)) as (yargs: Argv) => Argv,
    run: spec.run as (args: Record<string, unknown>, ctx: Context) => Promise<number | void>,
  };
}
