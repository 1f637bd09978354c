// start and the registry image's name: the name given is kept on the container (Podman
// reports localhost/registry:2 for registry:2) and compared in normalised form, so the same
// image named another way is not a change that re-creates a stopped container.
import test from 'ava';
import type Docker from 'dockerode';
import { describeContainer, LABEL_IMAGE } from '../../src/server/container.ts';
import { registryContainerOptions, startRegistry } from '../../src/server/lifecycle.ts';
import { parseLocalRegistry } from '../../src/server/address.ts';
import type { EngineKind } from '../../src/engine/identity.ts';
import { registryDetails } from '../fakes/engine.ts';

test('start labels its container with the image as given; that is the name shown', (t) => {
  const options = registryContainerOptions(parseLocalRegistry('localhost:5001'), 'jindr-5001', 'registry:2', '/d');
  t.is(options.Labels?.[LABEL_IMAGE], 'registry:2');
  const details = registryDetails({ image: 'registry:2' });
  // As Podman answers for a container created from registry:2 loaded with `podman load`.
  const podmanDetails = {
    ...details,
    Config: { ...details.Config, Image: 'localhost/registry:2', Labels: { ...details.Config.Labels, [LABEL_IMAGE]: 'registry:2' } },
  };
  t.is(describeContainer(podmanDetails as unknown as Docker.ContainerInspectInfo).image, 'registry:2');
  t.is(
    describeContainer({
      ...podmanDetails,
      Config: { ...podmanDetails.Config, Labels: details.Config.Labels },
    } as unknown as Docker.ContainerInspectInfo).image,
    'localhost/registry:2',
    'no label: what the engine says',
  );
});

/** A stopped container of ours created (before the label existed) from registry:2, as Podman describes it. */
function stoppedOnPodman() {
  const calls: string[] = [];
  const base = registryDetails({ image: 'registry:2' });
  let running = false;
  const details = () => ({
    ...base,
    Config: { ...base.Config, Image: 'localhost/registry:2' },
    State: { Status: running ? 'running' : 'exited', Running: running },
  });
  const docker = {
    listContainers: async () => [],
    getContainer: () => ({
      inspect: async () => details(),
      start: async () => {
        calls.push('start');
        running = true;
      },
      remove: async () => void calls.push('remove'),
    }),
    getImage: () => ({ inspect: async () => ({}) }),
    createContainer: async () => {
      calls.push('create');
      throw new Error('not expected here');
    },
  } as unknown as Docker;
  return { docker, calls, existing: describeContainer(details() as unknown as Docker.ContainerInspectInfo) };
}

async function upWithImage(kind: EngineKind, image: string) {
  const { docker, calls, existing } = stoppedOnPodman();
  const env = { docker, local: false, kind, progress: { write: () => true }, signal: new AbortController().signal };
  const options = { address: parseLocalRegistry('localhost:5001'), dataDir: undefined, defaultDataDir: '/d', name: undefined, image };
  const result = await startRegistry(env, options, { existing }).catch((err: unknown) => err as Error);
  return { result, calls };
}

test('up --image registry:2 on Podman starts the stopped container it names localhost/registry:2', async (t) => {
  for (const image of ['registry:2', 'docker.io/library/registry:2', 'localhost/registry:2']) {
    const { result, calls } = await upWithImage('podman', image);
    t.like(result, { outcome: 'started', ignored: [] }, image);
    t.deepEqual(calls, ['start'], image);
  }
});

test('another image is a change: the container is re-created (here: the fake refuses to create)', async (t) => {
  const { result, calls } = await upWithImage('podman', 'registry:3');
  t.true(result instanceof Error);
  t.deepEqual(calls, ['remove', 'create']);
  const docker = await upWithImage('docker', 'registry:2');
  t.deepEqual(docker.calls, ['remove', 'create'], 'on Docker, localhost/registry:2 is another image');
});
