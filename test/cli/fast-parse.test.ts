// The fast reading of a command line (fast-parse.ts) against yargs itself: for every
// command, many command lines (each option with a value, positionals, global options,
// and forms the fast path must leave alone): whenever the fast path reads one, yargs
// reads the very same arguments; and the usual lines of ls, lsi and cp are read fast.
import test from 'ava';
import yargs from 'yargs';
import { commands } from '../../src/cli/commands/index.ts';
import { commandOptions } from '../../src/cli/complete.ts';
import { fastParse } from '../../src/cli/fast-parse.ts';
import { GLOBAL_OPTIONS } from '../../src/cli/global-options.ts';
import { buildParser } from '../../src/cli/main.ts';

async function viaYargs(argv: readonly string[]): Promise<unknown> {
  let seen: unknown = 'no handler ran';
  try {
    await buildParser(yargs, argv, async (cmd, args) => {
      seen = { command: cmd.command, args };
    }, 'docker-jindr').parseAsync([...argv], () => {});
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
  return JSON.parse(JSON.stringify(seen));
}

function samples(): string[][] {
  const lines: string[][] = [];
  for (const cmd of commands) {
    const word = cmd.command.split(' ')[0]!;
    const positionals = cmd.command.split(' ').length - 1;
    const words = ['app:v1', 'localhost:5999/team', 'v2', 'v3'];
    for (let n = 0; n <= Math.min(positionals + 1, 4); n++) lines.push([word, ...words.slice(0, n)]);
    for (const o of commandOptions(cmd)) {
      const flag = o.name.length === 1 ? `-${o.name}` : `--${o.name}`;
      const value = o.choices[0] ?? (o.takesValue ? '3' : undefined);
      const base = [word, ...words.slice(0, positionals)];
      lines.push(value === undefined ? [...base, flag] : [...base, flag, value]);
      for (const alias of o.aliases) lines.push(value === undefined ? [...base, `-${alias}`] : [...base, `-${alias}`, value]);
      if (value !== undefined) lines.push([...base, `${flag}=${value}`], [...base, flag]);
      else lines.push([...base, flag, 'true'], [...base, `--no-${o.name}`]);
    }
    for (const g of [['-r', 'localhost:5999'], ['--format', 'json'], ['-D'], ['-r', 'localhost:5999', '-r', 'localhost:5998'], ['-r', 'not a host'], ['--format', 'yaml']]) {
      lines.push([...g, word, ...words.slice(0, positionals)], [word, ...g, ...words.slice(0, positionals)]);
    }
    lines.push([word, '--help'], [word, '-h'], [word, '--bogus'], [word, '-qD'], [word, '-']);
  }
  return lines;
}

test('whatever the fast path reads, yargs reads the same: command, options, aliases, defaults, positionals', async (t) => {
  let fast = 0;
  for (const argv of samples()) {
    const quick = fastParse(argv, commands, GLOBAL_OPTIONS, 'docker-jindr');
    if (quick === undefined) continue;
    fast += 1;
    t.deepEqual(JSON.parse(JSON.stringify({ command: quick.cmd.command, args: quick.args })), await viaYargs(argv), argv.join(' '));
  }
  t.true(fast > 100, `the fast path read ${fast} lines`);
});

test('the usual lines of ls, lsi and cp are read without yargs; help, odd forms and mistakes are not', (t) => {
  for (const argv of [['ls'], ['-r', 'localhost:5001', 'ls', '-q'], ['lsi'], ['lsi', '-q', 'team/app'], ['--format', 'json', 'lsi'], ['cp', 'app:v1', 'ghcr.io/acme'], ['cp', '-q', 'app', '--to', 'localhost:5002/x:v1']]) {
    t.not(fastParse(argv, commands, GLOBAL_OPTIONS, 'docker-jindr'), undefined, argv.join(' '));
  }
  for (const argv of [['ls', '--help'], ['lsi', '--format=json'], ['lsi', '-qD'], ['lsi', '--no-quiet'], ['ls', 'extra'], ['cp'], ['lsi', '--sort', 'size'], ['-r', 'a b', 'ls'], ['ls', '--bogus'], ['nothing']]) {
    t.is(fastParse(argv, commands, GLOBAL_OPTIONS, 'docker-jindr'), undefined, argv.join(' '));
  }
});
