// gc's helper container gets the registry's mounts explicitly (Podman < 4.7 refuses
// --volumes-from of a container that bind-mounts a path its image declares as VOLUME),
// except a mirror's login file: its configuration without the login instead.
import test from 'ava';
import type Docker from 'dockerode';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeContainer } from '../../src/server/container.ts';
import { helperContainerOptions, helperMounts, storageOnly } from '../../src/gc/helper-mounts.ts';

type Mounts = Docker.ContainerInspectInfo['Mounts'];

test('binds and volumes, named and anonymous, read-only as the registry has them', (t) => {
  const mounts: Mounts = [
    { Type: 'bind', Source: '/home/u/.jindr', Destination: '/var/lib/registry', Mode: '', RW: true, Propagation: 'rprivate' },
    {
      Type: 'bind',
      Source: '/home/u/.jindr/mirrors/docker.io/config.yml',
      Destination: '/etc/distribution/config.yml',
      Mode: 'ro',
      RW: false,
      Propagation: 'rprivate',
    },
    {
      Type: 'volume',
      Name: 'f00d',
      Source: '/var/lib/docker/volumes/f00d/_data',
      Destination: '/data',
      Driver: 'local',
      Mode: '',
      RW: true,
      Propagation: '',
    },
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
    {
      Type: 'bind',
      Source: '/home/u/.jindr/mirrors/docker.io/data',
      Destination: '/var/lib/registry',
      Mode: '',
      RW: true,
      Propagation: 'rprivate',
    },
    {
      Type: 'bind',
      Source: '/home/u/.config/docker-jindr/mirrors/docker.io-0123.yml',
      Destination: '/etc/jindr/mirror.yml',
      Mode: 'ro',
      RW: false,
      Propagation: 'rprivate',
    },
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
    Id: 'abc',
    Name: '/jindr-mirror-docker.io',
    Created: '2026-01-01T00:00:00Z',
    Image: 'sha256:feed',
    State: { Status: 'running', Running: true },
    Config: {
      Image: 'registry:3',
      Cmd: ['/etc/jindr/mirror.yml'],
      Entrypoint: ['/entrypoint.sh'],
      Labels: { 'jindr.registry': 'localhost:5002', 'jindr.mirror': 'https://registry-1.docker.io' },
      Env: ['A=b'],
    },
    HostConfig: { PortBindings: {} },
    NetworkSettings: { Ports: {} },
    Mounts: [
      { Type: 'bind', Source: join(dir, 'data'), Destination: '/var/lib/registry', Mode: '', RW: true, Propagation: '' },
      { Type: 'bind', Source: secret, Destination: '/etc/jindr/mirror.yml', Mode: 'ro', RW: false, Propagation: '' },
    ],
  } as unknown as Docker.ContainerInspectInfo);
  const options = helperContainerOptions(registry, 'jindr-mirror-docker.io-gc-1', '/var/lib/registry');
  t.like(options, {
    name: 'jindr-mirror-docker.io-gc-1',
    Image: 'sha256:feed',
    Env: ['A=b'],
    Labels: { 'jindr.gc-for': 'jindr-mirror-docker.io' },
    // No network at all: not even dockerd's network setup hook runs for it (a cheaper start).
    NetworkDisabled: true,
    HostConfig: { NetworkMode: 'none' },
  });
  t.deepEqual(options.HostConfig?.Mounts, [
    { Type: 'bind', Source: secret.replace(/\.yml$/, '.no-login.yml'), Target: '/etc/jindr/mirror.yml', ReadOnly: true },
    { Type: 'tmpfs', Source: '', Target: '/var/lib/registry' },
  ]);
  t.deepEqual(options.HostConfig?.Binds, [`${join(dir, 'data', 'docker')}:/var/lib/registry/docker`]);
  const written = readFileSync(secret.replace(/\.yml$/, '.no-login.yml'), 'utf8');
  t.regex(written, /remoteurl: "https:\/\/registry-1\.docker\.io"/);
  t.notRegex(written, /username|password/);
  t.false(JSON.stringify(options).includes(secret));
});

