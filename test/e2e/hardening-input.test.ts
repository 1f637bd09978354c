// Malformed references are refused before any request: every command that takes a
// reference (inspect, rmi, rmr, lsi REPO, cp IMAGE / REGISTRY / --to / TAG, cpe IMAGE / TAG)
// runs against -r pointing at a listener that counts connections, and must exit 2 with
// one line naming the problem, no stack trace, and no connection to it (nor to ECR's).
// So are a bad -r, -r 0.0.0.0:PORT for start and an empty password on stdin, before the
// engine is asked. Hints name the registry they mean. These run the built binary; only the
// hints of the commands that look for a registry container need the engine.
import test from 'ava';
import { freePort } from '../helpers/free-port.ts';
import { MISBEHAVIOURS, startOciRegistry, type OciRegistry } from '../fakes/oci-registry.ts';
import { e2e } from '../helpers/engine.ts';
import { limiter } from '../helpers/limited.ts';
import { errorLine, jindr, usageErrorOf, type RunResult } from '../helpers/run.ts';

/** A registry that accepts connections (counted) and never answers. */
async function silent(): Promise<OciRegistry> {
  const r = await startOciRegistry();
  r.faults.add(MISBEHAVIOURS.silent);
  return r;
}

let source: OciRegistry;
let destination: OciRegistry;
let ecr: OciRegistry;
test.before(async () => {
  [source, destination, ecr] = await Promise.all([silent(), silent(), silent()]);
});
test.after.always(async () => {
  await Promise.all([source?.close(), destination?.close(), ecr?.close()]);
});

/** Many processes at once on a small machine: a few at a time. */
const limited = limiter(4);

function run(args: readonly string[]): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Were cpe to reach for AWS, it would land on the counting listener.
    AWS_ENDPOINT_URL_ECR: `http://${ecr.host}`,
    AWS_ENDPOINT_URL: `http://${ecr.host}`,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    JINDR_TIMEOUT_MS: '1000',
  };
  delete env.DOCKER_HOST;
  return limited(() => jindr(['-r', source.host, ...args], { env, timeoutMs: 30_000 }));
}

const longName = 'a'.repeat(256);
const longTag = 't'.repeat(129);

/** [what, reference, expected message] */
const references: Array<[string, string, RegExp]> = [
  ['empty', '', /^empty image reference$/],
  ['upper-case repository', 'App', /^invalid image reference "App": repository names must be lower-case$/],
  ['upper-case repository with a registry', 'localhost:5001/team/App', /repository names must be lower-case$/],
  [
    'bad digest',
    'app@sha256:abc',
    /^invalid image reference "app@sha256:abc": the digest must be sha256: followed by 64 lower-case hex digits$/,
  ],
  ['upper-case digest', `app@sha256:${'A'.repeat(64)}`, /the digest must be sha256: followed by 64 lower-case hex digits$/],
  ['path traversal ../x', '../x', /^invalid image reference "\.\.\/x": "\.\." is not allowed as a path component$/],
  ['path traversal a/../b', 'a/../b', /^invalid image reference "a\/\.\.\/b": "\.\." is not allowed as a path component$/],
  ['a . component', 'a/./b', /"\." is not allowed as a path component$/],
  ['an empty component', 'a//b', /bad repository path component ""/],
  ['a name over 255 characters', longName, /^invalid image reference "a{80}\.\.\.": the name is longer than 255 characters$/],
  ['a tab', 'a\tb', /^invalid image reference "a\\tb": it contains spaces or control characters$/],
  ['a newline', 'app\n:v1', /^invalid image reference "app\\n:v1": it contains spaces or control characters$/],
  ['an escape sequence', 'a\u001b[31mb', /^invalid image reference "a\\u001b\[31mb": it contains spaces or control characters$/],
  ['a C1 control character', 'a\u009bb', /^invalid image reference "a\\u009bb": it contains spaces or control characters$/],
  [
    'a tag over 128 characters',
    `app:${longTag}`,
    /bad tag "t{80}\.\.\." \(letters, digits, _ \. -, at most 128, not starting with \. or -\)$/,
  ],
  ['a tag starting with .', 'app:.v1', /bad tag "\.v1"/],
  ['a tag starting with -', 'app:-v1', /bad tag "-v1"/],
];

