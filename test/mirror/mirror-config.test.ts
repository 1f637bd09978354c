import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configMode, MIRROR_HEADER, mirrorConfigYaml, mirrorPaths, writeMirrorConfig } from '../../src/mirror/mirror-config.ts';
import { unreachableUpstream } from '../../src/mirror/mirror-failure.ts';
import { parseUpstream } from '../../src/mirror/mirror-upstream.ts';
import { storageOf } from '../../src/storage/storage-root.ts';

test('proxy mode for the upstream, the login quoted, the mirror header, filesystem storage gc can read', (t) => {
  const yaml = mirrorConfigYaml(parseUpstream(undefined), { username: 'alice', password: 'p"a\\s:s #x\n' });
  t.regex(yaml, /^proxy:\n {2}remoteurl: "https:\/\/registry-1\.docker\.io"\n {2}username: "alice"\n {2}password: "p\\"a\\\\s:s #x\\n"\n/m);
  t.regex(yaml, new RegExp(`^ {4}${MIRROR_HEADER}: \\["https://registry-1\\.docker\\.io"\\]$`, 'm'));
  t.deepEqual(storageOf(yaml, []), { driver: 'filesystem', root: '/var/lib/registry' });
  t.is(yaml.split('\n').filter((l) => l.includes('password')).length, 1);
});

test('no login: no username or password keys at all', (t) => {
  const yaml = mirrorConfigYaml(parseUpstream('http://upstream:5000'), undefined);
  t.regex(yaml, /remoteurl: "http:\/\/upstream:5000"/);
  t.notRegex(yaml, /username|password/);
});

test('offline: no proxy section and no login, read-only storage maintenance, the same storage and header; told apart by its proxy section', (t) => {
  const upstream = parseUpstream('http://upstream:5000');
  const yaml = mirrorConfigYaml(upstream, { username: 'alice', password: 'secret' }, 'offline');
  t.notRegex(yaml, /proxy|remoteurl|username|password|secret/);
  t.regex(yaml, /^storage:\n(?: {2}.*\n)* {2}maintenance:\n {4}readonly:\n {6}enabled: true\n/m);
  t.deepEqual(storageOf(yaml, []), { driver: 'filesystem', root: '/var/lib/registry' });
  t.regex(yaml, new RegExp(`^ {4}${MIRROR_HEADER}: \\["http://upstream:5000"\\]$`, 'm'));
  t.is(configMode(yaml), 'offline');
  t.is(configMode(mirrorConfigYaml(upstream, undefined)), 'pull-through');
});

test("the upstream out of reach, in the proxy's panic as it starts (registry 2.8 and 3 alike); other panics are not", (t) => {
  const url = 'http://up:5000';
  t.is(
    unreachableUpstream('Get "http://up:5000/v2/": dial tcp: lookup up on 127.0.0.11:53: no such host', url),
    'dial tcp: lookup up on 127.0.0.11:53: no such host',
  );
  t.is(
    unreachableUpstream('Get "http://up:5000/v2/": dial tcp 10.0.0.2:5000: connect: connection refused', url),
    'dial tcp 10.0.0.2:5000: connect: connection refused',
  );
  t.is(unreachableUpstream('Get "http://other:5000/v2/": EOF', url), undefined);
  t.is(unreachableUpstream('open /etc/jindr/mirror.yml: permission denied', url), undefined);
  t.is(unreachableUpstream(undefined, url), undefined);
});

test('the file is written with mode 0600 in a 0700 directory, replacing the old one whatever the umask', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'jindr-mirror-config-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const paths = mirrorPaths(join(root, 'mirrors', 'docker.io'));
  t.deepEqual(paths, { dir: join(root, 'mirrors', 'docker.io'), data: join(root, 'mirrors', 'docker.io', 'data') });
  const config = join(paths.dir, 'docker.io.no-login.yml');
  const old = process.umask(0);
  try {
    writeMirrorConfig(config, 'one');
    writeFileSync(config + '.other', '');
    writeMirrorConfig(config, 'two');
  } finally {
    process.umask(old);
  }
  t.is(readFileSync(config, 'utf8'), 'two');
  t.is(statSync(config).mode & 0o777, 0o600);
  t.is(statSync(paths.dir).mode & 0o777, 0o700);
});

test("the debug endpoint (the proxy's counters) on the container's loopback only", (t) => {
  const yaml = mirrorConfigYaml(parseUpstream('http://upstream:5000'), undefined);
  t.regex(yaml, /^http:\n {2}addr: :5000\n(?: {4}.*\n| {2}headers:\n)*? {2}debug:\n {4}addr: 127\.0\.0\.1:5001\n/m);
});
