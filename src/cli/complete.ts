// `docker __complete jindr ARGS...`: cobra's completion protocol, as the Docker CLI
// relays it for plugins: one candidate per line (a tab, then a description, allowed),
// then ":<directive>". The CLI reads the directive back and hands it to the shell.
// ARGS are the words typed after `jindr`; the last one is the word being completed.
// Image and repository arguments are completed from the registry (complete-registry.ts):
// completionTarget() says which kind of name the word is, read from the command string.
import type { Flag, JindrCommand } from './command.ts';
import { commandOptionSpecs, findCommand, optionSpecs, type OptionSpec } from './command-spec.ts';
import { FORMAT_WORDS } from './global-options.ts';
import { readFlags } from './parse.ts';

/** cobra's ShellCompDirectiveDefault: the shell may complete file names. */
const DEFAULT = 0;
/** cobra's ShellCompDirectiveNoFileComp */
const NO_FILE_COMPLETION = 4;

interface OptionInfo {
  name: string;
  aliases: string[];
  describe: string;
  takesValue: boolean;
  choices: string[];
  hidden: boolean;
  path: boolean;
}

function infoOf(o: OptionSpec): OptionInfo {
  return {
    name: o.name,
    aliases: o.aliases,
    describe: o.describe,
    takesValue: o.type !== 'boolean',
    // --format takes a template too: only its words are offered.
    choices: o.name === 'format' ? [...FORMAT_WORDS] : o.choices,
    hidden: o.hidden,
    path: o.normalize,
  };
}

/** The flags a command declares (its table row). */
export function commandOptions(cmd: JindrCommand): OptionInfo[] {
  return commandOptionSpecs(cmd).map(infoOf);
}

/** The choices of a command's positionals, by name (e.g. completion's shell: bash, zsh). */
export function positionalChoices(cmd: JindrCommand): Map<string, string[]> {
  return new Map(
    Object.entries(cmd.positionals)
      .filter(([, p]) => (p.choices ?? []).length > 0)
      .map(([name, p]) => [name, [...p.choices!]]),
  );
}

/** The positionals of a command string ('cp <image> [destination] [tag..]'): names, and whether the last takes many. */
function positionalSpecs(cmd: JindrCommand): Array<{ name: string; variadic: boolean }> {
  return cmd.command
    .split(' ')
    .slice(1)
    .map((p) => ({ name: p.replace(/[<>[\]]/g, '').replace(/\.\.$/, ''), variadic: p.includes('..') }));
}

/** The positional the next plain word fills, after `filled` of them. */
function positionalAt(cmd: JindrCommand, filled: number): string | undefined {
  const specs = positionalSpecs(cmd);
  const last = specs.at(-1);
  return (specs[filled] ?? (last?.variadic ? last : undefined))?.name;
}

function flagsOf(o: OptionInfo): string[] {
  return [o.name, ...o.aliases].map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
}

function findOption(options: readonly OptionInfo[], flag: string): OptionInfo | undefined {
  return options.find((o) => flagsOf(o).includes(flag));
}

function line(candidate: string, describe: string): string {
  return describe ? `${candidate}\t${describe}` : candidate;
}

interface Walk {
  current: string;
  command: JindrCommand | undefined;
  options: OptionInfo[];
  /** The option whose value the current word is. */
  pendingValue: OptionInfo | undefined;
  /** Words after the command that are not options or their values. */
  positionals: string[];
  /** -r/--registry as typed, if it was. */
  registry: string | undefined;
}

