// The engine's side of a mirror with a stand-in engine: a temp daemon.json, a pid file of
// this process, and an engine whose `docker info` shows registry mirrors as dockerd would
// after a reload (it re-reads the file when sent SIGHUP).
import test from 'ava';
import type Docker from 'dockerode';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addMirrorToEngine, engineMirrorUrl, removeMirrorFromEngine, type EngineAccess } from '../../src/mirror/mirror-engine.ts';

const URL = 'http://127.0.0.1:5002';

function engine(t: { teardown(fn: () => void): void }, initial?: object) {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-mirror-engine-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'daemon.json');
  if (initial) writeFileSync(path, JSON.stringify(initial));
  const pidFile = join(dir, 'docker.pid');
  writeFileSync(pidFile, String(process.pid));
  // What dockerd holds: only what a reload read, and only keys the file has.
  let loaded: string[] = (initial as { 'registry-mirrors'?: string[] } | undefined)?.['registry-mirrors'] ?? [];
  const signals: string[] = [];
  const docker = { info: async () => ({ RegistryConfig: { Mirrors: loaded.map((m) => m.replace(/\/?$/, '/')) } }) } as unknown as Docker;
  const access: EngineAccess = {
    docker,
    local: true,
    env: { JINDR_DAEMON_JSON: path },
    pidFile,
    confirmMs: 300,
    kill: (pid, signal) => {
      signals.push(`${pid} ${signal}`);
      if (existsSync(path)) {
        const mirrors = (JSON.parse(readFileSync(path, 'utf8')) as { 'registry-mirrors'?: string[] })['registry-mirrors'];
        if (mirrors !== undefined) loaded = mirrors;
      }
    },
  };
  return { path, access, signals, file: () => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> };
}

test('engineMirrorUrl: the loopback address, not localhost', (t) => {
  t.is(engineMirrorUrl('localhost:5002'), URL);
  t.is(engineMirrorUrl('127.0.0.2:5002'), 'http://127.0.0.2:5002');
});

test('add: daemon.json made, dockerd reloaded, the engine shows the mirror; again: nothing to do', async (t) => {
  const e = engine(t);
  t.deepEqual(await addMirrorToEngine(e.access, URL), { kind: 'reloaded', path: e.path, mirrors: [`${URL}/`] });
  t.deepEqual(e.file(), { 'registry-mirrors': [URL] });
  t.deepEqual(e.signals, [`${process.pid} SIGHUP`]);
  t.deepEqual(await addMirrorToEngine(e.access, URL), { kind: 'unchanged', path: e.path });
  t.is(e.signals.length, 1);
});

test('add keeps other settings and mirrors; remove takes only ours and leaves [] when none is left', async (t) => {
  const e = engine(t, { debug: true, 'registry-mirrors': ['https://corp.example'] });
  await addMirrorToEngine(e.access, URL);
  t.deepEqual(e.file(), { debug: true, 'registry-mirrors': [URL, 'https://corp.example'] });
  const removed = await removeMirrorFromEngine(e.access, URL);
  t.deepEqual(removed, { kind: 'reloaded', path: e.path, mirrors: ['https://corp.example/'] });
  t.deepEqual(e.file(), { debug: true, 'registry-mirrors': ['https://corp.example'] });
  const only = engine(t, { 'registry-mirrors': [URL] });
  await removeMirrorFromEngine(only.access, URL);
  t.deepEqual(only.file(), { 'registry-mirrors': [] });
});

test('remove when daemon.json never listed it: nothing written, no signal', async (t) => {
  const e = engine(t);
  t.deepEqual(await removeMirrorFromEngine(e.access, URL), { kind: 'unchanged', path: e.path });
  t.false(existsSync(e.path));
  t.deepEqual(e.signals, []);
});

test('not done by itself: a remote engine, an unwritable daemon.json, an engine that does not take it', async (t) => {
  const remote = engine(t);
  const r = await addMirrorToEngine({ ...remote.access, local: false }, URL);
  t.like(r, { kind: 'manual', why: 'the Docker engine is not on this machine' });
  const nowhere = engine(t);
  const n = await addMirrorToEngine({ ...nowhere.access, env: { JINDR_DAEMON_JSON: '/nonexistent-jindr/daemon.json' } }, URL);
  t.like(n, { kind: 'manual', why: '/nonexistent-jindr/daemon.json is not writable by this user' });
  t.deepEqual(n.kind === 'manual' ? n.steps[0] : '', `set "registry-mirrors": ["${URL}"] in /nonexistent-jindr/daemon.json`);
  const deaf = engine(t);
  const d = await addMirrorToEngine({ ...deaf.access, kill: () => {} }, URL);
  t.is(d.kind, 'manual');
  t.regex(d.kind === 'manual' ? d.why : '', /does not show it/);
});
