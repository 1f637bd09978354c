// Where logins are kept: the user's secrets directory (XDG_CONFIG_HOME, else ~/.config),
// 0700 directories and 0600 files whatever the umask, one file per mirror directory.
import test from 'ava';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isInside, mirrorSecretFile, secretsDir, writeSecretFile } from '../../src/server/secrets.ts';
import { ResourceError } from '../../src/errors.ts';

test('XDG_CONFIG_HOME when absolute, else ~/.config; never a data directory', (t) => {
  t.is(secretsDir({ HOME: '/home/me', XDG_CONFIG_HOME: '/cfg' }), '/cfg/docker-jindr');
  t.is(secretsDir({ HOME: '/home/me' }), '/home/me/.config/docker-jindr');
  t.is(secretsDir({ HOME: '/home/me', XDG_CONFIG_HOME: '' }), '/home/me/.config/docker-jindr');
  t.is(
    secretsDir({ HOME: '/home/me', XDG_CONFIG_HOME: 'relative/cfg' }),
    '/home/me/.config/docker-jindr',
    'the spec says a relative path is ignored',
  );
  t.false(isInside(secretsDir({ HOME: '/home/me' }), '/home/me/.jindr'));
});

test('one login file per mirror directory: same name in two data directories, two files', (t) => {
  const env = { HOME: '/home/me' };
  const a = mirrorSecretFile(env, '/home/me/.jindr/mirrors/docker.io');
  const b = mirrorSecretFile(env, '/srv/other/mirrors/docker.io');
  t.regex(a, /^\/home\/me\/\.config\/docker-jindr\/mirrors\/docker\.io-[0-9a-f]{12}\.yml$/);
  t.not(a, b);
  t.is(mirrorSecretFile(env, '/home/me/.jindr/mirrors/docker.io'), a, 'the same directory, the same file');
});

test('isInside: the directory itself and what is below it, not a sibling with the same prefix', (t) => {
  t.true(isInside('/a/b', '/a/b'));
  t.true(isInside('/a/b/c/d', '/a/b'));
  t.false(isInside('/a/bc', '/a/b'));
  t.false(isInside('/a', '/a/b'));
});

test('written 0600 in 0700 directories whatever the umask, replacing the old file; directories opened before are closed', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'jindr-secrets-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const env = { HOME: root, XDG_CONFIG_HOME: join(root, 'cfg') };
  mkdirSync(join(root, 'cfg', 'docker-jindr'), { recursive: true });
  chmodSync(join(root, 'cfg', 'docker-jindr'), 0o755);
  const file = mirrorSecretFile(env, '/data/mirrors/docker.io');
  const old = process.umask(0);
  try {
    writeSecretFile(env, file, 'one');
    writeFileSync(`${file}.other`, '');
    writeSecretFile(env, file, 'two');
  } finally {
    process.umask(old);
  }
  t.is(readFileSync(file, 'utf8'), 'two');
  t.is(statSync(file).mode & 0o777, 0o600);
  t.is(statSync(join(root, 'cfg', 'docker-jindr', 'mirrors')).mode & 0o777, 0o700);
  t.is(statSync(join(root, 'cfg', 'docker-jindr')).mode & 0o777, 0o700);
});

test('a place it cannot write: one line naming the file and how to choose another place', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'jindr-secrets-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(join(root, 'cfg'), 'a file, not a directory');
  const env = { HOME: root, XDG_CONFIG_HOME: join(root, 'cfg') };
  const file = mirrorSecretFile(env, '/data/mirrors/docker.io');
  const err = t.throws(() => writeSecretFile(env, file, 'x'), { instanceOf: ResourceError });
  t.regex(err.message, /^cannot write .*docker\.io-[0-9a-f]{12}\.yml: .*set XDG_CONFIG_HOME for another place\)$/);
  t.false(err.message.includes('\n'));
});
