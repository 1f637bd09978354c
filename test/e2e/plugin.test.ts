// The plugin as the real docker CLI sees it: installed in a temporary DOCKER_CONFIG,
// listed, asked for its version and help, handed Docker's global flags, and completed.
// None of this needs an engine, only the docker CLI.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commands } from '../../src/cli/commands/index.ts';
import { commandOptions } from '../../src/cli/complete.ts';
import { pluginMetadata } from '../../src/cli/metadata.ts';
import { docker, jindr, makeDockerConfig, pluginBinary, repoRoot, run, usageErrorOf } from '../helpers/run.ts';

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

test('docker help jindr, docker jindr --help and docker jindr alone show the usage, as Docker lays out its own', async (t) => {
  const outputs = new Set<string>();
  for (const args of [['help', 'jindr'], ['jindr', '--help'], ['jindr'], ['jindr', 'help'], ['jindr', '-h']]) {
    const result = await docker(args, { env });
    t.is(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    t.is(result.stderr, '');
    t.true(
      result.stdout.startsWith(`Usage:  docker jindr [OPTIONS] COMMAND\n\n${pluginMetadata().ShortDescription}\n\nOptions:\n`),
      args.join(' '),
    );
    for (const c of commands) {
      t.regex(result.stdout, new RegExp(`^ {2}${c.command.split(' ')[0]} +\\S`, 'm'), `${args.join(' ')} lists ${c.command}`);
    }
    t.regex(result.stdout, /\n\nManagement Commands:\n {2}index +.+\n(?: .+\n)* {2}mirror +/);
    t.true(result.stdout.endsWith("\n\nRun 'docker jindr COMMAND --help' for more information on a command.\n"));
    outputs.add(result.stdout);
  }
  t.is(outputs.size, 1, 'one help, however asked');
  const alone = await jindr(['--help']);
  t.true(alone.stdout.startsWith('Usage:  docker-jindr [OPTIONS] COMMAND'), 'run on its own, it is docker-jindr');
  t.true(alone.stdout.endsWith("Run 'docker-jindr COMMAND --help' for more information on a command.\n"));
});

test("docker jindr cp --help, docker help jindr cp and docker jindr help cp: the command's help in Docker's shape", async (t) => {
  const outputs = new Set<string>();
  for (const args of [
    ['jindr', 'cp', '--help'],
    ['help', 'jindr', 'cp'],
    ['jindr', 'help', 'cp'],
    ['jindr', 'copy', '-h'],
  ]) {
    const result = await docker(args, { env });
    t.is(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    outputs.add(result.stdout);
  }
  t.is(outputs.size, 1);
  const [help] = [...outputs];
  t.true(help!.startsWith('Usage:  docker jindr cp [OPTIONS] IMAGE [DESTINATION] [TAG...]\n\nCopy an image'));
  t.regex(help!, /\n\nAliases:\n {2}docker jindr cp, docker jindr copy\n/);
  t.regex(help!, /\n\nExamples:\n {2}docker jindr cp app ghcr\.io\/acme v1 v2\n {6}copy app:latest/);
  t.regex(help!, /\n\nOptions:\n[^]*^ {2}-j, --jobs int +Blobs transferred at once \(default 4\)$/m);
  t.regex(help!, /\n\nGlobal Options:\n {2}-D, --debug +.+\n {2}-r, --registry string +/);
  for (const line of help!.split('\n')) t.true(line.length <= 79 || line.startsWith('  docker jindr cp '), line);
  const mirror = await docker(['jindr', 'mirror'], { env });
  t.is(mirror.code, 0);
  t.regex(mirror.stdout, /^Usage: {2}docker jindr mirror COMMAND\n[^]*\nCommands:\n {2}config +/);
  const start = await docker(['jindr', 'mirror', 'start', '--help'], { env });
  t.true(start.stdout.startsWith('Usage:  docker jindr mirror start [OPTIONS] [UPSTREAM]\n'));
});

test("usage errors through docker: Docker's words, the usage line, exit 2 passed on by the CLI, no request made", async (t) => {
  const cases: Array<[string[], string, string]> = [
    [['lsi', '--bogus'], 'unknown flag: --bogus', 'docker jindr lsi [OPTIONS] [REPOSITORY...]'],
    [['cp', '--bogus', 'archy', 'localhost:5601'], 'unknown flag: --bogus', 'docker jindr cp [OPTIONS] IMAGE [DESTINATION] [TAG...]'],
    [['cp'], "'docker jindr cp' requires at least 1 argument", 'docker jindr cp [OPTIONS] IMAGE [DESTINATION] [TAG...]'],
    [['ls', '-x'], "unknown shorthand flag: 'x' in -x", 'docker jindr ls [OPTIONS]'],
    [['completion', 'fish'], `invalid argument "fish" for 'docker jindr completion': use bash or zsh`, 'docker jindr completion bash|zsh'],
    [['mirror', 'bogus'], 'unknown command: docker jindr mirror bogus', 'docker jindr mirror COMMAND'],
  ];
  for (const [args, message, usage] of cases) {
    const result = await docker(['jindr', '-r', '127.0.0.1:1', ...args], { env });
    t.is(usageErrorOf(t, result, usage, args.join(' ')), message, args.join(' '));
  }
  const see = await docker(['jindr', 'cp'], { env });
  t.regex(see.stderr, /\n\nSee 'docker jindr cp --help' for more information\n$/, 'required.go says See for a missing argument');
});

test("Docker's global flags before jindr are accepted, in both forms", async (t) => {
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
    t.regex(help.stdout, /^Usage: {2}docker jindr/m, flags.join(' '));
  }
  // --version is answered before Docker's flags are even parsed; once is enough.
  const version = await docker(['--context=default', '-l', 'debug', '--tlsverify=false', 'jindr', '-v'], { env });
  t.is(version.stdout, `${pkg.version}\n`);
});

test("an unknown command: Docker's words and the usage line on stderr, exit 2, through docker", async (t) => {
  const result = await docker(['jindr', 'nosuch'], { env });
  t.is(usageErrorOf(t, result, 'docker jindr [OPTIONS] COMMAND'), 'unknown command: docker jindr nosuch');
  const near = await docker(['jindr', 'lss'], { env });
  t.is(usageErrorOf(t, near, 'docker jindr [OPTIONS] COMMAND'), 'unknown command: docker jindr lss (did you mean "ls"?)');
});

test('docker __complete jindr "" offers every command, then cobra\'s directive', async (t) => {
  const result = await docker(['__complete', 'jindr', ''], { env });
  t.is(result.code, 0, result.stderr);
  const lines = result.stdout.trimEnd().split('\n');
  t.is(lines.at(-1), ':4');
  const names = lines.slice(0, -1).map((l) => l.split('\t')[0]);
  for (const c of commands) t.true(names.includes(c.command.split(' ')[0]), c.command);
});

test("docker __complete jindr COMMAND -- offers that command's options", async (t) => {
  const withOptions = commands.find((c) => commandOptions(c).length > 0);
  if (!withOptions) return t.is(commands.length, 0); // nothing to complete yet
  const name = withOptions.command.split(' ')[0]!;
  const result = await docker(['__complete', 'jindr', name, '--'], { env });
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^--registry\t/m);
  t.regex(result.stdout, /^--help\t/m);
  t.is(result.stdout.trimEnd().split('\n').at(-1), ':4');
});

