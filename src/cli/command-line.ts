// A command line of the plugin (the words after `jindr`), read against the command table:
// which command and subcommand, the flags given, the positionals, and whether it asks
// for help or the version; every mistake a usage error in Docker's words (usage.ts).
import type { JindrCommand, Subcommand } from './command.ts';
import { commandName, findCommand, type OptionSpec } from './command-spec.ts';
import { allFlags, commandIndex, FlagError, flagsFor, readFlags, typedArgs, type Given } from './parse.ts';
import { checkArguments, unknownCommand, usageErrorFor, valueProblem } from './usage.ts';
import { UsageError } from '../errors.ts';

export interface CommandLine {
  command: JindrCommand | undefined;
  /** The action a command with subcommands was given (mirror start), when it names one. */
  sub: Subcommand | undefined;
  /** The words after the command word that are not flags or their values. */
  positionals: string[];
  given: Given[];
  /** The command's own flags given (not the global ones). */
  used: OptionSpec[];
  help: boolean;
  version: boolean;
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
 * Reads the plugin's arguments. `help [COMMAND]` is COMMAND's help; an unknown command
 * word is refused with a near miss; a flag is checked against the command's flags and
 * the global ones (a command's flag may come before its name). Only the flags are checked
 * here when the line asks for help; see checkCommandLine for the rest.
 */
export function readCommandLine(args: readonly string[], commands: readonly JindrCommand[], scriptName: string): CommandLine {
  const rest = [...args];
  let at = commandIndex(rest, commands);
  const help = rest[at] === 'help';
  if (help) {
    rest.splice(at, 1);
    at = commandIndex(rest, commands);
  }
  const word = rest[at];
  const command = word === undefined ? undefined : findCommand(commands, word);
  if (word !== undefined && !command) {
    // A flag no command has, before the word, is the first mistake (as pflag reads flags first).
    try {
      readFlags(rest.slice(0, at), allFlags(commands));
    } catch (err) {
      if (err instanceof FlagError) throw usageErrorFor(err.message, scriptName);
      throw err;
    }
    const names = commands.flatMap((c) => [commandName(c), ...c.aliases]);
    throw unknownCommand(
      word,
      names.find((n) => editDistance(n, word) <= (word.length > 3 ? 2 : 1)),
      scriptName,
    );
  }
  let read;
  try {
    read = readFlags(rest, flagsFor(command));
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    // A flag before the command's name that no command has: the plugin's usage, as docker says it.
    if (at < 0 || (err.at < at && !knownFlag(rest[err.at]!, commands))) throw usageErrorFor(err.message, scriptName);
    throw usageErrorFor(
      err.message,
      scriptName,
      command,
      command?.subcommands.find((s) => s.name === positionalAfter(rest, command)),
    );
  }
  const positionals = command ? read.words.slice(1) : read.words;
  const sub = command?.subcommands.find((s) => s.name === positionals[0]);
  for (const g of read.given) {
    const problem = valueProblem(g);
    if (problem) throw usageErrorFor(problem, scriptName, command, sub);
  }
  // Words after "--" would be dropped: refuse rather than do less than asked.
  if (read.afterDashes.length > 0)
    throw new UsageError('arguments after "--" are not accepted: give them before it (names and tags never start with "-")');
  const own = new Set(command ? Object.keys(command.options) : []);
  return {
    command,
    sub,
    positionals,
    given: read.given,
    used: read.given.map((g) => g.option).filter((o) => own.has(o.name)),
    help: help || read.given.some((g) => g.option.name === 'help'),
    version: read.given.some((g) => g.option.name === 'version'),
  };
}

/** Whether some command (or the plugin) has the flag of this word. */
function knownFlag(word: string, commands: readonly JindrCommand[]): boolean {
  try {
    readFlags([word, 'x'], allFlags(commands));
    return true;
  } catch {
    return false;
  }
}

/** The word after the command's name (a subcommand), read leniently, for the usage line of a flag error. */
function positionalAfter(args: readonly string[], command: JindrCommand | undefined): string | undefined {
  return command ? readFlags(args, flagsFor(command), { unknown: 'skip' }).words[1] : undefined;
}

/** Refuses what a command line that asks for no help gets wrong beyond its flags (usage.ts). */
export function checkCommandLine(line: CommandLine, scriptName: string): void {
  const { command, sub, positionals, used } = line;
  if (!command || line.help) return;
  // A command with subcommands given none shows its help (main).
  if (command.subcommands.length > 0 && positionals.length === 0) return;
  checkArguments(command, sub, positionals, used, scriptName);
}

/** The handler's arguments: the flags typed by yargs' parser, the positionals by name (a list for `[tags..]`). */
export function handlerArgs(line: CommandLine, scriptName: string): Record<string, unknown> {
  const { command } = line;
  if (!command) throw new Error('handlerArgs needs a command');
  const args = typedArgs(line.given, flagsFor(command));
  const words = [...line.positionals];
  for (const p of command.command.split(' ').slice(1)) {
    const name = p.replace(/[<>[\]]/g, '').replace(/\.\.$/, '');
    if (p.includes('..')) args[name] = words.splice(0);
    else if (words.length > 0) args[name] = words.shift();
  }
  args._ = [commandName(command)];
  args.$0 = scriptName;
  return args;
}
