// Usage errors in the Docker CLI's words (cli/required.go, FlagErrorFunc), checked against
// the real command table as the line is read: unknown flags, missing values, values
// outside choices, wrong numbers of arguments, unknown subcommands.
import test from 'ava';
import { commands } from '../../src/cli/commands/index.ts';
import { checkCommandLine, readCommandLine } from '../../src/cli/command-line.ts';
import { UsageError } from '../../src/errors.ts';

const docker = 'docker jindr';
const checkUsage = (args: string[], table: typeof commands, scriptName: string): void =>
  checkCommandLine(readCommandLine(args, table, scriptName), scriptName);
const scanLine = readCommandLine;

function refusal(args: string[]): string {
  try {
    checkUsage(args, commands, docker);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return err.message;
  }
  return '';
}

/** [args, first line, usage line, "See" or "Run"] */
const cases: Array<[string[], string, string, 'See' | 'Run']> = [
  [['lsi', '--bogus'], 'unknown flag: --bogus', 'docker jindr lsi [OPTIONS] [REPOSITORY...]', 'Run'],
  [['cp', '--bogus', 'archy', 'localhost:5601'], 'unknown flag: --bogus', 'docker jindr cp [OPTIONS] IMAGE [DESTINATION] [TAG...]', 'Run'],
  [['ls', '-x'], "unknown shorthand flag: 'x' in -x", 'docker jindr ls [OPTIONS]', 'Run'],
  [['rmi', '-fz', 'app'], "unknown shorthand flag: 'z' in -fz", 'docker jindr rmi [OPTIONS] IMAGE [IMAGE...]', 'Run'],
  [
    ['cp', 'app:v1', 'localhost:5999', '-x2'],
    "unknown shorthand flag: 'x' in -x2",
    'docker jindr cp [OPTIONS] IMAGE [DESTINATION] [TAG...]',
    'Run',
  ],
  [['cp'], "'docker jindr cp' requires at least 1 argument", 'docker jindr cp [OPTIONS] IMAGE [DESTINATION] [TAG...]', 'See'],
  [['inspect'], "'docker jindr inspect' requires at least 1 argument", 'docker jindr inspect [OPTIONS] IMAGE [IMAGE...]', 'See'],
  [['ls', 'extra'], "'docker jindr ls' accepts no arguments", 'docker jindr ls [OPTIONS]', 'Run'],
  [['restart', 'x'], "'docker jindr restart' accepts no arguments", 'docker jindr restart', 'Run'],
  [['completion'], "'docker jindr completion' requires 1 argument", 'docker jindr completion bash|zsh', 'Run'],
  [
    ['completion', 'fish'],
    `invalid argument "fish" for 'docker jindr completion': use bash or zsh`,
    'docker jindr completion bash|zsh',
    'Run',
  ],
  [
    ['lsi', '--sort', 'size'],
    'invalid argument "size" for "--sort" flag: use name, created or pushed',
    'docker jindr lsi [OPTIONS] [REPOSITORY...]',
    'Run',
  ],
  [
    ['cp', 'app', '-j', 'many'],
    'invalid argument "many" for "-j, --jobs" flag: not a number',
    'docker jindr cp [OPTIONS] IMAGE [DESTINATION] [TAG...]',
    'Run',
  ],
  [
    ['cp', 'app', '--jobs='],
    'invalid argument "" for "-j, --jobs" flag: not a number',
    'docker jindr cp [OPTIONS] IMAGE [DESTINATION] [TAG...]',
    'Run',
  ],
  [['logs', '--tail'], 'flag needs an argument: --tail', 'docker jindr logs [OPTIONS]', 'Run'],
  [['cp', 'app', '-j'], "flag needs an argument: 'j' in -j", 'docker jindr cp [OPTIONS] IMAGE [DESTINATION] [TAG...]', 'Run'],
  [['ls', '-q=maybe'], 'invalid argument "maybe" for "-q, --quiet" flag: use true or false', 'docker jindr ls [OPTIONS]', 'Run'],
  [['--bogus', 'ls'], 'unknown flag: --bogus', 'docker jindr [OPTIONS] COMMAND', 'Run'],
  [['lsi', '--dryRun'], 'unknown flag: --dryRun', 'docker jindr lsi [OPTIONS] [REPOSITORY...]', 'Run'],
  [['mirror', 'bogus'], 'unknown command: docker jindr mirror bogus', 'docker jindr mirror COMMAND', 'Run'],
  [['mirror', 'start', '--purge'], 'unknown flag: --purge', 'docker jindr mirror start [OPTIONS] [UPSTREAM]', 'Run'],
  [['mirror', '--engine', 'stop'], 'unknown flag: --engine', 'docker jindr mirror stop [OPTIONS] [UPSTREAM]', 'Run'],
  [['mirror', 'ls', 'docker.io'], "'docker jindr mirror ls' accepts no arguments", 'docker jindr mirror ls [OPTIONS]', 'Run'],
  [
    ['mirror', 'stop', 'a', 'b'],
    "'docker jindr mirror stop' requires at most 1 argument",
    'docker jindr mirror stop [OPTIONS] [UPSTREAM]',
    'Run',
  ],
  [
    ['index', 'create', 'app'],
    "'docker jindr index create' requires at least 2 arguments",
    'docker jindr index create [OPTIONS] TARGET SOURCE [SOURCE...]',
    'See',
  ],
  [
    ['index', 'rm'],
    "'docker jindr index rm' requires at least 2 arguments",
    'docker jindr index rm [OPTIONS] TARGET PLATFORM [PLATFORM...]',
    'See',
  ],
];

