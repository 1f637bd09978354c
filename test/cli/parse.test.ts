import test from 'ava';
import { pluginLine as parsePluginArgv } from '../../src/cli/parse.ts';
import { UsageError } from '../../src/errors.ts';
import { checkCommandLine, handlerArgs, readCommandLine } from '../../src/cli/command-line.ts';
import { commands } from '../../src/cli/commands/index.ts';
import { jindrInProcess } from '../helpers/in-process.ts';

test("global flags before the plugin name are Docker's, the rest are the plugin's", (t) => {
  const parsed = parsePluginArgv(['--context', 'x', '-D', 'jindr', 'up', '-r', 'localhost:6000']);
  t.is(parsed.globals.context, 'x');
  t.true(parsed.globals.debug);
  t.is(parsed.mode, 'run');
  t.deepEqual(parsed.args, ['up', '-r', 'localhost:6000']);
});

test('both --flag value and --flag=value forms', (t) => {
  const parsed = parsePluginArgv([
    '--config=/c',
    '-H',
    'tcp://h:2376',
    '--tlsverify',
    '--tlscacert=/ca.pem',
    '--tlscert',
    '/cert.pem',
    '--tlskey=/key.pem',
    '-l',
    'debug',
    '--tls=false',
    'jindr',
    'ls',
  ]);
  t.deepEqual(parsed.globals, {
    config: '/c',
    host: 'tcp://h:2376',
    tlsVerify: true,
    tlsCaCert: '/ca.pem',
    tlsCert: '/cert.pem',
    tlsKey: '/key.pem',
    logLevel: 'debug',
    tls: false,
    debug: false,
  });
  t.deepEqual(parsed.args, ['ls']);
});

test('run on its own, without the plugin name', (t) => {
  t.deepEqual(parsePluginArgv(['-v']).args, ['-v']);
  t.deepEqual(parsePluginArgv(['up', '-d', '/data']).args, ['up', '-d', '/data']);
  t.deepEqual(parsePluginArgv(['-H', 'unix:///x.sock', 'stat']).args, ['stat']);
});

test('help and completion forms', (t) => {
  t.like(parsePluginArgv(['help', 'jindr']), { mode: 'help', args: [] });
  t.like(parsePluginArgv(['__complete', 'jindr', 'in']), { mode: 'complete', args: ['in'] });
});

test('--host with --context is refused, as docker refuses it', (t) => {
  t.throws(() => parsePluginArgv(['-H', 'unix:///x', '--context', 'y', 'jindr', 'ls']), { instanceOf: UsageError });
  t.throws(() => parsePluginArgv(['--context']), { instanceOf: UsageError, message: /needs an argument/ });
  t.throws(() => parsePluginArgv(['--tls=maybe', 'jindr']), { instanceOf: UsageError });
});

// The three oddities of issue 20, read as pflag (Docker's parser) reads them.
const line = (...args: string[]) => {
  const read = readCommandLine(args, commands, 'docker-jindr');
  checkCommandLine(read, 'docker-jindr');
  return handlerArgs(read, 'docker-jindr');
};

test('a short flag takes its value attached, as -j2 does: -rlocalhost:5601, -r=HOST, -qj2', (t) => {
  t.like(line('-rlocalhost:5601', 'ls'), { registry: 'localhost:5601' });
  t.like(line('ls', '-r=localhost:5601'), { registry: 'localhost:5601' });
  t.like(line('cp', 'app', '-j2'), { jobs: 2 });
  t.like(line('cp', 'app', '-qj2'), { jobs: 2, quiet: true });
  t.like(line('cp', 'app', '-qj', '3'), { jobs: 3, quiet: true });
});

test('a flag that takes a value takes the next word whatever it looks like: gc --grace -5m reaches --grace', (t) => {
  t.like(line('gc', '--grace', '-5m'), { grace: '-5m' });
  t.like(line('logs', '--tail', '-1'), { tail: -1 });
  t.like(line('cp', 'app', '--to', '-odd'), { to: '-odd' });
});

test('gc --grace -5m is refused in the words of every other bad --grace, with exit 2', async (t) => {
  const bad = await jindrInProcess(['gc', '--grace', '-5m']);
  const other = await jindrInProcess(['gc', '--grace', '5x']);
  t.is(bad.code, 2);
  t.is(bad.stderr, 'docker-jindr: --grace needs a duration such as 30d, 12h, 90m or 1h30m (units s, m, h, d, w); got "-5m"\n');
  t.is(other.stderr.replace('"5x"', '"-5m"'), bad.stderr);
});

test("a command's flag before the command's name works: -qr localhost:5601 lsi", (t) => {
  t.like(line('-qr', 'localhost:5601', 'lsi'), { quiet: true, registry: 'localhost:5601', repo: [] });
  t.like(line('-q', 'lsi', 'app'), { quiet: true, repo: ['app'] });
  t.like(line('--sort', 'pushed', 'lsi'), { sort: 'pushed' });
});

test('a flag no command has, before the command, is a usage error of the plugin, not an unknown command', (t) => {
  const err = t.throws(() => line('-x', 'localhost:5601', 'lsi'), { instanceOf: UsageError });
  t.is(
    err?.message,
    "unknown shorthand flag: 'x' in -x\n\nUsage:  docker-jindr [OPTIONS] COMMAND\n\nRun 'docker-jindr --help' for more information",
  );
  t.is(err?.exitCode, 2);
  // A flag of another command is the command's usage error.
  t.throws(() => line('--layers', 'lsi'), { instanceOf: UsageError, message: /^unknown flag: --layers\n\nUsage: {2}docker-jindr lsi / });
});

test('the handler gets typed values, defaults, lists and camelCase names from the table', (t) => {
  t.like(line('prune', '--keep', '2', '--match', 'a', '--match=b', '-fn'), {
    keep: 2,
    match: ['a', 'b'],
    exclude: [],
    protect: ['latest'],
    force: true,
    dryRun: true,
    'dry-run': true,
  });
  t.like(line('cp', 'app', 'ghcr.io/acme', 'v1', 'v2'), {
    image: 'app',
    destination: 'ghcr.io/acme',
    tag: ['v1', 'v2'],
    jobs: 4,
    quiet: false,
    format: 'table',
    registry: 'localhost:5001',
  });
  t.like(line('-r', 'a:1', 'ls', '-r', 'b:2', '-q=false'), { registry: 'b:2', quiet: false }, 'the last one wins, as pflag has it');
  t.like(line('stop', '--no-gc'), { noGc: true });
});
