// The plugin as the real docker CLI sees it: installed in a temporary DOCKER_CONFIG,
// listed, asked for its version and help, handed Docker's global flags, and completed.
// None of this needs an engine, only the docker CLI.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commands } from '../../src/cli/commands/index.ts';
import { commandOptions } from '../../src/cli/complete.ts';
import { pluginMetadata } from '../../src/cli/metadata.ts';
import { docker, makeDockerConfig, repoRoot } from '../helpers/run.ts';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const config = makeDockerConfig();
test.after.always(() => config.cleanup());
const env = config.env;

test('docker --help lists jindr with its short description', async (t) => {
  const result = await docker(['--help'], { env });
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, new RegExp(`^\\s+jindr\\*?\\s+${pluginMetadata().ShortDescription}$`, 'm'));
  t.notRegex(result.stdout + result.stderr, /Invalid Plugins|jindr.*invalid/i);
});

test('docker jindr --version and -v print the package version', async (t) => {
  for (const flag of ['--version', '-v']) {
    const result = await docker(['jindr', flag], { env });
    t.is(result.code, 0, result.stderr);
    t.is(result.stdout, `${pkg.version}\n`);
  }
});

test('docker help jindr, docker jindr --help and docker jindr alone show the usage', async (t) => {
  for (const args of [['help', 'jindr'], ['jindr', '--help'], ['jindr'], ['jindr', 'help']]) {
    const result = await docker(args, { env });
    t.is(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    t.regex(result.stdout, /^Usage: docker jindr \[OPTIONS\] COMMAND/m, args.join(' '));
    for (const c of commands) {
      t.regex(result.stdout, new RegExp(`^\\s+docker jindr ${c.command.split(' ')[0]}\\b`, 'm'), `${args.join(' ')} lists ${c.command}`);
    }
  }
});

test('Docker\'s global flags before jindr are accepted, in both forms', async (t) => {
  const flagSets = [
    ['--context', 'default', '-D'],
    ['--context=default', '--debug'],
    ['-c', 'default'],
    ['-H', 'unix:///var/run/docker.sock'],
    ['--host=unix:///var/run/docker.sock'],
    ['--config', config.dir],
    ['--config=' + config.dir],
    ['-l', 'debug'],
    ['--log-level=warn'],
    ['--tls'],
    ['--tlsverify=false'],
    ['--tlscacert', '/nonexistent/ca.pem', '--tlscert=/nonexistent/cert.pem', '--tlskey', '/nonexistent/key.pem'],
  ];
  for (const flags of flagSets) {
    const help = await docker([...flags, 'jindr', '--help'], { env });
    t.is(help.code, 0, `${flags.join(' ')}: ${help.stderr}`);
    t.regex(help.stdout, /^Usage: docker jindr/m, flags.join(' '));
    const version = await docker([...flags, 'jindr', '-v'], { env });
    t.is(version.stdout, `${pkg.version}\n`, flags.join(' '));
  }
});

test('an unknown command: one line on stderr, exit 2, through docker', async (t) => {
  const result = await docker(['jindr', 'nosuch'], { env });
  t.is(result.code, 2);
  t.is(result.stdout, '');
  t.is(result.stderr, `docker-jindr: unknown command "nosuch" (see 'docker jindr --help')\n`);
});

test('docker __complete jindr "" offers every command, then cobra\'s directive', async (t) => {
  const result = await docker(['__complete', 'jindr', ''], { env });
  t.is(result.code, 0, result.stderr);
  const lines = result.stdout.trimEnd().split('\n');
  t.is(lines.at(-1), ':4');
  const names = lines.slice(0, -1).map((l) => l.split('\t')[0]);
  for (const c of commands) t.true(names.includes(c.command.split(' ')[0]!), c.command);
});

test('docker __complete jindr COMMAND -- offers that command\'s options', async (t) => {
  const withOptions = commands.find((c) => commandOptions(c).length > 0);
  if (!withOptions) return t.is(commands.length, 0); // nothing to complete yet
  const name = withOptions.command.split(' ')[0]!;
  const result = await docker(['__complete', 'jindr', name, '--'], { env });
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^--registry\t/m);
  t.regex(result.stdout, /^--help\t/m);
  t.is(result.stdout.trimEnd().split('\n').at(-1), ':4');
});