for (const [args, first, usage, verb] of cases) {
  test(`${args.join(' ')}: ${first}`, (t) => {
    const path = usage.replace(/ (\[OPTIONS\]|COMMAND|IMAGE|\[|bash|TARGET|\[UPSTREAM).*$/, '');
    t.is(refusal(args), `${first}\n\nUsage:  ${usage}\n\n${verb} '${path} --help' for more information`);
  });
}

test('well-formed lines pass: values in both forms, clusters, negative values, globals anywhere, a lone -', (t) => {
  for (const args of [
    ['-r', 'localhost:6000', 'ls', '-q'],
    ['ls', '--registry=localhost:6000', '--quiet'],
    ['cp', 'app', 'ghcr.io/acme', 'v1', 'v2', '-j4', '--insecure'],
    ['cp', 'app:v1', '--to', 'r.example/x:y', '-qj', '2'],
    ['logs', '--tail', '-1'],
    ['lsi', '--sort=created', 'app', 'web', '--format', '{{.Tag}}'],
    ['prune', '--keep', '2', '--match', 'pr-*', '--match', 'x', '-fn'],
    ['stop', '-G'],
    ['start', '--auth', 'alice', '--password-stdin', '--tls', '--san', 'x', '--bind', '0.0.0.0'],
    ['completion', 'zsh'],
    ['mirror', 'start', 'ghcr.io', '--engine', '-d', '/x'],
    ['mirror', 'ls', '--format', 'json'],
    ['index', 'rm', 'app', 'linux/arm64'],
    ['rmi', '-f', 'a', 'b', 'c'],
    ['gc', '-D', '--dry-run'],
    ['inspect', '-'],
  ]) {
    t.is(refusal(args), '', args.join(' '));
  }
});

test('a help request is never a usage error, whatever else is missing', (t) => {
  t.is(refusal(['cp', '--help']), '');
  t.is(refusal(['index', 'create', '-h']), '');
  t.true(scanLine(['cp', '-h'], commands, docker).help);
});

test('every usage error is a UsageError: exit code 2', (t) => {
  const err = t.throws(() => checkUsage(['ls', '--bogus'], commands, docker), { instanceOf: UsageError });
  t.is(err?.exitCode, 2);
});
