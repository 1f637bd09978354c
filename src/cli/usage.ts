// Usage errors in the Docker CLI's words: "unknown flag: --bogus", "unknown shorthand flag:
// 'x' in -x", "'docker jindr cp' requires at least 1 argument" (docker/cli cli/required.go,
// cli/cobra.go FlagErrorFunc), each followed by the usage line and where to read more.
// The exit code stays 2 for every usage error (errors.ts), where docker itself exits 125
// for a bad flag and 1 for a wrong number of arguments: a script can tell a mistyped
// command from a failed one. Values a command checks itself stay one-line errors.
import type { JindrCommand, Subcommand } from './command.ts';
import { argumentCount, argumentName, commandPath, positionalsOf, usageLine, type Given, type OptionSpec } from './command-spec.ts';
import { UsageError } from '../errors.ts';

/** "MESSAGE\n\nUsage:  LINE\n\nRun 'PATH --help' for more information", as Docker prints it. */
export function usageError(message: string, usage: string, path: string, verb: 'Run' | 'See' = 'Run'): UsageError {
  return new UsageError(`${message}\n\nUsage:  ${usage}\n\n${verb} '${path} --help' for more information`);
}

/** A usage error with the usage line of the command (and subcommand) named, or of the plugin. */
export function usageErrorFor(
  message: string,
  scriptName: string,
  command?: JindrCommand,
  sub?: Subcommand,
  verb: 'Run' | 'See' = 'Run',
): UsageError {
  if (!command) return usageError(message, `${scriptName} [OPTIONS] COMMAND`, scriptName, verb);
  return usageError(message, usageLine(scriptName, command, sub), commandPath(scriptName, command, sub), verb);
}

/** How Docker names a flag in "invalid argument" messages: "-j, --jobs" or "--sort". */
export function flagLabel(o: OptionSpec): string {
  const short = o.aliases.find((a) => a.length === 1);
  return short ? `-${short}, --${o.name}` : `--${o.name}`;
}

/** What is wrong with a flag's value as given, in pflag's words; undefined when nothing. */
export function valueProblem(g: Given): string | undefined {
  const { option: o, value } = g;
  if (value === undefined) return undefined;
  let problem: string | undefined;
  if (o.choices.length > 0 && !o.choices.includes(value)) problem = `use ${o.choices.slice(0, -1).join(', ')} or ${o.choices.at(-1)}`;
  else if (o.type === 'number' && (value.trim() === '' || Number.isNaN(Number(value)))) problem = 'not a number';
  else if (o.type === 'boolean' && !/^(true|false|1|0|t|f)$/i.test(value)) problem = 'use true or false';
  return problem && `invalid argument ${JSON.stringify(value)} for ${JSON.stringify(flagLabel(o))} flag: ${problem}`;
}

const plural = (n: number): string => `${n} argument${n === 1 ? '' : 's'}`;

/** Docker's words for a wrong number of arguments (cli/required.go). */
function countProblem(n: number, min: number, max: number, path: string): { message: string; verb: 'Run' | 'See' } | undefined {
  if (n >= min && n <= max) return undefined;
  if (max === 0) return { message: `'${path}' accepts no arguments`, verb: 'Run' };
  if (min === max) return { message: `'${path}' requires ${plural(min)}`, verb: 'Run' };
  if (max === Infinity) return { message: `'${path}' requires at least ${plural(min)}`, verb: 'See' };
  if (min === 0) return { message: `'${path}' requires at most ${plural(max)}`, verb: 'Run' };
  return { message: `'${path}' requires at least ${min} and at most ${plural(max)}`, verb: 'Run' };
}

/**
 * Refuses, in Docker's words, what a read command line gets wrong beyond its flags: flags
 * a subcommand does not have (mirror, index), the wrong number of arguments, a value
 * outside a positional's choices, an unknown subcommand.
 */
export function checkArguments(
  command: JindrCommand,
  sub: Subcommand | undefined,
  positionals: readonly string[],
  used: readonly OptionSpec[],
  scriptName: string,
): void {
  if (command.subcommands.length > 0) {
    if (!sub) throw usageErrorFor(`unknown command: ${commandPath(scriptName, command)} ${positionals[0]}`, scriptName, command);
    const foreign = used.find((o) => !sub.options?.includes(o.name));
    if (foreign) throw usageErrorFor(`unknown flag: --${foreign.name}`, scriptName, command, sub);
    const { min, max } = argumentCount(sub.args);
    const problem = countProblem(positionals.length - 1, min, max, commandPath(scriptName, command, sub));
    if (problem) throw usageErrorFor(problem.message, scriptName, command, sub, problem.verb);
    return;
  }
  const specs = positionalsOf(command);
  const min = specs.filter((p) => p.required).length;
  const max = specs.some((p) => p.variadic) ? Infinity : specs.length;
  const path = commandPath(scriptName, command);
  const problem = countProblem(positionals.length, min, max, path);
  if (problem) throw usageErrorFor(problem.message, scriptName, command, undefined, problem.verb);
  positionals.forEach((word, i) => {
    const spec = specs[Math.min(i, specs.length - 1)];
    if (spec && spec.choices.length > 0 && !spec.choices.includes(word)) {
      throw usageErrorFor(
        `invalid argument ${JSON.stringify(word)} for '${path}': use ${argumentName(spec).split('|').join(' or ')}`,
        scriptName,
        command,
      );
    }
  });
}

/** An unknown command word, with a near miss when there is one. */
export function unknownCommand(word: string, near: string | undefined, scriptName: string): UsageError {
  const hint = near ? ` (did you mean "${near}"?)` : '';
  return usageErrorFor(`unknown command: ${scriptName} ${word}${hint}`, scriptName);
}
