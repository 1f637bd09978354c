// The registries.conf.d entry start writes on a Podman engine: where, what, and what it
// says when it cannot write it. Podman reading it is tested in test/e2e/podman.test.ts.
import test from 'ava';
import type Docker from 'dockerode';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLocalRegistry } from '../../src/server/address.ts';
import {
  allowPlainHttpOnPodman,
  entryCommand,
  placeRegistriesEntry,
  registriesConfDir,
  registriesEntry,
  registriesFileName,
} from '../../src/server/podman-registries.ts';

function temp(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-registries-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("rootful Podman reads /etc/containers, rootless the user's config", (t) => {
  t.is(registriesConfDir(false, { HOME: '/home/u' }), '/etc/containers/registries.conf.d');
  t.is(registriesConfDir(true, { HOME: '/home/u' }), '/home/u/.config/containers/registries.conf.d');
  t.is(registriesConfDir(true, { HOME: '/home/u', XDG_CONFIG_HOME: '/x' }), '/x/containers/registries.conf.d');
});

test('one file per registry, holding one plain-HTTP entry', (t) => {
  t.is(registriesFileName(parseLocalRegistry('localhost:5001')), 'jindr-localhost-5001.conf');
  t.is(registriesFileName(parseLocalRegistry('127.0.0.1:5702')), 'jindr-127.0.0.1-5702.conf');
  t.is(registriesFileName(parseLocalRegistry('[::1]:5001')), 'jindr-__1-5001.conf');
  t.is(
    registriesEntry('localhost:5001'),
    '# Written by docker jindr start: its registry on localhost:5001 speaks plain HTTP.\n[[registry]]\nlocation = "localhost:5001"\ninsecure = true\n',
  );
});

test('written once, unchanged the second time, rewritten when someone changed it', (t) => {
  const dir = join(temp(t), 'registries.conf.d');
  const address = parseLocalRegistry('localhost:5001');
  const file = join(dir, 'jindr-localhost-5001.conf');
  t.deepEqual(placeRegistriesEntry(address, dir), { written: file, changed: true });
  t.is(readFileSync(file, 'utf8'), registriesEntry('localhost:5001'));
  t.is(statSync(file).mode & 0o777, 0o644);
  t.deepEqual(placeRegistriesEntry(address, dir), { written: file, changed: false });
  writeFileSync(file, 'insecure = false\n');
  t.deepEqual(placeRegistriesEntry(address, dir), { written: file, changed: true });
  t.is(readFileSync(file, 'utf8'), registriesEntry('localhost:5001'));
});

test('a directory that cannot be written: the reason, and a command that writes the same entry', (t) => {
  const blocked = join(temp(t), 'a-file');
  writeFileSync(blocked, '');
  const address = parseLocalRegistry('localhost:5001');
  const placed = placeRegistriesEntry(address, blocked);
  t.like(placed, { file: join(blocked, 'jindr-localhost-5001.conf') });
  t.true('reason' in placed);
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  t.is(
    entryCommand(address, '/etc/containers/registries.conf.d/jindr-localhost-5001.conf'),
    `printf '[[registry]]\\nlocation = "localhost:5001"\\ninsecure = true\\n' | ${sudo}tee /etc/containers/registries.conf.d/jindr-localhost-5001.conf`,
  );
});

const podmanInfo = (rootless: boolean): Docker =>
  ({ info: async () => ({ SecurityOptions: rootless ? ['name=rootless'] : [] }) }) as unknown as Docker;

test('an engine on another machine: what to write where, nothing written here', async (t) => {
  const home = temp(t);
  const address = parseLocalRegistry('localhost:5001');
  const remote = { local: false, host: 'ssh://u@box', processEnv: { HOME: home } };
  t.is(
    await allowPlainHttpOnPodman({ ...remote, docker: podmanInfo(false) }, address),
    "Podman pushes to localhost:5001 only when its registries.conf allows plain HTTP there: on the engine's machine, write " +
      '/etc/containers/registries.conf.d/jindr-localhost-5001.conf with the lines [[registry]], location = "localhost:5001", insecure = true, then restart Podman\'s service',
  );
  t.regex(
    (await allowPlainHttpOnPodman({ ...remote, docker: podmanInfo(true) }, address)) ?? '',
    / write ~\/\.config\/containers\/registries\.conf\.d\/jindr-localhost-5001\.conf with /,
  );
});

test("rootless Podman on this machine: written into the user's directory, then nothing more to say", async (t) => {
  const home = temp(t);
  const address = parseLocalRegistry('localhost:5001');
  const engine = { docker: podmanInfo(true), local: true, host: `unix://${join(home, 'nobody.sock')}`, processEnv: { HOME: home } };
  const file = join(home, '.config/containers/registries.conf.d/jindr-localhost-5001.conf');
  t.is(
    await allowPlainHttpOnPodman(engine, address),
    `Podman may push to localhost:5001 over plain HTTP: wrote ${file}; Podman's service reads it when it starts (one already running needs a restart, or SIGHUP)`,
  );
  t.is(readFileSync(file, 'utf8'), registriesEntry('localhost:5001'));
  t.is(await allowPlainHttpOnPodman(engine, address), undefined, 'already there');
});
