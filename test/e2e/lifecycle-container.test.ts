// The container operations garbage collection builds on, against real registry containers:
// find, config path, exec, stop/start/restart, re-create read-only and back; both images.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { e2e, freePort, registryImages } from '../helpers/engine.ts';
import { docker } from '../helpers/run.ts';
import { connectEngine, type Engine } from '../../src/engine/engine.ts';
import { CONFIG_PATH_V2, CONFIG_PATH_V3, findRegistryContainer } from '../../src/server/container.ts';
import {
  restartRegistryContainer,
  startRegistryContainer,
  stopRegistryContainer,
  waitUntilServing,
} from '../../src/server/container-control.ts';
import { execInContainer } from '../../src/server/container-exec.ts';
import { restartRegistryWithEnv } from '../../src/server/container-recreate.ts';
import { startRegistry } from '../../src/server/lifecycle.ts';
import { parseLocalRegistry } from '../../src/server/address.ts';
import { checkNameFree } from '../../src/server/prestart-checks.ts';
import { ResourceError } from '../../src/errors.ts';

let engine: Engine | undefined;
async function getEngine(): Promise<Engine> {
  const env = { ...process.env };
  delete env.DOCKER_HOST;
  delete env.DOCKER_CONTEXT;
  return (engine ??= await connectEngine({ debug: false, tls: false, tlsVerify: false }, env, new AbortController().signal));
}

async function started(t: ExecutionContext, image: string) {
  const { docker: d, local } = await getEngine();
  const port = await freePort();
  const address = parseLocalRegistry(`localhost:${port}`);
  const data = mkdtempSync(join(tmpdir(), 'jindr-container-'));
  t.teardown(async () => {
    const ids = (await docker(['ps', '-aq', '--filter', `label=jindr.registry=${address.registry}`])).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await docker(['rm', '-f', '-v', ...ids]);
    rmSync(data, { recursive: true, force: true });
  });
  const progress = { write: () => true };
  const result = await startRegistry(
    { docker: d, local, kind: 'docker', progress, signal: new AbortController().signal },
    { address, dataDir: data, defaultDataDir: data, name: undefined, image },
  );
  t.is(result.outcome, 'created');
  return { d, local, address, data, port };
}