/** A repository (rmr, lsi) refuses the same, and a tag or digest. */
const repositories: Array<[string, string, RegExp]> = [
  ...references.filter(([what]) => !/digest|tag/.test(what)),
  ['a tag', 'app:v1', /^"app:v1" names an image, not a repository: leave out the :tag \/ @digest$/],
];

/** The single line on stderr, after checking exit code 2 (errorLine) and no connection. */
async function refused(t: import('ava').ExecutionContext, args: readonly string[]): Promise<string> {
  const before = source.connections + destination.connections + ecr.connections;
  const result = await run(args);
  const line = errorLine(t, result, 2, JSON.stringify(args));
  // Nothing the terminal would obey: control characters are shown escaped.
  t.notRegex(result.stderr.trimEnd(), /[\u0000-\u001f\u007f-\u009f]/);
  t.is(source.connections + destination.connections + ecr.connections, before, 'no connection was made');
  t.true(line.length < 400, 'a short line');
  return line.slice('docker-jindr: '.length);
}

for (const [what, ref, message] of references) {
  for (const command of ['inspect', 'rmi'] as const) {
    test(`${command} refuses ${what} before any request`, async (t) => {
      t.regex(await refused(t, [command, ref]), message);
    });
  }
  test(`cp refuses ${what} as IMAGE before any request`, async (t) => {
    t.regex(await refused(t, ['cp', ref, destination.host]), message);
  });
  test(`cp --to refuses ${what} before any request`, async (t) => {
    t.regex(await refused(t, ['cp', 'app:v1', '--to', ref]), message);
  });
  test(`cpe refuses ${what} before any request`, async (t) => {
    t.regex(await refused(t, ['cpe', ref]), message);
  });
}

for (const [what, repo, message] of repositories) {
  for (const command of ['rmr', 'lsi'] as const) {
    test(`${command} refuses ${what} before any request`, async (t) => {
      t.regex(await refused(t, [command, repo]), message);
    });
  }
}

test('inspect and rmi with several images: one bad one stops them all before any request', async (t) => {
  t.regex(await refused(t, ['inspect', 'app:v1', 'App:v2']), /repository names must be lower-case$/);
  t.regex(await refused(t, ['rmi', 'app:v1', '../x']), /"\.\." is not allowed as a path component$/);
});

