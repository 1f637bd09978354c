// Removing a repository from a registry's storage. No registry API removes a
// repository: an emptied one stays in `_catalog` until its directory is gone. The removal
// runs inside the registry container (storage-remove.ts's script: busybox sh, which every
// registry image has).
//
// The registry keeps an in-memory cache of which blobs each repository links. After
// the directory goes, that cache would still say "layer already exists" to the next
// push into a repository of the same name, and the image would break at the next
// restart (seen on 2.8.2). So the registry is restarted afterwards, clearing it, even
// when the removal failed half-way or was interrupted.
import type Docker from 'dockerode';
import { findRegistryContainer, mirrorOf, type RegistryContainer } from '../server/container.ts';
import { restartRegistryContainer, waitUntilServing } from '../server/container-control.ts';
import { execIn } from '../server/container-exec.ts';
import type { LeftAlone } from './storage-listing.ts';
import { removeRepositories } from './storage-remove.ts';
import { storageOf } from './storage-root.ts';
import { parseLocalRegistry } from '../server/address.ts';
import { refuseForeign } from './ownership.ts';

const WOULD = 'delete in its storage and restart it';

/**
 * Before anything is deleted: refuses (unless force) when a registry container that
 * docker-jindr did not create serves `registry` on this engine. A registry elsewhere, or
 * no engine to ask, has no container here to protect.
 */
export async function checkRepositoryRemoval(engine: () => Promise<{ docker: Docker }>, registry: string, force: boolean): Promise<void> {
  if (force) return;
  try {
    parseLocalRegistry(registry);
  } catch {
    return;
  }
  const docker = await engine().then(
    (e) => e.docker,
    () => undefined,
  );
  const container = docker && (await findRegistryContainer(docker, registry));
  if (container) refuseForeign(container, 'rmr', WOULD, false);
}

/** The removal on S3 storage (gc's window: src/gc/s3-rmr.ts), given by the caller: this room cannot reach gc's. */
export type S3RepositoryRemoval = (
  docker: Docker,
  container: RegistryContainer,
  repositories: readonly string[],
  options: { local: boolean; signal?: AbortSignal | undefined; force: boolean },
) => Promise<StorageRemoval>;

export type StorageRemoval =
  { removed: true; restarted: boolean; container: string; leftAlone: LeftAlone[] } | { removed: false; reason: string };

/**
 * Removes the repositories' directories in the registry container serving `registry`
 * (HOST:PORT on this machine), then restarts it. When there is no such container (a
 * remote registry, or one not run by Docker here) nothing happens and the reason says why.
 */
export async function removeRepositoryStorage(
  docker: Docker,
  registry: string,
  repositories: readonly string[],
  options: { local: boolean; signal?: AbortSignal; force?: boolean; s3?: S3RepositoryRemoval },
): Promise<StorageRemoval> {
  try {
    parseLocalRegistry(registry);
  } catch {
    return { removed: false, reason: `${registry} is not a registry on this machine` };
  }
  const container = await findRegistryContainer(docker, registry);
  if (!container || !container.running)
    return { removed: false, reason: `no running registry container serves ${registry} on this Docker engine` };
  refuseForeign(container, 'rmr', WOULD, options.force === true);
  // Known from its label, without reading its configuration (which holds its key).
  if (container.storage.kind === 's3') {
    if (options.s3)
      return options.s3(docker, container, repositories, { local: options.local, signal: options.signal, force: options.force === true });
    return { removed: false, reason: `not yet on S3 storage: ${container.name} keeps its data in ${container.storage.url}` };
  }
  // No abort signal: a removal that has started runs to its end in the container anyway,
  // and must be followed by the restart.
  const exec = execIn(docker, container);
  const config = await exec(['cat', container.configPath]);
  const { driver, root } = storageOf(config.exitCode === 0 ? config.stdout.toString('utf8') : '', container.details.Config.Env ?? []);
  if (driver !== 'filesystem') return { removed: false, reason: `${container.name} keeps its data in the ${driver} storage driver` };
  let failure: { error: unknown } | undefined;
  let leftAlone: LeftAlone[] = [];
  try {
    leftAlone = await removeRepositories(exec, root, repositories);
  } catch (error) {
    failure = { error };
  }
  // A mirror takes no pushes, so its blob cache cannot mislead one; and its proxy would not
  // start again while its upstream is out of reach. It keeps running.
  if (mirrorOf(container) !== undefined) {
    if (failure !== undefined) throw failure.error;
    return { removed: true, restarted: false, container: container.name, leftAlone };
  }
  await restartRegistryContainer(docker, container);
  if (failure !== undefined) throw failure.error;
  await waitUntilServing(docker, container, { local: options.local, signal: options.signal });
  return { removed: true, restarted: true, container: container.name, leftAlone };
}
