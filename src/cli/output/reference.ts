// README.md's command reference, made from the command table: a row per command with its
// arguments, aliases, flags (with their value words, defaults and README notes) and what
// it does (the row's readme text, else its description). `npm run readme` writes it
// between the markers below; test/cli/readme.test.ts fails when README.md's differs.
import type { JindrCommand } from '../command.ts';
import { argumentsLine, commandName, ownOptions, positionalsOf, type OptionSpec } from '../command-spec.ts';

export const REFERENCE_START = '<!-- command reference: made by `npm run readme` from src/cli/commands; do not edit -->';
export const REFERENCE_END = '<!-- end of command reference -->';

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The table's default as README shows it: a string in code type, a list joined; nothing for false, empty or unset. */
function tableDefault(d: unknown): string | undefined {
  if (d === undefined || d === false || d === '' || (Array.isArray(d) && d.length === 0)) return undefined;
  if (typeof d === 'number') return String(d);
  return `\`${Array.isArray(d) ? d.join(',') : typeof d === 'string' ? d : JSON.stringify(d)}\``;
}

/** `-d, --data DIR` (default `~/.jindr`, created if missing): the flag, then its default, repeatable and the row's note. */
function flag(o: OptionSpec): string {
  const short = o.aliases.find((a) => a.length === 1);
  const value =
    o.type === 'boolean' ? '' : o.choices.length > 0 ? ` ${o.choices.join('|')}` : ` ${o.value ?? (o.type === 'number' ? 'N' : 'VALUE')}`;
  const shown = o.defaultText ?? tableDefault(o.default);
  const notes = [shown === undefined ? '' : `default ${shown}`, o.array ? 'repeatable' : '', o.readme ?? ''].filter(Boolean);
  return `\`${short ? `-${short}, ` : ''}--${o.name}${value}\`${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
}

function row(cmd: JindrCommand): string {
  const subs = cmd.subcommands.map((s) => s.name).join('|');
  const args = subs ? `${subs} ${argumentsLine(positionalsOf(cmd).slice(1))}` : argumentsLine(positionalsOf(cmd));
  const usage = `\`${[commandName(cmd), args].filter(Boolean).join(' ')}\``;
  const aliases = cmd.aliases.map((a) => `\`${a}\``).join(', ');
  const flags = ownOptions(cmd).map((o) => {
    const owner = cmd.subcommands.find((s) => s.options?.includes(o.name) && o.describe.startsWith(`${s.name}: `));
    return owner ? `${owner.name}: ${flag(o)}` : flag(o);
  });
  if (cmd.fields.length > 0 || cmd.subcommands.some((s) => s.options?.includes('format'))) flags.push('`--format FORMAT`');
  return `| ${cell(usage)} | ${aliases} | ${cell(flags.join(', '))} | ${cell(cmd.readme ?? cmd.describe)} |`;
}

/** The reference as README.md holds it, markers included. */
export function commandReference(commands: readonly JindrCommand[]): string {
  return [
    REFERENCE_START,
    '',
    '| command | aliases | options | what it does |',
    '| --- | --- | --- | --- |',
    ...commands.map(row),
    '',
    REFERENCE_END,
  ].join('\n');
}

/** README.md with its reference replaced by `reference`. */
export function withReference(readme: string, reference: string): string {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no command reference between "${REFERENCE_START}" and "${REFERENCE_END}"`);
  return readme.slice(0, start) + reference + readme.slice(end + REFERENCE_END.length);
}
