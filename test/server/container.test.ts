// The registry container's plain parts: which config file, which images are registries,
// and how an inspected container is described.
import test from 'ava';
import type Docker from 'dockerode';
import {
  CONFIG_PATH_V2,
  CONFIG_PATH_V3,
  describeContainer,
  imageLooksLikeRegistry,
  pickRegistryContainer,
  registryConfigPath,
} from '../../src/server/container.ts';
import { registryContainerOptions, defaultContainerName } from '../../src/server/lifecycle.ts';
import { parseLocalRegistry } from '../../src/server/address.ts';

const configPaths: [string, string[], string[], string][] = [
  ['registry:3', ['/etc/distribution/config.yml'], ['/entrypoint.sh'], CONFIG_PATH_V3],
  ['registry:2', ['/etc/docker/registry/config.yml'], ['/entrypoint.sh'], CONFIG_PATH_V2],
  ['registry:2', ['/custom/config.yaml'], [], '/custom/config.yaml'],
  ['registry:2', [], [], CONFIG_PATH_V2],
  ['registry:2.8.3', [], [], CONFIG_PATH_V2],
  ['docker.io/library/registry:2', [], [], CONFIG_PATH_V2],
  ['registry:3', [], [], CONFIG_PATH_V3],
  ['registry:3.0.0', [], [], CONFIG_PATH_V3],
  ['registry', [], [], CONFIG_PATH_V3],
  ['localhost:5000/registry:2@sha256:abc', [], [], CONFIG_PATH_V2],
  ['registry:20', [], [], CONFIG_PATH_V3],
  ['my/registry:2', ['serve', '/etc/docker/registry/config.yml'], ['registry'], CONFIG_PATH_V2],
];
for (const [image, cmd, entrypoint, expected] of configPaths) {
  test(`config path of ${image} ${[...entrypoint, ...cmd].join(' ')}`, (t) => {
    t.is(registryConfigPath(image, cmd, entrypoint), expected);
  });
}

test('registry images by name', (t) => {
  for (const yes of [
    'registry',
    'registry:2',
    'registry:3',
    'docker.io/library/registry:2',
    'localhost:5000/registry',
    'ghcr.io/distribution/distribution:3.0.0',
    'registry@sha256:00',
  ]) {
    t.true(imageLooksLikeRegistry(yes), yes);
  }
  for (const no of ['nginx', 'registry-ui:1', 'localhost:5000/app', 'myregistry:1', 'registry/other:1']) {
    t.false(imageLooksLikeRegistry(no), no);
  }
});

function inspected(over: {
  running?: boolean;
  labels?: Record<string, string>;
  mounts?: Docker.ContainerInspectInfo['Mounts'];
  bindings?: { HostIp: string; HostPort: string }[];
  image?: string;
  network?: string;
  env?: string[];
}): Docker.ContainerInspectInfo {
  const running = over.running ?? true;
  const bindings = over.bindings ?? [{ HostIp: '127.0.0.1', HostPort: '5001' }];
  return {
    Id: 'abc',
    Name: '/jindr-5001',
    Created: '2026-01-01T00:00:00Z',
    State: { Status: running ? 'running' : 'exited', Running: running },
    Config: {
      Image: over.image ?? 'registry:2',
      Cmd: ['/etc/docker/registry/config.yml'],
      Entrypoint: ['/entrypoint.sh'],
      Labels: over.labels ?? {},
      Env: over.env ?? [],
      Tty: false,
    },
    HostConfig: { NetworkMode: over.network ?? 'bridge', PortBindings: { '5000/tcp': bindings } },
    NetworkSettings: { Ports: running ? { '5000/tcp': bindings } : {} },
    Mounts: over.mounts ?? [],
  } as unknown as Docker.ContainerInspectInfo;
}

