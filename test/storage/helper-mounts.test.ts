// gc's helper container gets the registry's mounts explicitly (Podman < 4.7 refuses
// --volumes-from of a container that bind-mounts a path its image declares as VOLUME),
// except a mirror's login file: its configuration without the login instead.
import test from 'ava';
import type Docker from 'dockerode';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeContainer } from '../../src/server/container.ts';
import { helperContainerOptions, helperMounts } from '../../src/storage/helper-mounts.ts';

type Mounts = Docker.ContainerInspectInfo['Mounts'];

test('binds and volumes, named and anonymous, read-only as the registry has them', (t) => {
  const mounts: Mounts = [
    { Type: 'bind', Source: '/home/u/.jindr', Destination: '/var/lib/registry', Mode: '', RW: true, Propagation: 'rprivate' },
    { Type: 'bind', Source: '/home/u/.jindr/mirrors/docker.io/config.yml', Destination: '/etc/distribution/config.yml', Mode: 'ro', RW: false, Propagation: 'rprivate' },
    { Type: 'volume', Name: 'f00d', Source: '/var/lib/docker/volumes/f00d/_data', Destination: '/data', Driver: 'local', Mode: '', RW: true, Propagation: '' },
  ];
  t.deepEqual(helperMounts({ Mounts: mounts }), [
    { Type: 'bind', Source: '/home/u/.jindr', Target: '/var/lib/registry', ReadOnly: false },
    { Type: 'bind', Source: '/home/u/.jindr/mirrors/docker.io/config.yml', Target: '/etc/distribution/config.yml', ReadOnly: true },
    { Type: 'volume', Source: 'f00d', Target: '/data', ReadOnly: false },
  ]);
});

test('what a second container cannot share is left out; none gives none', (t) => {
  const mounts = [
    { Type: 'tmpfs', Source: '', Destination: '/tmp', Mode: '', RW: true, Propagation: '' },
    { Type: 'volume', Source: '', Destination: '/nameless', Mode: '', RW: true, Propagation: '' },
  ] as Mounts;
  t.deepEqual(helperMounts({ Mounts: mounts }), []);
  t.deepEqual(helperMounts({ Mounts: [] }), []);
});

test('a bind named in replace comes from the other host path, or is left out (null)', (t) => {
  const mounts: Mounts = [
    { Type: 'bind', Source: '/home/u/.jindr/mirrors/docker.io/data', Destination: '/var/lib/registry', Mode: '', RW: true, Propagation: 'rprivate' },
    { Type: 'bind', Source: '/home/u/.config/docker-jindr/mirrors/docker.io-0123.yml', Destination: '/etc/jindr/mirror.yml', Mode: 'ro', RW: false, Propagation: 'rprivate' },
  ];
  t.deepEqual(helperMounts({ Mounts: mounts }, { '/etc/jindr/mirror.yml': '/home/u/.jindr/mirrors/docker.io/config.yml' }), [
    { Type: 'bind', Source: '/home/u/.jindr/mirrors/docker.io/data', Target: '/var/lib/registry', ReadOnly: false },
    { Type: 'bind', Source: '/home/u/.jindr/mirrors/docker.io/config.yml', Target: '/etc/jindr/mirror.yml', ReadOnly: true },
  ]);
  t.deepEqual(helperMounts({ Mounts: mounts }, { '/etc/jindr/mirror.yml': null }), [
    { Type: 'bind', Source: '/home/u/.jindr/mirrors/docker.io/data', Target: '/var/lib/registry', ReadOnly: false },
  ]);
});

test("a mirror's helper gets its configuration without the login, written again when it went missing; never the login file", (t) => {
  const root = mkdtempSync(join(tmpdir(), 'jindr-helper-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'data', 'mirrors', 'docker.io');
  const secret = join(root, 'cfg', 'docker-jindr', 'mirrors', 'docker.io-0123.yml');
  const registry = describeContainer({
    Id: 'abc', Name: '/jindr-mirror-docker.io', Created: '2026-01-01T00:00:00Z', Image: 'sha256:feed',
    State: { Status: 'running', Running: true },
    Config: { Image: 'registry:3', Cmd: ['/etc/jindr/mirror.yml'], Entrypoint: ['/entrypoint.sh'], Labels: { 'jindr.registry': 'localhost:5002', 'jindr.mirror': 'https://registry-1.docker.io' }, Env: ['A=b'] },
    HostConfig: { PortBindings: {} },
    NetworkSettings: { Ports: {} },
    Mounts: [
      { Type: 'bind', Source: join(dir, 'data'), Destination: '/var/lib/registry', Mode: '', RW: true, Propagation: '' },
      { Type: 'bind', Source: secret, Destination: '/etc/jindr/mirror.yml', Mode: 'ro', RW: false, Propagation: '' },
    ],
  } as unknown as Docker.ContainerInspectInfo);
  const options = helperContainerOptions(registry, 'jindr-mirror-docker.io-gc-1');
  t.like(options, { name: 'jindr-mirror-docker.io-gc-1', Image: 'sha256:feed', Env: ['A=b'], Labels: { 'jindr.gc-for': 'jindr-mirror-docker.io' }, HostConfig: { NetworkMode: 'none' } });
  t.deepEqual(options.HostConfig?.Mounts, [
    { Type: 'bind', Source: join(dir, 'data'), Target: '/var/lib/registry', ReadOnly: false },
    { Type: 'bind', Source: secret.replace(/\.yml$/, '.no-login.yml'), Target: '/etc/jindr/mirror.yml', ReadOnly: true },
  ]);
  const written = readFileSync(secret.replace(/\.yml$/, '.no-login.yml'), 'utf8');
  t.regex(written, /remoteurl: "https:\/\/registry-1\.docker\.io"/);
  t.notRegex(written, /username|password/);
  t.false(JSON.stringify(options).includes(secret));
});
