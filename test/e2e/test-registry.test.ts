// The test registries themselves (test/helpers/engine.ts): on the host's network by default,
// listening on loopback only; on a bridge when asked; a port taken between freePort() and
// the registry's listen is retried on another port, never answered by someone else.
import type { ExecutionContext } from 'ava';
import { createServer, type Server } from 'node:http';
import { e2e, freePort, startTestRegistry, tryConnect, type TestRegistry } from '../helpers/engine.ts';
import { outsideAddress } from '../helpers/network.ts';
import { docker, dockerOk } from '../helpers/run.ts';

interface Inspected {
  HostConfig: { NetworkMode: string; PortBindings: Record<string, { HostIp: string; HostPort: string }[]> | null };
  Config: { Labels: Record<string, string> };
  Mounts: { Type: string; Name?: string; Destination: string }[];
}

const inspect = async (name: string): Promise<Inspected> => (JSON.parse(await dockerOk(['inspect', name])) as Inspected[])[0]!;

/** A plain HTTP server on 127.0.0.1:port answering 200 to everything: the worst squatter. */
async function squat(t: ExecutionContext, port: number): Promise<Server> {
  const server = createServer((_req, res) => res.end('{}'));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}

async function answersAsRegistry(r: TestRegistry): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${r.port}/v2/`);
  await res.body?.cancel();
  return res.headers.get('docker-distribution-api-version') === 'registry/2.0';
}

e2e('by default a test registry is on the host network, listens on 127.0.0.1 only, and goes with its volume', async (t) => {
  const r = await startTestRegistry();
  t.teardown(() => r.remove());
  const c = await inspect(r.name);
  t.is(c.HostConfig.NetworkMode, 'host');
  t.is(c.Config.Labels['jindr.test'], '1');
  t.true(await answersAsRegistry(r));
  const outside = outsideAddress();
  if (outside) t.not(await tryConnect(outside, r.port), 'connected', `${outside}:${r.port}`);
  const volume = c.Mounts.find((m) => m.Destination === '/var/lib/registry')?.Name;
  t.truthy(volume, JSON.stringify(c.Mounts));
  await r.remove();
  t.not((await docker(['inspect', r.name])).code, 0, 'container removed');
  t.not((await docker(['volume', 'inspect', volume!])).code, 0, 'its anonymous volume removed');
});

e2e('network bridge: port 5000 published on 127.0.0.1:PORT, as docker jindr finds a registry', async (t) => {
  const r = await startTestRegistry({ network: 'bridge' });
  t.teardown(() => r.remove());
  const c = await inspect(r.name);
  t.is(c.HostConfig.NetworkMode, 'bridge');
  t.deepEqual(c.HostConfig.PortBindings?.['5000/tcp'], [{ HostIp: '127.0.0.1', HostPort: String(r.port) }]);
  t.true(await answersAsRegistry(r));
});

for (const network of ['host', 'bridge']) {
  e2e(`${network}: a port taken by another server before the registry listens: started on another port`, async (t) => {
    const taken = await freePort();
    await squat(t, taken);
    const r = await startTestRegistry({ network, port: taken });
    t.teardown(() => r.remove());
    t.not(r.port, taken);
    t.is(r.host, `localhost:${r.port}`);
    t.true(await answersAsRegistry(r));
    t.is((await docker(['ps', '-aq', '--filter', `name=^jindr-test-${taken}-`])).stdout.trim(), '', 'the failed container removed');
  });
}
