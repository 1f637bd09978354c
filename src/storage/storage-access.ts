// Reaching the storage of a registry docker-jindr runs on this engine: its container,
// an exec into it, and the filesystem root its config names. Push dates, du and prune
// read storage this way; when the registry is not one this engine runs (or keeps its
// data elsewhere than the filesystem driver), the reason says why, and callers fall back
// (dates absent, sizes from manifests) or refuse.
import type Docker from 'dockerode';
import { findRegistryContainer, type RegistryContainer } from '../server/container.ts';
import { parseLocalRegistry } from '../server/address.ts';
import { execIn } from '../server/container-exec.ts';
import { storageOf } from './storage-root.ts';
import type { Exec } from '../server/container-exec.ts';

export interface StorageAccess {
  container: RegistryContainer;
  exec: Exec;
  /** The filesystem driver's root directory inside the container. */
  root: string;
}

export type StorageLookup =
  | { ok: true; access: StorageAccess }
  /** s3: the registry keeps its data in an S3 bucket (start --storage), which is not read as files yet. */
  | { ok: false; reason: string; s3?: { container: string; url: string } };

/** The running registry container serving `registry` (HOST:PORT on this machine), and its storage. */
export async function storageAccess(docker: Docker, registry: string): Promise<StorageLookup> {
  try {
    parseLocalRegistry(registry);
  } catch {
    return { ok: false, reason: `${registry} is not a registry on this machine` };
  }
  const container = await findRegistryContainer(docker, registry);
  if (!container) return { ok: false, reason: `no registry container serves ${registry} on this Docker engine` };
  // Known from its label: its configuration file (which holds its key) is not read.
  if (container.storage.kind === 's3') {
    const s3 = { container: container.name, url: container.storage.url };
    return { ok: false, reason: `not yet on S3 storage: ${container.name} keeps its data in ${s3.url}`, s3 };
  }
  if (!container.running)
    return {
      ok: false,
      reason: `the registry container ${container.name} is not running (start it with: docker jindr -r ${registry} start)`,
    };
  const exec = execIn(docker, container);
  const config = await exec(['cat', container.configPath]);
  const { driver, root } = storageOf(config.exitCode === 0 ? config.stdout.toString('utf8') : '', container.details.Config.Env ?? []);
  if (driver !== 'filesystem') return { ok: false, reason: `${container.name} keeps its data in the ${driver} storage driver` };
  return { ok: true, access: { container, exec, root } };
}
