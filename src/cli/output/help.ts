// Help in the Docker CLI's shape (docker/cli cli/cobra.go usageTemplate, pflag's flag
// lists): "Usage:  docker jindr cp [OPTIONS] IMAGE [DESTINATION] [TAG...]", the
// description, Aliases, Examples, the command's Options, then the Global Options; the
// plugin's own help lists Management Commands (those with subcommands) and Commands,
// and ends with "Run 'docker jindr COMMAND --help' for more information on a command."
// Everything comes from the command table (command.ts rows, global-options.ts).
import type { JindrCommand, Subcommand } from '../command.ts';
import {
  argumentName,
  commandName,
  commandPath,
  formatFields,
  ownOptions,
  positionalsOf,
  usageLine,
  type OptionSpec,
} from '../command-spec.ts';
import type { CommandLine } from '../command-line.ts';
import { globalOptionSpecs } from '../parse.ts';
import { paragraph, section, twoColumns } from './help-layout.ts';

const plainName = /^[a-z0-9-]*$/;

/**
 * a.localeCompare(b) for the names help sorts. The first localeCompare of a process loads
 * ICU's collation data, some 10 ms (most of what `--help` cost beyond Node's start); for
 * names of a-z, 0-9 and '-' (every command, subcommand and flag name) the collator's
 * order is the code points' (test/cli/output/help.test.ts), so those never ask it.
 */