test('describeContainer: ours, with a bind mount', (t) => {
  const c = describeContainer(
    inspected({
      labels: { 'jindr.registry': 'localhost:5001', 'jindr.data': '/d' },
      mounts: [{ Type: 'bind', Source: '/d', Destination: '/var/lib/registry', Mode: '', RW: true, Propagation: 'rprivate' }],
    }),
  );
  t.like(c, {
    id: 'abc',
    name: 'jindr-5001',
    image: 'registry:2',
    running: true,
    registry: 'localhost:5001',
    managed: true,
    configPath: CONFIG_PATH_V2,
  });
  t.deepEqual(c.storage, { kind: 'bind', path: '/d' });
  t.deepEqual(c.bindings, [{ hostIp: '127.0.0.1', port: 5001 }]);
});

test('describeContainer: a plain stopped registry with an anonymous volume, published on all addresses', (t) => {
  const c = describeContainer(
    inspected({
      running: false,
      bindings: [{ HostIp: '', HostPort: '6000' }],
      mounts: [
        {
          Type: 'volume',
          Name: 'v123',
          Source: '/var/lib/docker/volumes/v123/_data',
          Destination: '/var/lib/registry',
          Mode: '',
          RW: true,
          Propagation: '',
        },
      ],
    }),
  );
  t.like(c, { running: false, state: 'exited', registry: 'localhost:6000', managed: false });
  t.deepEqual(c.storage, { kind: 'volume', name: 'v123' });
  t.deepEqual(describeContainer(inspected({ bindings: [] })).registry, undefined);
  t.deepEqual(describeContainer(inspected({})).storage, { kind: 'container' });
});

test("describeContainer: a registry on the host's network is where it listens (REGISTRY_HTTP_ADDR, else :5000)", (t) => {
  const onHost = (env: string[]) => describeContainer(inspected({ network: 'host', bindings: [], env }));
  t.like(onHost(['REGISTRY_HTTP_ADDR=127.0.0.1:5003']), { registry: 'localhost:5003', bindings: [{ hostIp: '127.0.0.1', port: 5003 }] });
  t.like(onHost(['REGISTRY_HTTP_ADDR=localhost:5004']), { registry: 'localhost:5004', bindings: [{ hostIp: '127.0.0.1', port: 5004 }] });
  t.like(onHost([]), { registry: 'localhost:5000', bindings: [{ hostIp: '', port: 5000 }] });
  t.like(onHost(['REGISTRY_HTTP_ADDR=[::1]:5005']), { registry: '[::1]:5005', bindings: [{ hostIp: '::1', port: 5005 }] });
  t.like(onHost(['REGISTRY_HTTP_ADDR=:5000', 'REGISTRY_HTTP_ADDR=10.0.0.9:5006']), { registry: '10.0.0.9:5006' });
  for (const odd of ['/run/registry.sock', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:99999', 'a:b:5000'])
    t.deepEqual(onHost([`REGISTRY_HTTP_ADDR=${odd}`]).bindings, [], odd);
  // Found for -r as a published one is; one on a bridge is still found by its published port only.
  t.is(pickRegistryContainer([onHost(['REGISTRY_HTTP_ADDR=127.0.0.1:5003'])], 'localhost:5003')?.id, 'abc');
  t.is(pickRegistryContainer([describeContainer(inspected({ env: ['REGISTRY_HTTP_ADDR=127.0.0.1:5003'] }))], 'localhost:5003'), undefined);
});

test('the container start creates: loopback only, labelled, deletes on, data bind-mounted', (t) => {
  const options = registryContainerOptions(parseLocalRegistry('localhost:5009'), defaultContainerName(5009), 'registry:3', '/data/dir');
  t.like(options, {
    name: 'jindr-5009',
    Image: 'registry:3',
    Env: ['REGISTRY_STORAGE_DELETE_ENABLED=true'],
    Labels: { 'jindr.registry': 'localhost:5009', 'jindr.data': '/data/dir' },
  });
  t.deepEqual(options.HostConfig?.PortBindings, { '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: '5009' }] });
  t.deepEqual(options.HostConfig?.Binds, ['/data/dir:/var/lib/registry']);
});
