// What a mirror container is made of: its directory, its login file, its configuration
// without the login, and whether its login still lies in the data directory (made before
// logins moved to the secrets directory).
import test from 'ava';
import type Docker from 'dockerode';
import { describeContainer } from '../../src/server/container.ts';
import { loginInDataDir, mirrorConfigFile, mirrorDir, mirrorGcConfig, withoutLoginFile } from '../../src/mirror/mirrors.ts';

function mirror(config: string | undefined, data = '/home/me/.jindr/mirrors/docker.io/data') {
  return describeContainer({
    Id: 'abc',
    Name: '/jindr-mirror-docker.io',
    Created: '2026-01-01T00:00:00Z',
    State: { Status: 'exited', Running: false },
    Config: {
      Image: 'registry:3',
      Cmd: ['/etc/jindr/mirror.yml'],
      Entrypoint: ['/entrypoint.sh'],
      Labels: { 'jindr.registry': 'localhost:5002', 'jindr.mirror': 'https://registry-1.docker.io' },
      Env: [],
    },
    HostConfig: { PortBindings: {} },
    NetworkSettings: { Ports: {} },
    Mounts: [
      { Type: 'bind', Source: data, Destination: '/var/lib/registry', Mode: '', RW: true, Propagation: '' },
      ...(config ? [{ Type: 'bind', Source: config, Destination: '/etc/jindr/mirror.yml', Mode: 'ro', RW: false, Propagation: '' }] : []),
    ],
  } as unknown as Docker.ContainerInspectInfo);
}

test('made now: the login among the secrets, the configuration without it beside the login, nothing in the data directory', (t) => {
  const c = mirror('/home/me/.config/docker-jindr/mirrors/docker.io-0123456789ab.yml');
  t.is(mirrorConfigFile(c), '/home/me/.config/docker-jindr/mirrors/docker.io-0123456789ab.yml');
  t.is(mirrorDir(c), '/home/me/.jindr/mirrors/docker.io');
  t.is(mirrorGcConfig(c), '/home/me/.config/docker-jindr/mirrors/docker.io-0123456789ab.no-login.yml');
  t.is(withoutLoginFile('/x/a.yml'), '/x/a.no-login.yml');
  t.false(loginInDataDir(c));
});

test('made before: the login in DATA/mirrors/NAME/config.yml, to be moved', (t) => {
  const c = mirror('/home/me/.jindr/mirrors/docker.io/config.yml');
  t.is(mirrorDir(c), '/home/me/.jindr/mirrors/docker.io');
  t.true(loginInDataDir(c));
  t.is(mirrorGcConfig(c), undefined, 'nothing beside it to use until it is moved');
});

test('not made by mirror start: no directory, nothing to move', (t) => {
  t.is(mirrorDir(mirror(undefined)), undefined);
  t.false(loginInDataDir(mirror(undefined)));
  const elsewhere = mirror('/etc/mine.yml', '/srv/cache');
  t.is(mirrorDir(elsewhere), undefined);
  t.false(loginInDataDir(elsewhere));
});
