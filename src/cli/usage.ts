// Usage errors in the Docker CLI's words, before yargs sees the line (it would take an
// unknown flag for an argument): "unknown flag: --bogus", "unknown shorthand flag: 'x'
// in -x", "'docker jindr cp' requires at least 1 argument" (docker/cli cli/required.go,
// cli/cobra.go FlagErrorFunc), each followed by the usage line and where to read more.
// The exit code stays 2 for every usage error (errors.ts), where docker itself exits 125
// for a bad flag and 1 for a wrong number of arguments: a script can tell a mistyped
// command from a failed one. Values a command checks itself stay one-line errors.
import type { JindrCommand, Subcommand } from './command.ts';
import { argumentCount, argumentName, commandPath, findCommand, optionSpec, positionalsOf, readBuilder, usageLine, type OptionSpec } from './command-spec.ts';
import { GLOBAL_OPTIONS } from './global-options.ts';
import { UsageError } from '../errors.ts';

/** "MESSAGE\n\nUsage:  LINE\n\nRun 'PATH --help' for more information", as Docker prints it. */
export function usageError(message: string, usage: string, path: string, verb: 'Run' | 'See' = 'Run'): UsageError {
  return new UsageError(`${message}\n\nUsage:  ${usage}\n\n${verb} '${path} --help' for more information`);
}

/** The plugin's own global options, with -h/--help and -v/--version. */
export function globalOptionSpecs(): OptionSpec[] {
  return [
    ...Object.entries(GLOBAL_OPTIONS).map(([name, o]) => optionSpec(name, o)),
    optionSpec('help', { alias: 'h', type: 'boolean', describe: 'Print usage' }),
    optionSpec('version', { alias: 'v', type: 'boolean', describe: 'Print version information and quit' }),
  ];
}

const takesValue = (o: OptionSpec): boolean => o.type !== 'boolean' && o.type !== 'count';

/** How Docker names a flag in "invalid argument" messages: "-j, --jobs" or "--sort". */
export function flagLabel(o: OptionSpec): string {
  const short = o.aliases.find((a) => a.length === 1);
  return short ? `-${short}, --${o.name}` : `--${o.name}`;
}

/** A value the option cannot take, or undefined when it can. */
function valueProblem(o: OptionSpec, value: string): string | undefined {
  if (o.choices.length > 0 && !o.choices.includes(value)) return `use ${o.choices.slice(0, -1).join(', ')} or ${o.choices.at(-1)}`;
  if (o.type === 'number' && (value.trim() === '' || Number.isNaN(Number(value)))) return 'not a number';
  if (!takesValue(o) && !/^(true|false|1|0)$/i.test(value)) return 'use true or false';
  return undefined;
}

export interface CommandLine {
  command: JindrCommand | undefined;
  /** The action a command with subcommands was given (mirror start), when it names one. */
  sub: Subcommand | undefined;
  /** The words after the command word that are not options or their values. */
  positionals: string[];
  /** The command's own options given (not the global ones). */
  used: OptionSpec[];
  help: boolean;
}

