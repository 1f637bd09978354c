// A container inspect of the wrong shape (an engine or a proxy in front of it sending
// something Docker's API never does) fails with one line naming the member, before
// describeContainer, gc or the security plan read it.
import test from 'ava';
import type Docker from 'dockerode';
import { ResourceError } from '../../src/errors.ts';
import { describeContainer } from '../../src/server/container.ts';
import { registryDetails } from '../fakes/engine.ts';

const good = (): Record<string, unknown> =>
  registryDetails({
    image: 'registry:3',
    env: ['A=1'],
    mounts: [{ Type: 'bind', Source: '/srv', Destination: '/var/lib/registry', RW: true }],
  });
const describe = (details: unknown) => describeContainer(details as Docker.ContainerInspectInfo);

test("the fake engine's inspect data (what Docker sends) is described as before", (t) => {
  t.like(describe(good()), { name: 'jindr-5001', running: true, registry: 'localhost:5001', storage: { kind: 'bind', path: '/srv' } });
});

const broken: [string, (d: Record<string, any>) => void, string][] = [
  ['no State', (d) => delete d.State, 'State: missing, expected a JSON object'],
  ['Running as a string', (d) => (d.State.Running = 'true'), 'State.Running: not true or false but a string'],
  ['no Config', (d) => delete d.Config, 'Config: missing, expected a JSON object'],
  [
    'a label that is a number',
    (d) => (d.Config.Labels = { 'jindr.registry': 5001 }),
    'Config.Labels["jindr.registry"]: not a string but a number',
  ],
  ['Env as one string', (d) => (d.Config.Env = 'A=1'), 'Config.Env: not an array but a string'],
  ['Mounts null', (d) => (d.Mounts = null), 'Mounts: not an array but null'],
  [
    'a mount without a destination',
    (d) => (d.Mounts = [{ Type: 'bind', Source: '/srv' }]),
    'Mounts[0].Destination: missing, expected a string',
  ],
  [
    'a published port that is an object',
    (d) => (d.NetworkSettings.Ports = { '5000/tcp': { HostPort: '5001' } }),
    'NetworkSettings.Ports["5000/tcp"]: not an array but an object',
  ],
  [
    'a host port that is a number',
    (d) => (d.HostConfig.PortBindings = { '5000/tcp': [{ HostIp: '', HostPort: 5001 }] }),
    'HostConfig.PortBindings["5000/tcp"][0].HostPort: not a string but a number',
  ],
  ['an array for the whole answer', () => undefined, 'not a JSON object but an array'],
];
for (const [what, breakIt, problem] of broken) {
  test(`inspect data with ${what}: a ResourceError naming the container and the member`, (t) => {
    const details = good();
    breakIt(details);
    const err = t.throws(() => describe(what.startsWith('an array') ? [details] : details), { instanceOf: ResourceError });
    const name = what.startsWith('an array') ? 'a container' : 'container jindr-5001';
    t.is(err.message, `the engine sent malformed details of ${name}: ${problem}`);
  });
}

test('members Docker leaves null when empty are fine: no labels, no env, no published ports', (t) => {
  const details = good();
  (details.Config as Record<string, unknown>).Labels = null;
  (details.Config as Record<string, unknown>).Env = null;
  (details.NetworkSettings as Record<string, unknown>).Ports = { '5000/tcp': null };
  t.like(describe(details), { managed: false, running: true });
});
