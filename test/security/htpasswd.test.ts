// The htpasswd file start --auth writes: bcrypt entries Apache's own `htpasswd -v` accepts,
// mode 0600, users added or changed, others kept.
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BCRYPT_COST, checkPassword, checkUserName, htpasswdUsers, parseHtpasswd, writeHtpasswd } from '../../src/security/htpasswd.ts';
import { UsageError } from '../../src/errors.ts';

function tempFile(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-htpasswd-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'auth', 'htpasswd');
}

/** Apache's check: exit 0 when the password is right. */
const htpasswdAccepts = (file: string, user: string, password: string): boolean =>
  spawnSync('htpasswd', ['-vb', file, user, password], { stdio: 'ignore' }).status === 0;

test('writes bcrypt entries that htpasswd -vb accepts, mode 0600', async (t) => {
  const file = tempFile(t);
  const result = await writeHtpasswd(file, [
    { name: 'alice', password: 'correct horse' },
    { name: 'bob', password: 'b:ob pässword' },
  ]);
  t.deepEqual(result, { added: ['alice', 'bob'], changed: [] });
  t.is(statSync(file).mode & 0o777, 0o600);
  t.is(statSync(join(file, '..')).mode & 0o777, 0o700);
  const text = readFileSync(file, 'utf8');
  t.regex(text, new RegExp(`^alice:\\$2y\\$0${BCRYPT_COST}\\$[./A-Za-z0-9]{53}\\nbob:\\$2y\\$0${BCRYPT_COST}\\$[./A-Za-z0-9]{53}\\n$`));
  t.false(text.includes('correct horse'));
  t.true(htpasswdAccepts(file, 'alice', 'correct horse'));
  t.true(htpasswdAccepts(file, 'bob', 'b:ob pässword'));
  t.false(htpasswdAccepts(file, 'alice', 'wrong'));
  t.false(htpasswdAccepts(file, 'carol', 'correct horse'));
});

test('an existing user gets the new password; other users and their hashes stay', async (t) => {
  const file = tempFile(t);
  await writeHtpasswd(file, [
    { name: 'alice', password: 'one' },
    { name: 'bob', password: 'bob-pw' },
  ]);
  const bobBefore = parseHtpasswd(readFileSync(file, 'utf8')).find((l) => l.user === 'bob')?.line;
  const result = await writeHtpasswd(file, [
    { name: 'alice', password: 'two' },
    { name: 'carol', password: 'c' },
  ]);
  t.deepEqual(result, { added: ['carol'], changed: ['alice'] });
  t.deepEqual(htpasswdUsers(file), ['alice', 'bob', 'carol']);
  t.true(htpasswdAccepts(file, 'alice', 'two'));
  t.false(htpasswdAccepts(file, 'alice', 'one'));
  t.true(htpasswdAccepts(file, 'carol', 'c'));
  t.is(parseHtpasswd(readFileSync(file, 'utf8')).find((l) => l.user === 'bob')?.line, bobBefore);
  t.is(statSync(file).mode & 0o777, 0o600);
});

test('a file made by htpasswd itself is read and kept', async (t) => {
  const file = tempFile(t);
  execFileSync('mkdir', ['-p', join(file, '..')]);
  writeFileSync(file, execFileSync('htpasswd', ['-Bbn', 'apache', 'made-by-apache'], { encoding: 'utf8' }).trim() + '\r\n', {
    mode: 0o644,
  });
  await writeHtpasswd(file, [{ name: 'alice', password: 'pw' }]);
  t.deepEqual(htpasswdUsers(file), ['apache', 'alice']);
  t.true(htpasswdAccepts(file, 'apache', 'made-by-apache'));
  t.true(htpasswdAccepts(file, 'alice', 'pw'));
  t.is(statSync(file).mode & 0o777, 0o600, 'tightened');
});

test('no file: no users', (t) => {
  t.deepEqual(htpasswdUsers(join(tmpdir(), 'jindr-no-such-dir', 'htpasswd')), []);
});

test('user names and passwords htpasswd and bcrypt cannot hold are refused', (t) => {
  for (const bad of ['', 'a:b', 'a b', 'tab\tname', 'new\nline', 'x'.repeat(256)]) {
    const err = t.throws(() => checkUserName(bad), { instanceOf: UsageError }, JSON.stringify(bad));
    t.false(err.message.includes('\n'));
  }
  for (const good of ['alice', 'ci-bot.1', 'user@example.com', 'ünï']) t.notThrows(() => checkUserName(good));
  t.throws(() => checkPassword('alice', ''), { instanceOf: UsageError, message: 'the password for alice is empty' });
  t.throws(() => checkPassword('alice', 'x'.repeat(73)), { instanceOf: UsageError, message: /longer than 72 bytes/ });
  t.throws(
    () => checkPassword('alice', 'ä'.repeat(37)),
    { instanceOf: UsageError, message: /longer than 72 bytes/ },
    '74 bytes in 37 characters',
  );
  t.notThrows(() => checkPassword('alice', 'x'.repeat(72)));
});