/** cp's REGISTRY and TAG arguments, and cpe's TAG. */
const destinations: Array<[string, string[], RegExp]> = [
  ['an empty REGISTRY', ['cp', 'app:v1', ''], /^"" is not a registry: give HOST\[:PORT\]\[\/NAMESPACE\]/],
  ['a REGISTRY with a traversal', ['cp', 'app:v1', 'localhost:5999/../x'], /"\.\." is not allowed as a path component$/],
  ['a REGISTRY with an upper-case namespace', ['cp', 'app:v1', 'localhost:5999/Team'], /repository names must be lower-case$/],
  ['a REGISTRY with a tag', ['cp', 'app:v1', 'localhost:5999/team:v2'], /is not a registry: leave out :tag \/ @digest, or use --to REF$/],
  ['a REGISTRY that is not a host', ['cp', 'app:v1', 'not a host'], /^"not a host" is not a registry/],
  ['an over-long REGISTRY namespace', ['cp', 'app:v1', `localhost:5999/${longName}`], /the name is longer than 255 characters$/],
  [
    'a --to digest',
    ['cp', 'app:v1', '--to', `localhost:5999/app@sha256:${'a'.repeat(64)}`],
    /a destination is a repository or repository:tag, not a digest$/,
  ],
  ['a TAG starting with .', ['cp', 'app:v1', 'localhost:5999', '.v2'], /^invalid tag "\.v2" \(letters, digits/],
  ['words after --', ['cp', 'app:v1', 'localhost:5999', '--', '-x2'], /^arguments after "--" are not accepted: give them before it/],
  ['an image after --', ['inspect', 'app:v1', '--', 'app:v2'], /^arguments after "--" are not accepted/],
  ['a TAG over 128 characters', ['cp', 'app:v1', 'localhost:5999', longTag], /^invalid tag "t{80}\.\.\."/],
  ['a TAG with a control character', ['cp', 'app:v1', 'localhost:5999', 'v\u00072'], /^invalid tag "v\\u00072"/],
  ['an empty TAG', ['cp', 'app:v1', 'localhost:5999', ''], /^invalid tag ""/],
  ['a cpe TAG starting with .', ['cpe', 'app:v1', '.v2'], /^invalid tag "\.v2"/],
  ['a cpe TAG over 128 characters', ['cpe', 'app:v1', longTag], /^invalid tag "t{80}\.\.\."/],
];

for (const [what, args, message] of destinations) {
  test(`${args[0]} refuses ${what} before any request`, async (t) => {
    t.regex(await refused(t, args), message);
  });
}

test("a TAG starting with - is a flag, and an unknown one: a usage error in Docker's words, before any request", async (t) => {
  const before = source.connections + destination.connections + ecr.connections;
  const result = await run(['cp', 'app:v1', 'localhost:5999', '-x2']);
  t.is(usageErrorOf(t, result, 'docker-jindr cp [OPTIONS] IMAGE [DESTINATION] [TAG...]'), "unknown shorthand flag: 'x' in -x2");
  t.is(source.connections + destination.connections + ecr.connections, before, 'no connection was made');
});

test('a --format naming a field the command does not have is refused before anything is asked or deleted', async (t) => {
  t.is(
    await refused(t, ['rmi', 'app:v1', '--format', '{{.Repository}} {{.Nope}}']),
    "--format: unknown field .Nope for 'docker-jindr rmi': use .Repository .Tag .Digest .Action .AlsoRemoved .Referrers",
  );
  t.regex(await refused(t, ['cp', 'app:v1', destination.host, '--format', '{{range .}}']), /^--format: function "range" is not supported/);
});

test('-r that is not HOST[:PORT] is refused before any request', async (t) => {
  const result = await limited(() => jindr(['-r', 'http://127.0.0.1:1/x', 'lsi'], { timeoutMs: 30_000 }));
  t.is(result.code, 2);
  t.is(result.stderr, 'docker-jindr: -r/--registry needs HOST or HOST:PORT, without a scheme or path (got "http://127.0.0.1:1/x")\n');
});

test('a well-formed reference does reach the registry (the listener counts)', async (t) => {
  // The counterpart of the tests above: without it, a listener that never counts would pass them.
  const own = await silent();
  t.teardown(() => own.close());
  const result = await limited(() =>
    jindr(['-r', own.host, 'inspect', 'app:v1'], { env: { ...process.env, JINDR_TIMEOUT_MS: '1000' }, timeoutMs: 30_000 }),
  );
  t.is(result.code, 1);
  t.is(result.stderr, `docker-jindr: ${own.host} did not answer within 1 s (JINDR_TIMEOUT_MS=<milliseconds> waits longer)\n`);
  t.true(own.connections > 0);
});

// ---- values a user mistypes: usage errors before any request or engine connection ----

/** No engine answers here: an error about the engine would mean it was asked. */
const noEngine: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: 'unix:///nonexistent-jindr-input.sock', JINDR_TIMEOUT_MS: '1000' };

const badRegistries: Array<[string, string]> = [
  ['localhost:99999', '-r/--registry needs a port from 1 to 65535 after the colon, e.g. localhost:5001 (got "localhost:99999")'],
  ['localhost:0', '-r/--registry needs a port from 1 to 65535 after the colon, e.g. localhost:5001 (got "localhost:0")'],
  ['', '-r/--registry needs HOST or HOST:PORT, e.g. localhost:5001 (got "")'],
  ['http://localhost:5001', '-r/--registry needs HOST or HOST:PORT, without a scheme or path (got "http://localhost:5001")'],
  ['localhost:5001/team', '-r/--registry needs HOST or HOST:PORT, without a scheme or path (got "localhost:5001/team")'],
];
for (const [registry, message] of badRegistries) {
  test(`-r ${JSON.stringify(registry)} is a usage error saying what to write`, async (t) => {
    const result = await limited(() => jindr(['-r', registry, 'lsi'], { env: noEngine, timeoutMs: 30_000 }));
    t.is(errorLine(t, result, 2), `docker-jindr: ${message}`);
  });
}

