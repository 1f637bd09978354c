// gc's helper container gets the registry's mounts explicitly (Podman < 4.7 refuses
// --volumes-from of a container that bind-mounts a path its image declares as VOLUME).
import test from 'ava';
import type Docker from 'dockerode';
import { helperMounts } from '../../src/storage/helper-mounts.ts';

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
