import test from 'ava';
import { checkCommandLine, readCommandLine } from '../../src/cli/command-line.ts';
import { commandIndex as indexIn } from '../../src/cli/parse.ts';
import { UsageError } from '../../src/errors.ts';
import { commands } from '../../src/cli/commands/index.ts';
import { jindr } from '../helpers/run.ts';
import { INTERRUPT_GRACE_MS } from '../../src/cli/main.ts';
import { CANCEL_MS } from '../../src/registry/upload.ts';

const commandIndex = (args: string[]): number => indexIn(args, commands);
const checkCommand = (args: string[], scriptName: string) => readCommandLine(args, commands, scriptName);
const isVersionRequest = (args: string[]): boolean => args.length > 0 && readCommandLine(args, commands, 'x').version;

test('commandIndex finds the command word past options and their values', (t) => {
  t.is(commandIndex(['ls']), 0);
  t.is(commandIndex(['-r', 'localhost:6000', 'ls']), 2);
  t.is(commandIndex(['--registry=localhost:6000', '--debug', 'ls', '-q']), 2);
  t.is(commandIndex(['--format', 'json', '-D', 'info']), 3);
  t.is(commandIndex(['-H', 'unix:///x', 'stat']), 2);
  t.is(commandIndex(['--help']), -1);
  t.is(commandIndex([]), -1);
  // A command's own flag before the command's name, with its value attached or not.
  t.is(commandIndex(['-qr', 'localhost:5601', 'lsi']), 2);
  t.is(commandIndex(['-rlocalhost:5601', 'lsi']), 1);
});

test("an unknown command is a usage error in Docker's words, with the usage line", (t) => {
  const err = t.throws(() => checkCommand(['nosuch'], 'docker jindr'), { instanceOf: UsageError });
  t.is(
    err?.message,
    "unknown command: docker jindr nosuch\n\nUsage:  docker jindr [OPTIONS] COMMAND\n\nRun 'docker jindr --help' for more information",
  );
  t.is(err?.exitCode, 2);
  t.throws(() => checkCommand(['-r', 'localhost:6000', 'nosuch', '--help'], 'docker jindr'), { instanceOf: UsageError });
});

test('help COMMAND is COMMAND --help; words after -- are refused', (t) => {
  t.like(checkCommand(['help', 'start'], 'x'), { command: commands.find((c) => c.command === 'start'), help: true });
  t.like(checkCommand(['-r', 'help', 'help'], 'x'), { command: undefined, help: true });
  t.like(checkCommand(['--version'], 'x'), { command: undefined, help: false, version: true });
  t.throws(() => checkCommand(['lsi', '--', 'app'], 'x'), { instanceOf: UsageError, message: /after "--"/ });
});

test('-v/--version is a version request', (t) => {
  t.true(isVersionRequest(['-v']));
  t.true(isVersionRequest(['--version']));
  t.false(isVersionRequest(['ls']));
  t.false(isVersionRequest([]));
});

test('a near miss of a command is suggested', (t) => {
  const name = commands[0]?.command.split(' ')[0];
  if (!name) return t.is(commands.length, 0);
  const typo = name + 'x';
  const err = t.throws(() => checkCommand([typo], 'docker jindr'), { instanceOf: UsageError });
  t.regex(err?.message ?? '', new RegExp(`did you mean "[a-z0-9]+"\\?`));
  t.notRegex(checkThrows(['zzzzzzzzzz']), /did you mean/);
});

function checkThrows(args: string[]): string {
  try {
    checkCommandLine(checkCommand(args, 'x'), 'x');
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}
test("usage errors come out in Docker's shape with exit 2, no stack; a --format the command cannot print is one line", async (t) => {
  for (const [args, first, usage] of [
    [['ls', '--bogus'], 'unknown flag: --bogus', 'docker-jindr ls [OPTIONS]'],
    [['--bogus', 'ls'], 'unknown flag: --bogus', 'docker-jindr [OPTIONS] COMMAND'],
    [['ls', 'extra'], "'docker-jindr ls' accepts no arguments", 'docker-jindr ls [OPTIONS]'],
  ] as const) {
    const result = await jindr(args);
    t.is(result.code, 2, args.join(' '));
    t.is(result.stdout, '');
    const help = usage.startsWith('docker-jindr ls') ? 'docker-jindr ls' : 'docker-jindr';
    t.is(result.stderr, `docker-jindr: ${first}\n\nUsage:  ${usage}\n\nRun '${help} --help' for more information\n`, args.join(' '));
  }
  const format = await jindr(['--format', 'xml', 'start']);
  t.is(format.code, 2);
  t.is(format.stderr, "docker-jindr: --format: 'docker-jindr start' prints no fields: use table or json\n");
});

test('--debug shows a stack trace; without it, one line', async (t) => {
  const name = commands.find((c) => c.command === 'ls')?.command;
  if (!name) return t.false(commands.some((c) => c.command === 'ls'));
  const plain = await jindr(['-r', '127.0.0.1:1', 'ls']);
  t.is(plain.code, 1);
  t.is(plain.stderr.trimEnd().split('\n').length, 1);
  const debug = await jindr(['-r', '127.0.0.1:1', 'ls', '--debug']);
  t.is(debug.code, 1);
  t.regex(debug.stderr, /^\s+at /m);
});

test('Ctrl-C waits long enough for an upload to end its PATCH and DELETE its session', (t) => {
  t.true(INTERRUPT_GRACE_MS > 2 * CANCEL_MS, `grace ${INTERRUPT_GRACE_MS} ms, cancelling ${2 * CANCEL_MS} ms`);
});
