// Which engine answers, from its /version (answers as Docker 20.10, Podman 4.3.1 and
// Docker Desktop send them), and what its /info says about where it runs.
import test from 'ava';
import type Docker from 'dockerode';
import { askEngineHost, identifyEngine } from '../../src/engine/identity.ts';

// Debian 12's podman system service, /v1.41/version (trimmed).
const podman = {
  Platform: { Name: 'linux/amd64/debian-12' },
  Components: [
    { Name: 'Podman Engine', Version: '4.3.1', Details: { APIVersion: '4.3.1', MinAPIVersion: '4.0.0', Os: 'linux' } },
    { Name: 'Conmon', Version: 'conmon version 2.1.6, commit: unknown', Details: {} },
  ],
  Version: '4.3.1',
  ApiVersion: '1.41',
  MinAPIVersion: '1.24',
  Os: 'linux',
  Arch: 'amd64',
};
// Debian 12's docker.io.
const docker2010 = {
  Platform: { Name: '' },
  Components: [
    { Name: 'Engine', Version: '20.10.24+dfsg1', Details: { ApiVersion: '1.41' } },
    { Name: 'containerd', Version: '1.6.20~ds1' },
  ],
  Version: '20.10.24+dfsg1',
  ApiVersion: '1.41',
};

test('Podman\'s engine is known by its "Podman Engine" component', (t) => {
  t.deepEqual(identifyEngine(podman), { kind: 'podman', name: 'Podman 4.3.1' });
  t.deepEqual(identifyEngine({ ...podman, Components: [{ Name: 'Podman Engine' }] }), { kind: 'podman', name: 'Podman 4.3.1' });
});

test("Docker's engine: its version, and the platform when it names one", (t) => {
  t.deepEqual(identifyEngine(docker2010), { kind: 'docker', name: 'Docker 20.10.24+dfsg1' });
  t.deepEqual(identifyEngine({ ...docker2010, Platform: { Name: 'Docker Engine - Community' }, Version: '28.0.1' }), {
    kind: 'docker',
    name: 'Docker Engine - Community 28.0.1',
  });
  t.deepEqual(identifyEngine({ ...docker2010, Platform: { Name: 'Docker Desktop 4.25.0 (126437)' }, Version: '24.0.6' }), {
    kind: 'docker',
    name: 'Docker Desktop 4.25.0 (126437), engine 24.0.6',
  });
});

test('an answer of another shape is a Docker engine of unknown version, not a crash', (t) => {
  for (const answer of [undefined, null, 'x', [], {}, { Components: 'Podman Engine', Version: 5 }, { Components: [null, 7] }]) {
    t.deepEqual(identifyEngine(answer), { kind: 'docker', name: 'Docker (version unknown)' }, JSON.stringify(answer));
  }
});

const withInfo = (info: () => Promise<unknown>): Docker => ({ info }) as unknown as Docker;

test('/info: rootless from its security options, Docker Desktop from its OperatingSystem or the context desktop-linux', async (t) => {
  t.deepEqual(
    await askEngineHost(
      withInfo(async () => ({ OperatingSystem: 'Debian GNU/Linux 12 (bookworm)', SecurityOptions: ['name=seccomp,profile=default'] })),
    ),
    { rootless: false, desktop: false },
  );
  t.deepEqual(
    await askEngineHost(
      withInfo(async () => ({ OperatingSystem: 'debian', SecurityOptions: ['name=seccomp,profile=default', 'name=rootless'] })),
    ),
    { rootless: true, desktop: false },
  );
  t.deepEqual(
    await askEngineHost(
      withInfo(async () => ({ OperatingSystem: 'Docker Desktop', SecurityOptions: ['name=seccomp,profile=unconfined', 'name=cgroupns'] })),
    ),
    { rootless: false, desktop: true },
  );
  t.deepEqual(
    await askEngineHost(
      withInfo(async () => Promise.reject(new Error('gone'))),
      'desktop-linux',
    ),
    { rootless: false, desktop: true },
  );
  t.deepEqual(await askEngineHost(withInfo(async () => ({ SecurityOptions: 'name=rootless', OperatingSystem: 5 }))), {
    rootless: false,
    desktop: false,
  });
});