export function nameOrder(a: string, b: string): number {
  if (plainName.test(a) && plainName.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return a.localeCompare(b);
}

/** pflag's word for a flag's value: string, int, list (a repeatable option); none for a switch. */
function typeName(o: OptionSpec): string {
  if (o.type === 'boolean') return '';
  if (o.array) return 'list';
  return o.type === 'number' ? 'int' : 'string';
}

/** " (default 4)", ' (default "name")', " (default [latest])"; nothing for false, empty or unset. */
function defaultText(o: OptionSpec): string {
  const d = o.default;
  if (d === undefined || d === false || d === '' || (Array.isArray(d) && d.length === 0)) return '';
  if (Array.isArray(d)) return ` (default [${d.join(',')}])`;
  if (typeof d === 'string') return ` (default ${JSON.stringify(d)})`;
  return typeof d === 'number' || typeof d === 'boolean' ? ` (default ${d})` : '';
}

function optionRow(o: OptionSpec, prefix?: string): [string, string] {
  const short = o.aliases.find((a) => a.length === 1);
  const type = typeName(o);
  const flag = `${short ? `  -${short}, ` : '      '}--${o.name}${type ? ` ${type}` : ''}`;
  const describe = prefix && o.describe.startsWith(prefix) ? o.describe.slice(prefix.length) : o.describe;
  return [flag, describe.charAt(0).toUpperCase() + describe.slice(1) + defaultText(o)];
}

function formatRow(fields: readonly string[]): [string, string] {
  return [
    '      --format string',
    "Format output: 'table' (the default), 'table TEMPLATE', 'json' (one JSON object per line), or a Go 'TEMPLATE' " +
      `({{.Field}}, {{json .}}, \\t and \\n) over the fields ${fields.map((f) => `.${f}`).join(' ')}`,
  ];
}

/** Sorted by long name, as pflag lists them; --format with the fields when the command prints rows. */
function optionList(options: readonly OptionSpec[], fields: readonly string[], prefix?: string): string {
  const rows = options.map((o) => ({ name: o.name, row: optionRow(o, prefix) }));
  if (fields.length > 0) rows.push({ name: 'format', row: formatRow(fields) });
  return twoColumns(rows.sort((a, b) => nameOrder(a.name, b.name)).map((r) => r.row));
}

const globalsShown = (names: readonly string[]): OptionSpec[] => globalOptionSpecs().filter((o) => names.includes(o.name));

function examplesOf(cmd: JindrCommand, scriptName: string, sub?: Subcommand): string {
  const name = commandName(cmd);
  return (
    cmd.examples
      .map(([line, text]) => [line.replaceAll('$0', scriptName).replace(/^docker jindr\b/, scriptName), text] as const)
      .filter(([line]) => !sub || line.startsWith(`${scriptName} ${name} ${sub.name}`))
      // The command line is never wrapped; its description goes under it.
      .map(([line, text]) => `  ${line}${text ? `\n${paragraph(text, 6)}` : ''}`)
      .join('\n')
  );
}

function argumentList(cmd: JindrCommand, sub?: Subcommand): string {
  if (sub) {
    const words = new Set(sub.args.split(/\s+/).map((w) => w.replace(/[[\].]/g, '')));
    const upstream = positionalsOf(cmd)
      .slice(1)
      .filter((p) => p.describe && words.has(argumentName(p)));
    return twoColumns(upstream.map((p) => [`  ${argumentName(p)}`, p.describe]));
  }
  return twoColumns(
    positionalsOf(cmd)
      .filter((p) => p.describe && p.choices.length === 0)
      .map((p) => [`  ${argumentName(p)}`, p.describe]),
  );
}

/** `docker jindr cp --help`, and `docker jindr mirror start --help` for a subcommand. */
export function commandHelp(cmd: JindrCommand, scriptName: string, sub?: Subcommand): string {
  const { epilog } = cmd;
  const aliases = sub ? [] : [commandName(cmd), ...cmd.aliases].map((a) => `${scriptName} ${a}`);
  const fields = formatFields(cmd, sub);
  const parts = [
    `Usage:  ${usageLine(scriptName, cmd, sub)}`,
    paragraph(sub ? sub.describe : cmd.describe),
    ...(epilog && !sub ? [paragraph(epilog)] : []),
    ...(aliases.length > 1 ? section('Aliases:', `  ${aliases.join(', ')}`) : []),
    ...section('Examples:', examplesOf(cmd, scriptName, sub)),
    ...section('Arguments:', argumentList(cmd, sub)),
    ...section('Options:', optionList(ownOptions(cmd, sub), fields, sub ? `${sub.name}: ` : undefined)),
    ...section('Global Options:', optionList(globalsShown(['registry', 'debug']), [])),
  ];
  return parts.join('\n\n') + '\n';
}

/** cobra's command list: names padded to 11 (or the longest), one space, the description. */
function commandList(rows: ReadonlyArray<readonly [string, string]>): string {
  return twoColumns(
    rows.map(([name, text]) => [`  ${name}`, text]),
    { gap: 1, minFirst: 2 + 11 },
  );
}

/** `docker jindr mirror --help`: its subcommands. */
export function groupHelp(cmd: JindrCommand, scriptName: string): string {
  const { epilog } = cmd;
  const subs = [...cmd.subcommands].sort((a, b) => nameOrder(a.name, b.name));
  const parts = [
    `Usage:  ${usageLine(scriptName, cmd)}`,
    paragraph(cmd.describe),
    ...(epilog ? [paragraph(epilog)] : []),
    ...section('Examples:', examplesOf(cmd, scriptName)),
    ...section('Commands:', commandList(subs.map((s) => [s.name, s.describe]))),
    `Run '${commandPath(scriptName, cmd)} COMMAND --help' for more information on a command.`,
  ];
  return parts.join('\n\n') + '\n';
}

/** `docker jindr --help`: the plugin's usage, its options and its commands. */
export function pluginHelp(commands: readonly JindrCommand[], scriptName: string, description: string): string {
  const sorted = [...commands].sort((a, b) => nameOrder(commandName(a), commandName(b)));
  const list = (cs: readonly JindrCommand[]): string => commandList(cs.map((c) => [commandName(c), c.describe]));
  const parts = [
    `Usage:  ${scriptName} [OPTIONS] COMMAND`,
    paragraph(description),
    ...section('Options:', optionList(globalsShown(['registry', 'debug', 'version']), [])),
    ...section('Management Commands:', list(sorted.filter((c) => c.subcommands.length > 0))),
    ...section('Commands:', list(sorted.filter((c) => c.subcommands.length === 0))),
    `Run '${scriptName} COMMAND --help' for more information on a command.`,
  ];
  return parts.join('\n\n') + '\n';
}

/**
 * The help a command line asks for, or undefined when it asks for none: -h/--help
 * anywhere (after the command: that command's), nothing at all, or a command with
 * subcommands given none (as `docker image` shows its commands).
 */
export function helpFor(
  line: CommandLine,
  nothing: boolean,
  commands: readonly JindrCommand[],
  scriptName: string,
  description: string,
): string | undefined {
  const { command, sub } = line;
  if (!command) return line.help || nothing ? pluginHelp(commands, scriptName, description) : undefined;
  if (command.subcommands.length > 0) {
    if (sub && line.help) return commandHelp(command, scriptName, sub);
    if (line.help || line.positionals.length === 0) return groupHelp(command, scriptName);
    return undefined;
  }
  return line.help ? commandHelp(command, scriptName) : undefined;
}