/** Reads the flags as pflag would, refusing unknown ones and missing or malformed values. */
export function scanLine(args: readonly string[], commands: readonly JindrCommand[], scriptName: string): CommandLine {
  const globals = globalOptionSpecs();
  const line: CommandLine = { command: undefined, sub: undefined, positionals: [], used: [], help: false };
  let options = globals;
  const fail = (message: string): UsageError => {
    const { command } = line;
    if (!command) return usageError(message, `${scriptName} [OPTIONS] COMMAND`, scriptName);
    const sub = command.subcommands.find((s) => s.name === line.positionals[0]);
    return usageError(message, usageLine(scriptName, command, sub), commandPath(scriptName, command, sub));
  };
  const given = (o: OptionSpec, value: string | undefined, label: string): void => {
    if (o.name === 'help') line.help = true;
    if (!globals.includes(o)) line.used.push(o);
    if (value === undefined) return;
    const problem = valueProblem(o, value);
    if (problem !== undefined) throw fail(`invalid argument ${JSON.stringify(value)} for ${JSON.stringify(label)} flag: ${problem}`);
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break; // main refuses any words after it
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq > 0 ? eq : undefined);
      const o = options.find((x) => x.name === name || (name.length > 1 && x.aliases.includes(name)));
      if (!o) throw fail(`unknown flag: --${name}`);
      let value = eq > 0 ? arg.slice(eq + 1) : undefined;
      if (takesValue(o) && value === undefined) {
        value = args[++i];
        if (value === undefined) throw fail(`flag needs an argument: --${name}`);
      }
      given(o, value, flagLabel(o));
    } else if (arg.startsWith('-') && arg !== '-') {
      for (let j = 1; j < arg.length; j++) {
        const c = arg[j]!;
        const o = options.find((x) => x.aliases.includes(c) || x.name === c);
        if (!o) throw fail(`unknown shorthand flag: '${c}' in ${arg}`);
        if (!takesValue(o)) {
          // -q=false, as pflag takes it; else the next letter is another flag.
          const inline = arg[j + 1] === '=' ? arg.slice(j + 2) : undefined;
          given(o, inline, flagLabel(o));
          if (inline !== undefined) break;
          continue;
        }
        let value: string | undefined = arg.slice(j + 1).replace(/^=/, '');
        if (value === '') value = args[++i];
        if (value === undefined) throw fail(`flag needs an argument: '${c}' in -${c}`);
        given(o, value, flagLabel(o));
        break;
      }
    } else if (!line.command) {
      line.command = findCommand(commands, arg);
      if (line.command) options = [...readBuilder(line.command).options, ...globals];
    } else {
      line.positionals.push(arg);
    }
  }
  line.sub = line.command?.subcommands.find((s) => s.name === line.positionals[0]);
  return line;
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
 * Refuses, in Docker's words, what the command line gets wrong: flags the command does not
 * have (or the subcommand, for mirror and index), the wrong number of arguments, a value
 * outside a positional's choices, an unknown subcommand. Nothing for a help request.
 */
export function checkUsage(args: readonly string[], commands: readonly JindrCommand[], scriptName: string): void {
  const line = scanLine(args, commands, scriptName);
  const { command, sub, positionals } = line;
  if (!command || line.help) return;
  if (command.subcommands.length > 0) {
    if (!sub) {
      // Nothing at all asks for the command's help (main); an unknown word is an unknown command.
      if (positionals.length === 0) return;
      throw usageError(`unknown command: ${commandPath(scriptName, command)} ${positionals[0]}`, usageLine(scriptName, command), commandPath(scriptName, command));
    }
    const foreign = line.used.find((o) => !sub.options?.includes(o.name));
    if (foreign) throw usageError(`unknown flag: --${foreign.name}`, usageLine(scriptName, command, sub), commandPath(scriptName, command, sub));
    const { min, max } = argumentCount(sub.args);
    const path = commandPath(scriptName, command, sub);
    const problem = countProblem(positionals.length - 1, min, max, path);
    if (problem) throw usageError(problem.message, usageLine(scriptName, command, sub), path, problem.verb);
    return;
  }
  const specs = positionalsOf(command);
  const min = specs.filter((p) => p.required).length;
  const max = specs.some((p) => p.variadic) ? Infinity : specs.length;
  const path = commandPath(scriptName, command);
  const problem = countProblem(positionals.length, min, max, path);
  if (problem) throw usageError(problem.message, usageLine(scriptName, command), path, problem.verb);
  positionals.forEach((word, i) => {
    const spec = specs[Math.min(i, specs.length - 1)];
    if (spec && spec.choices.length > 0 && !spec.choices.includes(word)) {
      throw usageError(`invalid argument ${JSON.stringify(word)} for '${path}': use ${argumentName(spec).split('|').join(' or ')}`, usageLine(scriptName, command), path);
    }
  });
}

/** An unknown command word, with a near miss when there is one. */
export function unknownCommand(word: string, near: string | undefined, scriptName: string): UsageError {
  const hint = near ? ` (did you mean "${near}"?)` : '';
  return usageError(`unknown command: ${scriptName} ${word}${hint}`, `${scriptName} [OPTIONS] COMMAND`, scriptName);
}
