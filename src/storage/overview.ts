// info: every registry container on the engine, ours and plain ones, running or not, with
// its address, state, login and TLS, storage area and the size of what it stores.
import type { Engine } from '../engine/engine.ts';
import { listRegistryContainers, mirrorOf, type RegistryContainer } from '../server/container.ts';
import { registrySecurity, type RegistrySecurity } from '../server/security-info.ts';
import { describeStorage } from '../server/status.ts';
import { storageSize } from './sizes.ts';

export interface RegistryOverview extends RegistrySecurity {
  registry: string | null;
  container: string;
  id: string;
  state: string;
  running: boolean;
  status: string;
  storageArea: string;
  /** Bytes stored; null when it cannot be measured from here. */
  size: number | null;
  image: string;
  managed: boolean;
  /** The upstream a mirror proxies; null for a registry. */
  mirrorOf: string | null;
  /** A running mirror: pull-through, or offline (serving its cache, read-only); else null. */
  mirrorMode: 'pull-through' | 'offline' | null;
}

/** Sorted by address (containers publishing none last), then by name. */
export async function registryOverview(
  engine: Pick<Engine, 'docker' | 'local'>,
  signal?: AbortSignal,
  /** How a running mirror serves (the mirror's own modules know; they sit above this room). */
  mirrorMode: (c: RegistryContainer) => RegistryOverview['mirrorMode'] = () => null,
): Promise<RegistryOverview[]> {
  const { docker, local } = engine;
  const containers = await listRegistryContainers(docker);
  const rows = await Promise.all(
    containers.map(async (c): Promise<RegistryOverview> => ({
      registry: c.registry ?? null,
      container: c.name,
      id: c.id,
      state: c.state,
      running: c.running,
      status: c.status,
      storageArea: describeStorage(c),
      size: (await storageSize(docker, c, local, signal)) ?? null,
      image: c.image,
      managed: c.managed,
      mirrorOf: mirrorOf(c) ?? null,
      mirrorMode: mirrorOf(c) === undefined ? null : mirrorMode(c),
      ...(await registrySecurity(c, local, signal)),
    })),
  );
  return rows.sort((a, b) => (a.registry ?? '~').localeCompare(b.registry ?? '~') || a.container.localeCompare(b.container));
}
