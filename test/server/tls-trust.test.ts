// Where the CA goes: the daemon's certs.d (rootless: the user's), written when possible,
// else the exact command to do it.
import test from 'ava';
import type Docker from 'dockerode';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { daemonCertsDir, placeCa } from '../../src/server/tls-trust.ts';

function temp(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-trust-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const fakeDocker = (info: () => Promise<unknown>): Docker => ({ info }) as unknown as Docker;

test("rootful daemons read /etc/docker/certs.d, rootless ones the user's XDG config", async (t) => {
  t.is(
    await daemonCertsDir(
      fakeDocker(async () => ({ SecurityOptions: ['name=seccomp,profile=default'] })),
      {},
    ),
    '/etc/docker/certs.d',
  );
  t.is(
    await daemonCertsDir(
      fakeDocker(async () => ({ SecurityOptions: ['name=seccomp,profile=default', 'name=rootless'] })),
      { XDG_CONFIG_HOME: '/x' },
    ),
    '/x/docker/certs.d',
  );
  t.is(
    await daemonCertsDir(
      fakeDocker(async () => ({ SecurityOptions: ['name=rootless'] })),
      { HOME: '/home/u' },
    ),
    '/home/u/.config/docker/certs.d',
  );
  t.is(
    await daemonCertsDir(
      fakeDocker(async () => Promise.reject(new Error('gone'))),
      {},
    ),
    '/etc/docker/certs.d',
  );
});

test("Docker Desktop reads the user's ~/.docker/certs.d: known by its /info or its context desktop-linux", async (t) => {
  const desktop = fakeDocker(async () => ({
    OperatingSystem: 'Docker Desktop',
    SecurityOptions: ['name=seccomp,profile=unconfined', 'name=cgroupns'],
  }));
  t.is(await daemonCertsDir(desktop, { HOME: '/Users/u' }), '/Users/u/.docker/certs.d');
  t.is(await daemonCertsDir(desktop, { HOME: '/Users/u', XDG_CONFIG_HOME: '/x' }, { kind: 'docker' }), '/Users/u/.docker/certs.d');
  const silent = fakeDocker(async () => Promise.reject(new Error('no answer')));
  t.is(await daemonCertsDir(silent, { HOME: '/Users/u' }, { context: 'desktop-linux' }), '/Users/u/.docker/certs.d');
  t.is(await daemonCertsDir(silent, { HOME: '/Users/u' }, { context: 'colima' }), '/etc/docker/certs.d');
});

test("Podman: rootful reads /etc/containers/certs.d, rootless the user's containers/certs.d", async (t) => {
  const info = (rootless: boolean) =>
    fakeDocker(async () => ({
      OperatingSystem: 'debian',
      SecurityOptions: ['name=seccomp,profile=default', ...(rootless ? ['name=rootless'] : [])],
    }));
  t.is(await daemonCertsDir(info(false), { HOME: '/home/u' }, { kind: 'podman' }), '/etc/containers/certs.d');
  t.is(await daemonCertsDir(info(true), { HOME: '/home/u' }, { kind: 'podman' }), '/home/u/.config/containers/certs.d');
  t.is(await daemonCertsDir(info(true), { XDG_CONFIG_HOME: '/x' }, { kind: 'podman' }), '/x/containers/certs.d');
});

test('placed as certs.d/HOST:PORT/ca.crt, unchanged the second time, replaced when it differs', (t) => {
  const dir = temp(t);
  const ca = join(dir, 'ca.crt');
  writeFileSync(ca, 'CA ONE\n');
  const certs = join(dir, 'certs.d');
  t.deepEqual(placeCa('localhost:5001', ca, certs), { placed: join(certs, 'localhost:5001/ca.crt'), changed: true });
  t.is(readFileSync(join(certs, 'localhost:5001/ca.crt'), 'utf8'), 'CA ONE\n');
  t.is(statSync(join(certs, 'localhost:5001/ca.crt')).mode & 0o777, 0o644);
  t.deepEqual(placeCa('localhost:5001', ca, certs), { placed: join(certs, 'localhost:5001/ca.crt'), changed: false });
  writeFileSync(ca, 'CA TWO\n');
  t.like(placeCa('localhost:5001', ca, certs), { changed: true });
  t.is(readFileSync(join(certs, 'localhost:5001/ca.crt'), 'utf8'), 'CA TWO\n');
});

test('not writable: the exact command instead, quoted for a shell', (t) => {
  const dir = temp(t);
  mkdirSync(join(dir, 'my data'));
  const ca = join(dir, 'my data', 'ca.crt');
  writeFileSync(ca, 'CA\n');
  const blocked = join(dir, 'file-not-dir');
  writeFileSync(blocked, '');
  const result = placeCa('localhost:5001', ca, blocked);
  t.false('placed' in result);
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  t.like(result, {
    command: `${sudo}mkdir -p ${blocked}/localhost:5001 && ${sudo}cp '${dir}/my data/ca.crt' ${blocked}/localhost:5001/ca.crt`,
  });
  t.throws(
    () => placeCa('localhost:5001', join(dir, 'missing.crt'), blocked),
    undefined,
    'a CA file that is not there is an error, not a command',
  );
});

test('an engine whose info says something malformed is taken as rootful, not a crash', async (t) => {
  for (const info of [{ SecurityOptions: 'name=rootless' }, { SecurityOptions: [7, 'name=rootless'] }, [], null, 'rootless']) {
    t.is(
      await daemonCertsDir(
        fakeDocker(async () => info),
        { XDG_CONFIG_HOME: '/x' },
      ),
      '/etc/docker/certs.d',
      JSON.stringify(info),
    );
  }
});