/** Status of starting a blob upload: 202 when writable, 405 in read-only mode. */
async function uploadStatus(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/v2/jtest/blobs/uploads/`, { method: 'POST' });
  await response.body?.cancel();
  return response.status;
}

for (const image of registryImages) {
  e2e(`${image}: find it, exec its config file, stop/start/restart`, async (t) => {
    const { d, local, address, data } = await started(t, image);
    const c = await findRegistryContainer(d, address.registry);
    t.truthy(c);
    t.like(c, { name: `jindr-${address.port}`, running: true, managed: true, image, registry: address.registry });
    t.deepEqual(c!.storage, { kind: 'bind', path: data });
    t.is(c!.configPath, image === 'registry:2' ? CONFIG_PATH_V2 : CONFIG_PATH_V3);

    const config = await execInContainer(d, c!, ['cat', c!.configPath]);
    t.is(config.exitCode, 0);
    t.regex(config.stdout.toString(), /rootdirectory: \/var\/lib\/registry/);
    const failing = await execInContainer(d, c!, ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    t.deepEqual({ ...failing, stdout: failing.stdout.toString() }, { exitCode: 3, stdout: 'out\n', stderr: 'err\n' });

    await stopRegistryContainer(d, c!);
    await stopRegistryContainer(d, c!); // already stopped: fine
    t.false((await findRegistryContainer(d, address))!.running);
    await startRegistryContainer(d, c!);
    await startRegistryContainer(d, c!); // already running: fine
    await waitUntilServing(d, c!, { local });
    await restartRegistryContainer(d, c!);
    t.true((await waitUntilServing(d, c!, { local })).running);
  });

  e2e(`${image}: re-created read-only with extra env, then back exactly as it was`, async (t) => {
    const { d, local, address, data, port } = await started(t, image);
    const before = (await findRegistryContainer(d, address))!;
    t.is(await uploadStatus(port), 202);
    const filesBefore = readdirSync(data, { recursive: true }).length;

    const readOnly = await restartRegistryWithEnv(d, before, { REGISTRY_STORAGE_MAINTENANCE_READONLY: '{"enabled":true}' });
    await waitUntilServing(d, readOnly.container, { local });
    t.not(readOnly.container.id, before.id);
    t.like(readOnly.container, { name: before.name, registry: before.registry, managed: true, running: true });
    t.deepEqual(readOnly.container.bindings, before.bindings);
    t.deepEqual(readOnly.container.storage, before.storage);
    t.deepEqual(readOnly.container.details.Config.Labels, before.details.Config.Labels);
    t.true(readOnly.container.details.Config.Env.includes('REGISTRY_STORAGE_MAINTENANCE_READONLY={"enabled":true}'));
    t.is(await uploadStatus(port), 405);

    const back = await readOnly.restore();
    await waitUntilServing(d, back, { local });
    t.deepEqual(back.details.Config.Env, before.details.Config.Env);
    t.deepEqual(back.details.HostConfig.PortBindings, before.details.HostConfig.PortBindings);
    t.deepEqual(back.details.HostConfig.RestartPolicy, before.details.HostConfig.RestartPolicy);
    t.is(await uploadStatus(port), 202);
    t.true(existsSync(data));
    t.true(readdirSync(data, { recursive: true }).length >= filesBefore);
    // Only one container serves the address afterwards: the parked old ones are gone.
    const all = (await docker(['ps', '-aq', '--filter', `label=jindr.registry=${address.registry}`])).stdout.split('\n').filter(Boolean);
    t.is(all.length, 1);
  });
}

e2e('a plain registry with an anonymous volume keeps its data across a re-create', async (t) => {
  const { docker: d, local } = await getEngine();
  const port = await freePort();
  const name = `jindr-plain-${port}`;
  let volume: string | undefined;
  t.teardown(async () => {
    await docker(['rm', '-f', '-v', name]);
    // After the re-create the volume is named in the container's binds, so rm -v keeps it.
    if (volume) await docker(['volume', 'rm', volume]);
  });
  const run = await docker(['run', '-d', '--name', name, '-p', `127.0.0.1:${port}:5000`, 'registry:2']);
  t.is(run.code, 0, run.stderr);
  const c = (await findRegistryContainer(d, `localhost:${port}`))!;
  t.is(c.storage.kind, 'volume');
  if (c.storage.kind === 'volume') volume = c.storage.name;
  await waitUntilServing(d, c, { local });
  t.is((await execInContainer(d, c, ['sh', '-c', 'echo kept > /var/lib/registry/marker'])).exitCode, 0);
  const changed = await restartRegistryWithEnv(d, c, { JINDR_TEST: '1' });
  t.deepEqual(changed.container.storage, c.storage);
  const marker = await execInContainer(d, changed.container, ['cat', '/var/lib/registry/marker']);
  t.is(marker.stdout.toString(), 'kept\n');
  const back = await changed.restore();
  t.false(back.details.Config.Env.includes('JINDR_TEST=1'));
  t.is((await execInContainer(d, back, ['cat', '/var/lib/registry/marker'])).stdout.toString(), 'kept\n');
});

e2e('checkNameFree: a name no container has passes; a taken one is a ResourceError ending with the remedy given', async (t) => {
  const { docker: d } = await getEngine();
  const name = `jindr-name-${randomBytes(4).toString('hex')}`;
  await checkNameFree(d, name, 'unused');
  t.is((await docker(['create', '--name', name, 'registry:2'])).code, 0);
  t.teardown(async () => void (await docker(['rm', '-f', '-v', name])));
  const err = await t.throwsAsync(checkNameFree(d, name, 'choose another with -n NAME'), { instanceOf: ResourceError });
  t.is(err.message, `the container name ${name} is taken by another container: choose another with -n NAME`);
});
