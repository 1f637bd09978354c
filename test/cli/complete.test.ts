import test from 'ava';
import { defineCommand } from '../../src/cli/command.ts';
import { commandOptions, completions } from '../../src/cli/complete.ts';
import { GLOBAL_OPTIONS } from '../../src/cli/global-options.ts';

const start = defineCommand({
  command: 'start',
  aliases: ['up'],
  describe: 'Start the registry',
  options: {
    data: { alias: 'd', type: 'string', normalize: true, describe: 'Data directory' },
    image: { type: 'string', describe: 'Registry image', choices: ['registry:3', 'registry:2'] },
  },
  examples: [['$0 start', 'start it']],
  run: async () => {},
});
const stop = defineCommand({
  command: 'stop',
  aliases: ['down'],
  describe: 'Stop the registry',
  options: { 'no-gc': { alias: 'G', type: 'boolean', describe: 'Skip garbage collection' } },
  run: async () => {},
});
const table = [start, stop];
const complete = (...args: string[]) => completions(table, GLOBAL_OPTIONS, args).split('\n').filter(Boolean);

test('an empty word lists every command with its description, then :4', (t) => {
  t.deepEqual(complete(''), ['start\tStart the registry', 'stop\tStop the registry', 'help\tShow help for a command', ':4']);
});

test('a prefix narrows the commands; an alias completes when only it matches', (t) => {
  t.deepEqual(complete('sto'), ['stop\tStop the registry', ':4']);
  t.deepEqual(complete('u'), ['up\tStart the registry', ':4']);
  t.deepEqual(complete('zz'), [':4']);
});

test("options: global ones, then the command's own; hidden ones never", (t) => {
  const global = complete('--');
  t.true(global.includes('--registry\tThe registry to work on, HOST:PORT'));
  t.false(global.some((l) => l.startsWith('--context') || l.startsWith('--host')));
  t.false(global.some((l) => l.startsWith('--data')));
  const own = complete('start', '--');
  t.true(own.includes('--data\tData directory'));
  t.true(own.includes('--registry\tThe registry to work on, HOST:PORT'));
  t.deepEqual(complete('down', '--no'), ['--no-gc\tSkip garbage collection', ':4']);
  t.is(own.at(-1), ':4');
});

test('option values: choices, --flag=value, and files for a path option', (t) => {
  t.deepEqual(complete('--format', ''), ['table', 'json', ':4']);
  t.deepEqual(complete('--format=j'), ['--format=json', ':4']);
  t.deepEqual(complete('start', '--image', 'registry:2'), ['registry:2', ':4']);
  t.deepEqual(complete('start', '-d', ''), [':0']);
  // a value is not mistaken for the command word
  t.deepEqual(complete('-r', 'localhost:6000', 'st'), ['start\tStart the registry', 'stop\tStop the registry', ':4']);
});

test('after the command, plain words get nothing (no file names either)', (t) => {
  t.deepEqual(complete('stop', ''), [':4']);
});

test("commandOptions reads a command's flags from its table row", (t) => {
  t.deepEqual(
    commandOptions(start).map((o) => [o.name, o.aliases, o.takesValue]),
    [
      ['data', ['d'], true],
      ['image', [], true],
    ],
  );
  t.deepEqual(
    commandOptions(stop).map((o) => [o.name, o.takesValue]),
    [['no-gc', false]],
  );
});