test('docker --context nosuch jindr stat: one line naming the context, non-zero exit', async (t) => {
  for (const flags of [['--context', 'nosuch'], ['--context=nosuch'], ['-c', 'nosuch']]) {
    const result = await docker([...flags, 'jindr', 'stat'], { env });
    t.not(result.code, 0, flags.join(' '));
    t.is(result.stdout, '');
    t.is(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    t.regex(result.stderr, /^docker-jindr: .*"nosuch"/);
  }
});

test('docker -H/--host before jindr is the engine the plugin uses', async (t) => {
  for (const flags of [['-H', 'unix:///nonexistent/jindr.sock'], ['--host=unix:///nonexistent/jindr.sock']]) {
    const result = await docker([...flags, 'jindr', 'stat'], { env });
    t.not(result.code, 0, flags.join(' '));
    t.is(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    t.regex(result.stderr, /^docker-jindr: .*unix:\/\/\/nonexistent\/jindr\.sock/);
  }
});

test('docker --config DIR before jindr is the configuration the plugin reads', async (t) => {
  // A context that exists only in DIR's store, while DOCKER_CONFIG names another directory.
  const other = makeDockerConfig();
  t.teardown(other.cleanup);
  const created = await docker(
    ['--config', other.dir, 'context', 'create', 'only-in-dir', '--docker', 'host=unix:///nonexistent/ctx.sock'],
    { env },
  );
  t.is(created.code, 0, created.stderr);
  for (const flags of [['--config', other.dir], [`--config=${other.dir}`]]) {
    const result = await docker([...flags, '--context', 'only-in-dir', 'jindr', 'stat'], { env });
    t.not(result.code, 0);
    t.regex(result.stderr, /^docker-jindr: .*unix:\/\/\/nonexistent\/ctx\.sock.*only-in-dir/);
  }
  const without = await docker(['--context', 'only-in-dir', 'jindr', 'stat'], { env });
  t.regex(without.stderr, /"only-in-dir" does not exist/);
});

test('install.sh installs into DOCKER_CONFIG/cli-plugins, again harmlessly, and --uninstall removes it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-install-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const installEnv = { ...env, DOCKER_CONFIG: join(dir, 'docker') }; // not there yet: created
  const target = join(dir, 'docker/cli-plugins/docker-jindr');

  const first = await run(join(repoRoot, 'install.sh'), [], { env: installEnv, timeoutMs: 300_000 });
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, new RegExp(`installed docker-jindr ${pkg.version} as ${target}`));
  t.true(readFileSync(target).equals(readFileSync(pluginBinary)));
  const version = await docker(['jindr', '--version'], { env: installEnv });
  t.is(version.stdout, `${pkg.version}\n`);

  const again = await run(join(repoRoot, 'install.sh'), [], { env: installEnv, timeoutMs: 300_000 });
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /already installed/);
  t.deepEqual(readdirSync(join(dir, 'docker/cli-plugins')), ['docker-jindr'], 'no temporary files left');

  const removed = await run(join(repoRoot, 'install.sh'), ['--uninstall'], { env: installEnv });
  t.is(removed.code, 0, removed.stderr);
  t.regex(removed.stdout, /^removed /);
  t.false(existsSync(target));
  const listing = await docker(['--help'], { env: installEnv });
  t.notRegex(listing.stdout, /^\s+jindr/m);
  const twice = await run(join(repoRoot, 'install.sh'), ['--uninstall'], { env: installEnv });
  t.is(twice.code, 0);
  t.regex(twice.stdout, /not installed/);

  const bad = await run(join(repoRoot, 'install.sh'), ['--bogus'], { env: installEnv });
  t.is(bad.code, 2);
  t.regex(bad.stderr, /unknown option '--bogus'/);
});