/** Reads the typed words as the parser does (parse.ts), leniently: the command word, its positionals, a flag waiting for its value. */
function walk(commands: readonly JindrCommand[], globals: Readonly<Record<string, Flag>>, args: readonly string[]): Walk {
  const current = args.at(-1) ?? '';
  const words = args.slice(0, -1);
  const globalSpecs = optionSpecs(globals);
  const first = readFlags(words, globalSpecs, { unknown: 'skip' }).words[0];
  const command = first === undefined ? undefined : findCommand(commands, first);
  const specs = command ? [...commandOptionSpecs(command), ...globalSpecs] : globalSpecs;
  const read = readFlags(words, specs, { unknown: 'skip' });
  const registry = read.given.filter((g) => g.option.name === 'registry').at(-1)?.value;
  const options = specs.map(infoOf);
  const pendingValue = read.pending && options.find((o) => o.name === read.pending!.name);
  return { current, command, options, pendingValue, positionals: command ? read.words.slice(1) : read.words, registry };
}

/** What a word is completed with from the registry: repositories, images (repo, repo:tag), or tags of an image's repository. */
export type CompletionTarget =
  | { kind: 'repo' | 'image'; registry: string | undefined; current: string }
  | { kind: 'tag'; registry: string | undefined; image: string; current: string };

/** Positional names in command strings that hold names in the registry. */
const KINDS: Record<string, 'repo' | 'image' | 'tag'> = { image: 'image', repo: 'repo', tag: 'tag', tags: 'tag' };

/**
 * Whether the word being completed is an IMAGE, REPO or TAG argument (by the positional
 * names in the command string, e.g. 'cp <image> [destination] [tag..]'); undefined when not.
 */
export function completionTarget(
  commands: readonly JindrCommand[],
  globals: Readonly<Record<string, Flag>>,
  args: readonly string[],
): CompletionTarget | undefined {
  const w = walk(commands, globals, args);
  if (!w.command || w.pendingValue || (w.current.startsWith('-') && w.current !== '')) return undefined;
  const name = positionalAt(w.command, w.positionals.length);
  const kind = name === undefined ? undefined : KINDS[name];
  if (kind === undefined) return undefined;
  if (kind !== 'tag') return { kind, registry: w.registry, current: w.current };
  const imageAt = positionalSpecs(w.command).findIndex((s) => s.name === 'image');
  const image = imageAt >= 0 ? w.positionals[imageAt] : undefined;
  return image === undefined ? undefined : { kind, registry: w.registry, image, current: w.current };
}

export function completions(commands: readonly JindrCommand[], globals: Readonly<Record<string, Flag>>, args: readonly string[]): string {
  const { current, command, options, pendingValue, positionals } = walk(commands, globals, args);

  const out: string[] = [];
  let directive = NO_FILE_COMPLETION;
  if (pendingValue) {
    // Completing an option's value: its choices, or files for a path.
    out.push(...pendingValue.choices.filter((c) => c.startsWith(current)));
    if (!pendingValue.choices.length && pendingValue.path) directive = DEFAULT;
  } else if (current.startsWith('--') && current.includes('=')) {
    const [flag, value] = [current.slice(0, current.indexOf('=')), current.slice(current.indexOf('=') + 1)];
    const o = findOption(options, flag);
    if (o) out.push(...o.choices.filter((c) => c.startsWith(value)).map((c) => `${flag}=${c}`));
  } else if (current.startsWith('-')) {
    for (const o of options) {
      if (o.hidden) continue;
      const long = flagsOf(o).find((f) => f.startsWith('--') && f.startsWith(current));
      const any = long ?? flagsOf(o).find((f) => f.startsWith(current));
      if (any) out.push(line(any, o.describe));
    }
  } else if (!command) {
    for (const c of commands) {
      const name = c.command.split(' ')[0]!;
      const match = name.startsWith(current) ? name : c.aliases.find((a) => a.startsWith(current));
      if (match) out.push(line(match, c.describe));
    }
    if ('help'.startsWith(current)) out.push(line('help', 'Show help for a command'));
  } else {
    // A positional with choices (completion's shell); registry names are added by complete-registry.ts.
    const name = positionalAt(command, positionals.length);
    const choices = name === undefined ? [] : (positionalChoices(command).get(name) ?? []);
    out.push(...choices.filter((c) => c.startsWith(current)));
  }
  return [...out, `:${directive}`].join('\n') + '\n';
}
