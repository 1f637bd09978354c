import test from 'ava';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  dockerKeychain,
  execHelper,
  fromAuthEntry,
  fromHelperAnswer,
  lookupCredential,
  parseHelperAnswer,
  type HelperRunner,
} from '../../src/docker/credentials.ts';
import { AuthError } from '../../src/errors.ts';
import { DOCKER_HUB_KEY } from '../../src/docker/config.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('auths entries: basic, identity token, empty', (t) => {
  t.deepEqual(fromAuthEntry({ auth: b64('alice:pa:ss') }), { username: 'alice', password: 'pa:ss' });
  t.deepEqual(fromAuthEntry({ username: 'bob', password: 'pw' }), { username: 'bob', password: 'pw' });
  t.deepEqual(fromAuthEntry({ auth: b64('alice:'), identitytoken: 'refresh' }), { identityToken: 'refresh', username: 'alice' });
  t.deepEqual(fromAuthEntry({ identitytoken: 'refresh' }), { identityToken: 'refresh' });
  t.is(fromAuthEntry({}), undefined);
  t.is(fromAuthEntry(undefined), undefined);
  const err = t.throws(() => fromAuthEntry({ auth: b64('nocolonsecret') }));
  t.false(err.message.includes('nocolonsecret'));
});

test('helper answers: <token> username is an identity token', (t) => {
  t.deepEqual(fromHelperAnswer({ ServerURL: 'h', Username: 'u', Secret: 's' }), { username: 'u', password: 's' });
  t.deepEqual(fromHelperAnswer({ ServerURL: 'h', Username: '<token>', Secret: 'rt' }), { identityToken: 'rt' });
  t.is(fromHelperAnswer({ ServerURL: 'h', Username: '', Secret: '' }), undefined);
  t.is(fromHelperAnswer(undefined), undefined);
});

test('lookup order: credHelpers[host], then credsStore, then auths', async (t) => {
  const asked: string[] = [];
  const runHelper: HelperRunner = async (name, url) => {
    asked.push(`${name} ${url}`);
    if (name === 'per' && url === 'a.example') return { Username: 'per-user', Secret: 'x' };
    if (name === 'store' && url === 'b.example') return { Username: 'store-user', Secret: 'y' };
    if (name === 'store' && url === DOCKER_HUB_KEY) return { Username: 'hub-user', Secret: 'z' };
    return undefined;
  };
  const config = {
    credsStore: 'store',
    credHelpers: { 'a.example': 'per', 'b.example': 'per' },
    auths: { 'c.example': { auth: b64('file-user:w') } },
  };
  t.like(await lookupCredential(config, 'a.example', runHelper), { username: 'per-user' });
  t.like(await lookupCredential(config, 'b.example', runHelper), { username: 'store-user' });
  t.like(await lookupCredential(config, 'c.example', runHelper), { username: 'file-user' });
  t.like(await lookupCredential(config, 'docker.io', runHelper), { username: 'hub-user' });
  t.deepEqual(asked, ['per a.example', 'per b.example', 'store b.example', 'store c.example', `store ${DOCKER_HUB_KEY}`]);
});

function helperDir(t: { teardown(fn: () => void): void }, script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-helper-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'docker-credential-jtest');
  writeFileSync(file, script);
  chmodSync(file, 0o755);
  return dir;
}

// A helper speaking the real protocol: `get`, server URL on stdin, JSON on stdout.
const protocolHelper = `#!/bin/sh
[ "$1" = get ] || { echo "unknown action $1"; exit 1; }
url=$(cat)
case "$url" in
  reg.example:5000) printf '{"ServerURL":"%s","Username":"alice","Secret":"s3cret"}' "$url" ;;
  tok.example) printf '{"ServerURL":"%s","Username":"<token>","Secret":"refresh-tok"}' "$url" ;;
  broken.example) echo "keychain locked s3cret-not-here"; exit 1 ;;
  garbage.example) echo "not json s3cret" ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`;

test('execHelper speaks the docker-credential protocol', async (t) => {
  const dir = helperDir(t, protocolHelper);
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
  const run = execHelper(env);
  t.deepEqual(await run('jtest', 'reg.example:5000'), { ServerURL: 'reg.example:5000', Username: 'alice', Secret: 's3cret' });
  t.is(await run('jtest', 'nothing.example'), undefined);
  const failed = await t.throwsAsync(run('jtest', 'broken.example'));
  t.regex(failed.message, /docker-credential-jtest failed \(exit 1\) for broken\.example: keychain locked/);
  const garbage = await t.throwsAsync(run('jtest', 'garbage.example'));
  t.false(garbage.message.includes('s3cret'));
  const missing = await t.throwsAsync(run('nosuchhelper', 'x'));
  t.regex(missing.message, /docker-credential-nosuchhelper is not on PATH/);
});

test('keychain over a config dir, helper on PATH, asked once per host', async (t) => {
  const dir = helperDir(t, protocolHelper + '\n');
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ credHelpers: { 'tok.example': 'jtest' }, credsStore: 'jtest', auths: { 'file.example': { auth: b64('f:g') } } }),
  );
  let calls = 0;
  const real = execHelper({ ...process.env, PATH: `${dir}:${process.env.PATH}` });
  const keychain = dockerKeychain({ configDir: dir, runHelper: (n, u) => (calls++, real(n, u)) });
  t.deepEqual(await keychain('reg.example:5000'), { username: 'alice', password: 's3cret' });
  t.deepEqual(await keychain('tok.example'), { identityToken: 'refresh-tok' });
  t.deepEqual(await keychain('file.example'), { username: 'f', password: 'g' });
  t.is(await keychain('none.example'), undefined);
  await keychain('reg.example:5000');
  t.is(calls, 4); // one per host: tok.example by credHelpers, the others by credsStore, reg.example:5000 cached
});

test("a helper's answer must be an object of strings: anything else is an AuthError naming the member, never the output", (t) => {
  const answers: [string, string][] = [
    ['["alice","s3cret"]', 'not a JSON object but an array'],
    ['"s3cret"', 'not a JSON object but a string'],
    ['{"Username":"alice","Secret":{"value":"s3cret"}}', 'Secret: not a string but an object'],
    ['{"Username":7,"Secret":"s3cret"}', 'Username: not a string but a number'],
    ['user=alice secret=s3cret', 'not JSON'],
  ];
  for (const [stdout, problem] of answers) {
    const err = t.throws(() => parseHelperAnswer(stdout, 'docker-credential-jtest', 'reg.example'), { instanceOf: AuthError });
    t.is(err.message, `credential helper docker-credential-jtest sent a malformed answer for reg.example: ${problem}`);
  }
  t.deepEqual(parseHelperAnswer('{"ServerURL":"reg.example","Username":null,"Secret":"tok","Extra":1}', 'p', 'reg.example'), {
    ServerURL: 'reg.example',
    Secret: 'tok',
  });
});
