// The arguments of a plain command line, read without yargs: loading yargs and letting it
// build a command's help before running it cost `ls` more CPU than Node's own start.
// Only what reads one way is read here: known options (of the command or global), each at
// most once, with a separate value where they take one, and the command's positionals.
// Anything else (help, version, `--opt=value`, `--no-x`, grouped flags, a repeated or
// unknown option, a wrong choice, a missing or extra positional, a builder using more of
// yargs than option/positional/epilog/example) is left to yargs, which parses it as ever
// and says what is wrong. The result has the shape yargs gives a handler (aliases,
// camelCase names, defaults, coerced values); test/cli/fast-parse.test.ts compares the two.
import type { Argv, Options, PositionalOptions } from 'yargs';
import type { JindrCommand } from './command.ts';

interface Spec {
  options: Map<string, Options>;
  positionals: Map<string, PositionalOptions>;
}

const OPTION_KEYS = new Set(['alias', 'type', 'default', 'describe', 'description', 'choices', 'hidden', 'global', 'coerce', 'array', 'demandOption']);

/** The options and positionals a builder declares; undefined when it uses anything else of yargs. */
function specOf(cmd: JindrCommand): Spec | undefined {
  const spec: Spec = { options: new Map(), positionals: new Map() };
  let plain = true;
  const add = (into: Map<string, Options>, name: string, o: Options = {}): void => {
    if (Object.keys(o).some((k) => !OPTION_KEYS.has(k)) || (o.type !== undefined && !['string', 'boolean', 'number'].includes(o.type))) plain = false;
    into.set(name, o);
  };
  const recorder: Argv = new Proxy({} as Argv, {
    get(_target, prop) {
      if (prop === 'then') return undefined; // not a promise
      if (prop === 'option' || prop === 'options') {
        return (key: string | Record<string, Options>, o?: Options) => {
          if (typeof key === 'string') add(spec.options, key, o);
          else for (const [k, v] of Object.entries(key)) add(spec.options, k, v);
          return recorder;
        };
      }
      if (prop === 'positional') return (key: string, o?: PositionalOptions) => (add(spec.positionals, key, o), recorder);
      if (prop === 'epilog' || prop === 'epilogue' || prop === 'example') return () => recorder;
      plain = false;
      return () => recorder;
    },
  });
  cmd.builder(recorder);
  return plain ? spec : undefined;
}

const camel = (name: string): string => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const aliasesOf = (o: Options): string[] => (o.alias === undefined ? [] : Array.isArray(o.alias) ? o.alias : [o.alias]).map(String);

/** Sets value under the option's name, its aliases and their camelCase forms, as yargs does. */
function assign(args: Record<string, unknown>, name: string, o: Options, value: unknown): void {
  for (const key of [name, ...aliasesOf(o)]) {
    args[key] = value;
    args[camel(key)] = value;
  }
}

function typed(o: Options, text: string): unknown {
  // Untyped, yargs would read a number where the word looks like one.
  if (o.type === undefined && /^[-+.\d]/.test(text)) throw new Unparsed();
  if (o.choices && !o.choices.map(String).includes(text)) throw new Unparsed();
  if (o.type === 'number') {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw new Unparsed();
    return n;
  }
  return text;
}

class Unparsed extends Error {}

/** The command and its handler's arguments, or undefined: then yargs must read these. */
export function fastParse(argv: readonly string[], commands: readonly JindrCommand[], globals: Readonly<Record<string, Options>>, scriptName: string): { cmd: JindrCommand; args: Record<string, unknown> } | undefined {
  try {
    return parse(argv, commands, globals, scriptName);
  } catch (err) {
    if (err instanceof Unparsed) return undefined;
    throw err;
  }
}

function parse(argv: readonly string[], commands: readonly JindrCommand[], globals: Readonly<Record<string, Options>>, scriptName: string): { cmd: JindrCommand; args: Record<string, unknown> } | undefined {
  let cmd: JindrCommand | undefined;
  let word = '';
  let spec: Spec | undefined;
  const given = new Map<string, unknown>();
  const words: string[] = [];
  const find = (flag: string): [string, Options] | undefined => {
    for (const table of [globals, ...(spec ? [Object.fromEntries(spec.options)] : [])]) {
      for (const [name, o] of Object.entries(table)) if ([name, ...aliasesOf(o)].some((n) => (n.length === 1 ? `-${n}` : `--${n}`) === flag)) return [name, o];
    }
    return undefined;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-' || arg === '') return undefined; // yargs has its own reading of these
    if (!arg.startsWith('-')) {
      if (cmd) {
        words.push(arg);
        continue;
      }
      cmd = commands.find((c) => c.command.split(' ')[0] === arg || c.aliases.includes(arg));
      word = arg;
      spec = cmd && specOf(cmd);
      if (!spec) return undefined;
      continue;
    }
    const found = find(arg);
    if (!found || given.has(found[0]) || found[1].array) return undefined;
    const [name, o] = found;
    if (o.type === 'boolean') {
      if (argv[i + 1] === 'true' || argv[i + 1] === 'false') return undefined;
      given.set(name, true);
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('-')) return undefined;
    given.set(name, typed(o, value));
    i += 1;
  }
  if (!cmd || !spec) return undefined;
  const args: Record<string, unknown> = { _: [word] };
  for (const [name, o] of [...Object.entries(globals), ...spec.options]) {
    const value = given.has(name) ? given.get(name) : o.default;
    if (value === undefined && o.demandOption) return undefined;
    if (value === undefined) continue;
    try {
      assign(args, name, o, o.coerce ? o.coerce(value) : value);
    } catch {
      throw new Unparsed(); // yargs says what is wrong with it
    }
  }
  for (const p of cmd.command.split(' ').slice(1)) {
    const name = p.replace(/[<>[\]]/g, '').replace(/\.\.$/, '');
    const o = (spec.positionals.get(name) ?? {}) as Options;
    if (p.endsWith('..]') || p.endsWith('..>')) {
      const rest = words.splice(0).map((w) => typed(o, w));
      if (p.startsWith('<') && rest.length === 0) return undefined;
      assign(args, name, o, rest);
    } else if (words.length > 0) {
      assign(args, name, o, typed(o, words.shift()!));
    } else if (p.startsWith('<')) {
      return undefined;
    } else if (o.default !== undefined) {
      assign(args, name, o, o.default);
    }
  }
  if (words.length > 0) return undefined; // more words than positionals: yargs refuses them
  args.$0 = scriptName;
  return { cmd, args };
}