test('docker -D or -l debug before jindr: stack traces; otherwise one line', async (t) => {
  const args = ['jindr', '-r', '127.0.0.1:1', 'ls'];
  for (const flags of [['-D'], ['--debug'], ['-l', 'debug'], ['--log-level=debug']]) {
    const result = await docker([...flags, ...args], { env });
    t.is(result.code, 1, flags.join(' '));
    t.regex(result.stderr, /^\s+at /m, flags.join(' '));
  }
  for (const flags of [[], ['-l', 'info']]) {
    const result = await docker([...flags, ...args], { env });
    t.is(result.code, 1, flags.join(' '));
    t.regex(result.stderr, /^docker-jindr: [^\n]+\n$/, flags.join(' '));
  }
});

test('an output that cannot be written (a full disk: /dev/full) is one line on stderr and exit 1, no stack', (t) => {
  const full = openSync('/dev/full', 'w');
  t.teardown(() => closeSync(full));
  for (const args of [['--help'], ['docker-cli-plugin-metadata'], ['--version'], ['lsi', '--help']]) {
    const result = spawnSync(pluginBinary, args, { stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: 30_000 });
    t.is(result.status, 1, args.join(' '));
    t.regex(result.stderr, /^docker-jindr: cannot write the output: ENOSPC: no space left on device[^\n]*\n$/, args.join(' '));
  }
});
