// The registries writing to one S3 storage, for a collection there: those recorded on it
// (server/s3-records.ts), those of this engine whose label names it, and the one gc runs for. Those on this engine are made read-only
// for the removal (distribution's storage.maintenance.readonly: pushes and deletes are
// refused with 405, pulls go on) and read-write afterwards, each by re-creating its
// container with one more env entry (container-recreate.ts): the entry holds no secret, and
// the key stays in its 0600 configuration file. A fresh process also forgets the blobs its
// in-memory cache believed in. A container left with the entry (a gc killed mid-way) is
// found by it, and made read-write again by the next gc.
import type Docker from 'dockerode';
import { describeContainer, listRegistryContainers, type RegistryContainer } from '../server/container.ts';
import { changeEnv, recreateRegistryContainer } from '../server/container-recreate.ts';
import { waitUntilServing } from '../server/container-control.ts';
import { execIn } from '../server/container-exec.ts';
import { engineId, type RegistryRecord } from '../server/s3-records.ts';
import type { S3RegistryConfig } from '../server/s3-storage.ts';
import { s3ConfigOf } from '../storage/storage-access.ts';

/** distribution's configuration by env: storage.maintenance, as a YAML map. */
export const READONLY_ENV = 'REGISTRY_STORAGE_MAINTENANCE';
const READONLY_VALUE = '{readonly: {enabled: true}}';

export const isReadOnly = (c: RegistryContainer): boolean => (c.details.Config.Env ?? []).includes(`${READONLY_ENV}=${READONLY_VALUE}`);

export interface StoreRegistries {
  /** Running containers of this engine on the storage (the target first). */
  running: RegistryContainer[];
  /** Recorded on another engine: not reached. */
  elsewhere: RegistryRecord[];
  /** Recorded on this engine, but the container is gone or keeps its data elsewhere now. */
  stale: RegistryRecord[];
}

async function inspectByName(docker: Docker, name: string): Promise<RegistryContainer | undefined> {
  try {
    return describeContainer(await docker.getContainer(name).inspect());
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

/** Same bucket, prefix and endpoint, as its own configuration file says (a label names no endpoint). */
async function sameStore(docker: Docker, c: RegistryContainer, config: S3RegistryConfig): Promise<boolean> {
  if (!c.running) return false;
  const its = await s3ConfigOf(execIn(docker, c), c).catch(() => undefined);
  return its !== undefined && its.bucket === config.bucket && its.prefix === config.prefix && its.endpoint === config.endpoint;
}

/** Which registries write to the target's storage: from the records, and by their label on this engine. */
export async function registriesOnStore(
  docker: Docker,
  target: RegistryContainer,
  config: S3RegistryConfig,
  records: readonly RegistryRecord[],
): Promise<StoreRegistries> {
  const url = target.storage.kind === 's3' ? target.storage.url : undefined;
  const here = await engineId(docker);
  const out: StoreRegistries = { running: [target], elsewhere: [], stale: [] };
  for (const r of records) {
    if (r.engine !== here) {
      out.elsewhere.push(r);
      continue;
    }
    if (r.container === target.name) continue;
    const c = await inspectByName(docker, r.container);
    if (!c || c.storage.kind !== 's3' || c.storage.url !== url) out.stale.push(r);
    else if (!out.running.some((o) => o.id === c.id) && (await sameStore(docker, c, config))) out.running.push(c);
  }
  // Registries of this engine on the same storage are found by their label too, recorded or not (started before records existed).
  for (const c of await listRegistryContainers(docker)) {
    if (c.storage.kind !== 's3' || c.storage.url !== url || out.running.some((o) => o.id === c.id)) continue;
    if (await sameStore(docker, c, config)) out.running.push(c);
  }
  return out;
}

async function recreateWith(docker: Docker, c: RegistryContainer, value: string | null, local: boolean): Promise<RegistryContainer> {
  const fresh = await recreateRegistryContainer(docker, c, changeEnv(c.details.Config.Env ?? [], { [READONLY_ENV]: value }));
  return waitUntilServing(docker, fresh, { local });
}

/** Re-created read-only, and serving (pulls) again. */
export const makeReadOnly = (docker: Docker, c: RegistryContainer, local: boolean): Promise<RegistryContainer> =>
  recreateWith(docker, c, READONLY_VALUE, local);

/** Re-created without the read-only entry, and serving again. */
export const makeReadWrite = (docker: Docker, c: RegistryContainer, local: boolean): Promise<RegistryContainer> =>
  recreateWith(docker, c, null, local);