test("a registry's helper sees its data directory's storage tree only: not auth/htpasswd, not tls/, not mirrors/", (t) => {
  const registry = describeContainer({
    Id: 'abc',
    Name: '/jindr-5001',
    Created: '2026-01-01T00:00:00Z',
    Image: 'sha256:feed',
    State: { Status: 'exited', Running: false },
    Config: {
      Image: 'registry:3',
      Cmd: ['/etc/distribution/config.yml'],
      Entrypoint: ['/entrypoint.sh'],
      Labels: { 'jindr.registry': 'localhost:5001' },
      Env: ['REGISTRY_AUTH_HTPASSWD_PATH=/var/lib/registry/auth/htpasswd', 'REGISTRY_HTTP_TLS_KEY=/var/lib/registry/tls/server.key'],
    },
    HostConfig: { PortBindings: {} },
    NetworkSettings: { Ports: {} },
    Mounts: [{ Type: 'bind', Source: '/home/u/.jindr', Destination: '/var/lib/registry', Mode: '', RW: true, Propagation: 'rprivate' }],
  } as unknown as Docker.ContainerInspectInfo);
  const options = helperContainerOptions(registry, 'jindr-5001-gc-1', '/var/lib/registry');
  t.deepEqual(options.HostConfig?.Mounts, [{ Type: 'tmpfs', Source: '', Target: '/var/lib/registry' }]);
  t.deepEqual(options.HostConfig?.Binds, ['/home/u/.jindr/docker:/var/lib/registry/docker']);
  t.false(JSON.stringify(options.HostConfig).includes('"/home/u/.jindr"'));
});

const bind = (Source: string, Target: string, ReadOnly = false): Docker.MountSettings => ({ Type: 'bind', Source, Target, ReadOnly });

test('storageOnly: the bind holding the root narrowed to ROOT/docker, as a Binds entry, read-only kept; the rest of it left out', (t) => {
  // A root set deeper in the bind (env or config), read-only storage, a mount inside the bind outside the storage.
  t.deepEqual(
    storageOnly(
      [bind('/srv/reg', '/data', true), bind('/srv/secret', '/data/auth'), bind('/etc/x.yml', '/etc/x.yml', true)],
      '/data/store',
      '/etc/x.yml',
    ),
    {
      mounts: [bind('/etc/x.yml', '/etc/x.yml', true), { Type: 'tmpfs', Source: '', Target: '/data' }],
      binds: ['/srv/reg/store/docker:/data/store/docker:ro'],
    },
  );
  // The deepest mount holding the root counts; a mount inside the storage tree stays.
  t.deepEqual(
    storageOnly(
      [bind('/a', '/var/lib'), bind('/b', '/var/lib/registry'), bind('/c', '/var/lib/registry/docker/registry/v2/blobs')],
      '/var/lib/registry',
      '/etc/config.yml',
    ),
    {
      mounts: [
        bind('/a', '/var/lib'),
        bind('/c', '/var/lib/registry/docker/registry/v2/blobs'),
        { Type: 'tmpfs', Source: '', Target: '/var/lib/registry' },
      ],
      binds: ['/b/docker:/var/lib/registry/docker'],
    },
  );
});

test('storageOnly: a configuration kept in the bind comes alone, read-only; a colon goes to Mounts; a volume stays whole; no mount, nothing changed', (t) => {
  t.deepEqual(storageOnly([bind('/srv/reg', '/var/lib/registry')], '/var/lib/registry', '/var/lib/registry/config.yml'), {
    mounts: [{ Type: 'tmpfs', Source: '', Target: '/var/lib/registry' }, bind('/srv/reg/config.yml', '/var/lib/registry/config.yml', true)],
    binds: ['/srv/reg/docker:/var/lib/registry/docker'],
  });
  t.deepEqual(storageOnly([bind('/srv/a:b', '/var/lib/registry')], '/var/lib/registry', '/etc/c.yml'), {
    mounts: [{ Type: 'tmpfs', Source: '', Target: '/var/lib/registry' }, bind('/srv/a:b/docker', '/var/lib/registry/docker')],
    binds: [],
  });
  const volume: Docker.MountSettings = { Type: 'volume', Source: 'f00d', Target: '/var/lib/registry', ReadOnly: false };
  t.deepEqual(storageOnly([volume], '/var/lib/registry', '/etc/c.yml'), { mounts: [volume], binds: [] });
  t.deepEqual(storageOnly([bind('/x', '/elsewhere')], '/var/lib/registry', '/etc/c.yml'), {
    mounts: [bind('/x', '/elsewhere')],
    binds: [],
  });
});
