import test from 'ava';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  daemonJsonPath,
  dockerdPid,
  readDaemonJson,
  registryMirrors,
  sameMirror,
  withMirror,
  withoutMirror,
  writeDaemonJson,
} from '../../src/engine/daemon-config.ts';
import { ResourceError } from '../../src/errors.ts';

function dir(t: { teardown(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'jindr-daemon-json-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('the path: JINDR_DAEMON_JSON, else /etc/docker/daemon.json', (t) => {
  t.is(daemonJsonPath({}), '/etc/docker/daemon.json');
  t.is(daemonJsonPath({ JINDR_DAEMON_JSON: '/tmp/x.json' }), '/tmp/x.json');
});

test('ours first, others kept, never twice; removed leaves [] rather than no key', (t) => {
  const url = 'http://127.0.0.1:5002';
  const config = { debug: true, 'registry-mirrors': ['https://other.example', 'http://127.0.0.1:5002/'] };
  t.deepEqual(withMirror(config, url), { debug: true, 'registry-mirrors': [url, 'https://other.example'] });
  t.deepEqual(withMirror({}, url), { 'registry-mirrors': [url] });
  t.deepEqual(withoutMirror(config, url), { debug: true, 'registry-mirrors': ['https://other.example'] });
  t.deepEqual(withoutMirror({ 'registry-mirrors': [url] }, url), { 'registry-mirrors': [] });
  t.deepEqual(registryMirrors({ 'registry-mirrors': 'nonsense' }), []);
  t.true(sameMirror('HTTP://127.0.0.1:5002/', url));
  t.false(sameMirror('http://127.0.0.1:5003', url));
});

test('read: missing, empty, valid, invalid JSON (refused, content not quoted), not an object', (t) => {
  const d = dir(t);
  const file = join(d, 'daemon.json');
  t.deepEqual(readDaemonJson(file), { path: file, exists: false, config: {} });
  writeFileSync(file, '  \n');
  t.deepEqual(readDaemonJson(file), { path: file, exists: true, config: {} });
  writeFileSync(file, '{"registry-mirrors": ["x"]}');
  t.deepEqual(readDaemonJson(file).config, { 'registry-mirrors': ['x'] });
  writeFileSync(file, '{"secret-ish": ');
  const err = t.throws(() => readDaemonJson(file), { instanceOf: ResourceError });
  t.notRegex(err.message, /secret-ish/);
  writeFileSync(file, '[1]');
  t.throws(() => readDaemonJson(file), { instanceOf: ResourceError, message: /JSON object/ });
});

test('write: replaces the file, keeps its mode; a new file gets 0644', (t) => {
  const d = dir(t);
  const file = join(d, 'daemon.json');
  writeFileSync(file, '{"debug": true}');
  chmodSync(file, 0o600);
  const before = readDaemonJson(file);
  writeDaemonJson(before, withMirror(before.config, 'http://127.0.0.1:5002'));
  t.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { debug: true, 'registry-mirrors': ['http://127.0.0.1:5002'] });
  t.is(statSync(file).mode & 0o777, 0o600);
  const fresh = join(d, 'new.json');
  writeDaemonJson(readDaemonJson(fresh), { 'registry-mirrors': [] });
  t.is(statSync(fresh).mode & 0o777, 0o644);
  t.is(readFileSync(fresh, 'utf8'), '{\n  "registry-mirrors": []\n}\n');
});

test('dockerd pid: from a pid file of a live process (no newline needed)', async (t) => {
  const d = dir(t);
  const file = join(d, 'docker.pid');
  writeFileSync(file, String(process.pid));
  t.is(await dockerdPid(file), process.pid);
});
