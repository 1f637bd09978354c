// Re-creating a registry container with other env or bind mounts (Docker cannot change a
// container's): same name, labels, ports, mounts and restart policy, and back again.
import type Docker from 'dockerode';
import { engineErrorMessage } from '../engine/engine.ts';
import { asList, inspectRegistryContainer, type RegistryContainer } from './container.ts';
import { startRegistryContainer, stopRegistryContainer } from './container-control.ts';
import { ResourceError } from '../errors.ts';

/** env with each of changes set (a string) or removed (null), order kept. */
export function changeEnv(env: readonly string[], changes: Record<string, string | null>): string[] {
  const keyOf = (entry: string): string => entry.split('=', 1)[0]!;
  const kept = env.filter((entry) => !(keyOf(entry) in changes));
  const added = Object.entries(changes)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}=${v}`);
  return [...kept, ...added];
}

/** Named and anonymous volumes mounted without a -v entry must be named to survive a re-create. */
function bindsKeepingVolumes(details: Docker.ContainerInspectInfo): string[] {
  const binds = [...(details.HostConfig.Binds ?? [])];
  const listed = new Set(binds.map((b) => b.split(':')[1]));
  const explicitMounts = new Set((details.HostConfig.Mounts ?? []).map((m) => m.Target));
  for (const m of details.Mounts) {
    if (m.Type === 'volume' && m.Name && !listed.has(m.Destination) && !explicitMounts.has(m.Destination)) {
      binds.push(`${m.Name}:${m.Destination}${m.RW ? '' : ':ro'}`);
    }
  }
  return binds;
}

/**
 * Replaces the container by one created the same way but with env as its environment
 * (Docker cannot change the env of a container). Same name, labels, ports, mounts and
 * restart policy; started if the old one ran. The old one is kept, renamed, until the new
 * one runs, and put back if anything fails. Run it inside ctx.critical.
 */
export async function recreateRegistryContainer(
  docker: Docker,
  container: { id: string; name: string },
  env: readonly string[],
  /** Other bind mounts ("SOURCE:TARGET[:ro]"), from the ones it has; default the same. */
  changeBinds: (binds: string[]) => string[] = (binds) => binds,
): Promise<RegistryContainer> {
  const old = await inspectRegistryContainer(docker, container);
  const d = old.details;
  const wasRunning = old.running;
  const options: Docker.ContainerCreateOptions = {
    name: old.name,
    Image: d.Config.Image,
    Env: [...env],
    Cmd: asList(d.Config.Cmd),
    Entrypoint: asList(d.Config.Entrypoint),
    Labels: d.Config.Labels,
    ExposedPorts: d.Config.ExposedPorts,
    Volumes: d.Config.Volumes,
    WorkingDir: d.Config.WorkingDir,
    User: d.Config.User,
    Tty: d.Config.Tty,
    HostConfig: { ...d.HostConfig, Binds: changeBinds(bindsKeepingVolumes(d)) },
  };
  const oldHandle = docker.getContainer(old.id);
  if (wasRunning) await stopRegistryContainer(docker, old);
  const parked = `${old.name}-replaced-${Date.now().toString(36)}`;
  await oldHandle.rename({ name: parked });
  let created: Docker.Container | undefined;
  try {
    created = await docker.createContainer(options);
    await rejoinNetworks(docker, created.id, d);
    if (wasRunning) await created.start();
  } catch (err) {
    if (created) await created.remove({ force: true }).catch(() => {});
    await oldHandle.rename({ name: old.name });
    if (wasRunning) await startRegistryContainer(docker, old);
    throw new ResourceError(`cannot re-create the registry container ${old.name} (left as it was): ${engineErrorMessage(err)}`, {
      cause: err,
    });
  }
  await oldHandle.remove({ v: false }); // keep volumes: the new container uses them
  return inspectRegistryContainer(docker, { id: created.id, name: old.name });
}

/**
 * Re-creates the container with extra env (e.g. REGISTRY_STORAGE_MAINTENANCE_READONLY), and
 * gives restore() that re-creates it with exactly its former env.
 */
export async function restartRegistryWithEnv(
  docker: Docker,
  container: { id: string; name: string },
  extraEnv: Record<string, string>,
): Promise<{ container: RegistryContainer; restore(): Promise<RegistryContainer> }> {
  const before = await inspectRegistryContainer(docker, container);
  const originalEnv = before.details.Config.Env ?? [];
  const changed = await recreateRegistryContainer(docker, before, changeEnv(originalEnv, extraEnv));
  return { container: changed, restore: () => recreateRegistryContainer(docker, changed, originalEnv) };
}

/** The networks the old container was joined to besides its own (connect's cluster networks), with their aliases. */
async function rejoinNetworks(docker: Docker, id: string, old: Docker.ContainerInspectInfo): Promise<void> {
  for (const [network, endpoint] of Object.entries(old.NetworkSettings.Networks)) {
    if (network === old.HostConfig.NetworkMode || (network === 'bridge' && old.HostConfig.NetworkMode === 'default')) continue;
    const aliases = ((endpoint as { Aliases?: string[] | null }).Aliases ?? []).filter(
      (a) => a !== old.Config.Hostname && a !== old.Id.slice(0, 12),
    );
    await docker.getNetwork(network).connect({ Container: id, EndpointConfig: { Aliases: aliases } });
  }
}