const everyCommand = [
  ['ls'],
  ['inspect', 'app'],
  ['rmi', 'app:v1'],
  ['rmr', 'app'],
  ['cp', 'app', 'localhost:5999'],
  ['cpe', 'app'],
  ['gc'],
  ['stat'],
  ['start'],
  ['stop'],
  ['restart'],
  ['logs'],
];
test('-r localhost:99999 is refused by every command, registry or engine, before either is asked', async (t) => {
  const results = await Promise.all(
    everyCommand.map((args) => limited(() => jindr(['-r', 'localhost:99999', ...args], { env: noEngine, timeoutMs: 30_000 }))),
  );
  results.forEach((result, i) => {
    t.is(errorLine(t, result, 2, everyCommand[i]!.join(' ')), `docker-jindr: ${badRegistries[0]![1]}`);
  });
});

test('-r 0.0.0.0:PORT up says to use localhost, and how to offer the registry to other machines', async (t) => {
  const result = await limited(() => jindr(['-r', '0.0.0.0:5610', 'up'], { env: noEngine, timeoutMs: 30_000 }));
  t.is(
    errorLine(t, result, 2),
    'docker-jindr: -r 0.0.0.0:5610 is not an address to reach the registry at: use -r localhost:5610, and to offer the registry to other machines too, start it with --bind 0.0.0.0 --auth USER',
  );
  const v6 = await limited(() => jindr(['-r', '[::]:5610', 'start'], { env: noEngine, timeoutMs: 30_000 }));
  t.regex(errorLine(t, v6, 2), /use -r \[::1\]:5610, and to offer .* --bind :: --auth USER$/);
});

test('an empty password on stdin says the password is empty, before the engine is asked', async (t) => {
  for (const input of ['\n', '\r\n']) {
    const result = await limited(() =>
      jindr(['-r', 'localhost:5610', 'start', '--auth', 'alice', '--password-stdin'], { env: noEngine, input, timeoutMs: 30_000 }),
    );
    t.is(errorLine(t, result, 2, JSON.stringify(input)), 'docker-jindr: the password for alice is empty');
  }
  const none = await limited(() =>
    jindr(['-r', 'localhost:5610', 'start', '--auth', 'alice', '--password-stdin'], { env: noEngine, input: '', timeoutMs: 30_000 }),
  );
  t.is(errorLine(t, none, 2), 'docker-jindr: --password-stdin: expected one line (the password), got 0 lines');
});

// ---- hints name the registry they mean ----

test('no registry on a -r that is not the default: the start hint names it (ls, lsi, inspect, rmi, rmr, cp)', async (t) => {
  const registry = `localhost:${await freePort()}`;
  const hint = `docker-jindr: no registry answers on ${registry} (start one with: docker jindr -r ${registry} start)`;
  const commands = [['ls'], ['lsi'], ['inspect', 'app'], ['rmi', 'app:v1'], ['rmr', 'app'], ['cp', 'app', 'localhost:5999']];
  const results = await Promise.all(
    commands.map((args) => limited(() => jindr(['-r', registry, ...args], { env: noEngine, timeoutMs: 30_000 }))),
  );
  results.forEach((result, i) => {
    t.is(errorLine(t, result, 1, commands[i]!.join(' ')), hint);
  });
});

e2e('no registry container for -r: stat, logs, restart and gc name it in their start hint', async (t) => {
  const registry = `localhost:${await freePort()}`;
  const env = { ...process.env };
  delete env.DOCKER_HOST;
  const stat = await jindr(['-r', registry, 'stat'], { env });
  t.is(stat.code, 1);
  t.is(stat.stdout, `${registry}: no registry (start one with: docker jindr -r ${registry} start)\n`);
  for (const command of ['logs', 'restart', 'gc']) {
    const result = await jindr(['-r', registry, command], { env });
    t.regex(
      errorLine(t, result, 1, command),
      new RegExp(`^docker-jindr: no registry container for ${registry}\\W.*start one with: docker jindr -r ${registry} start\\)?$`),
      command,
    );
  }
});
