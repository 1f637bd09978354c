import test from 'ava';
import { checkCommand, commandIndex, isVersionRequest } from '../../src/cli/main.ts';
import { UsageError } from '../../src/errors.ts';

test('commandIndex finds the command word past options and their values', (t) => {
  t.is(commandIndex(['ls']), 0);
  t.is(commandIndex(['-r', 'localhost:6000', 'ls']), 2);
  t.is(commandIndex(['--registry=localhost:6000', '--debug', 'ls', '-q']), 2);
  t.is(commandIndex(['--format', 'json', '-D', 'info']), 3);
  t.is(commandIndex(['-H', 'unix:///x', 'stat']), 2);
  t.is(commandIndex(['--', 'ls']), 1);
  t.is(commandIndex(['--help']), -1);
  t.is(commandIndex([]), -1);
});

test('an unknown command is a one-line usage error', (t) => {
  const err = t.throws(() => checkCommand(['nosuch'], 'docker jindr'), { instanceOf: UsageError });
  t.is(err?.message, `unknown command "nosuch" (see 'docker jindr --help')`);
  t.is(err?.exitCode, 2);
  t.throws(() => checkCommand(['-r', 'localhost:6000', 'nosuch', '--help'], 'docker jindr'), { instanceOf: UsageError });
});

test('help COMMAND becomes COMMAND --help; nothing at all becomes --help', (t) => {
  t.deepEqual(checkCommand(['help', 'start'], 'x'), ['start', '--help']);
  t.deepEqual(checkCommand(['-r', 'help', 'help'], 'x'), ['-r', 'help', '--help']);
  t.deepEqual(checkCommand([], 'x'), ['--help']);
  t.deepEqual(checkCommand(['--version'], 'x'), ['--version']);
});

test('only -v/--version on its own is a version request', (t) => {
  t.true(isVersionRequest(['-v']));
  t.true(isVersionRequest(['--version']));
  t.false(isVersionRequest(['ls', '--version']));
  t.false(isVersionRequest([]));
});
