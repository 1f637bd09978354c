// Removing a repository from a registry's storage. No registry API removes a
// repository: an emptied one stays in `_catalog` until its directory is gone. This
// runs inside the registry container (busybox sh, which every registry image has).
//
// The registry keeps an in-memory cache of which blobs each repository links. After
// the directory goes, that cache would still say "layer already exists" to the next
// push into a repository of the same name, and the image would break at the next
// restart (seen on 2.8.2). So the registry is restarted afterwards, clearing it.
import type Docker from 'dockerode';
import { execInContainer, findRegistryContainer, restartRegistryContainer, waitUntilServing } from './container.ts';
import { storageRoot } from './gc-storage.ts';
import { parseLocalRegistry } from './registry-address.ts';
import { ResourceError } from '../errors.ts';

// Only the repository's own entries go: `team` may hold the repository `team/app` too.
const REMOVE_SCRIPT = `
base="$1/docker/registry/v2/repositories"; shift
for r in "$@"; do
  d="$base/$r"
  [ -d "$d" ] || continue
  rm -rf -- "$d/_manifests" "$d/_layers" "$d/_uploads" || exit 1
  while [ "$d" != "$base" ] && rmdir -- "$d" 2>/dev/null; do d="\${d%/*}"; done
done
`;

export type StorageRemoval =
  | { removed: true; restarted: boolean; container: string }
  | { removed: false; reason: string };

/**
 * Removes the repositories' directories in the registry container serving `registry`
 * (HOST:PORT on this machine), then restarts it. When there is no such container (a
 * remote registry, or one not run by Docker here) nothing happens and the reason says why.
 */
export async function removeRepositoryStorage(
  docker: Docker,
  registry: string,
  repositories: readonly string[],
  options: { local: boolean; signal?: AbortSignal },
): Promise<StorageRemoval> {
  try {
    parseLocalRegistry(registry);
  } catch {
    return { removed: false, reason: `${registry} is not a registry on this machine` };
  }
  const container = await findRegistryContainer(docker, registry);
  if (!container || !container.running) return { removed: false, reason: `no running registry container serves ${registry} on this Docker engine` };
  const root = storageRoot(container.details.Config.Env ?? []);
  const result = await execInContainer(docker, container, ['sh', '-c', REMOVE_SCRIPT, 'sh', root, ...repositories], { signal: options.signal });
  if (result.exitCode !== 0) {
    throw new ResourceError(`cannot remove repository storage in ${container.name}: ${result.stderr.trim().split('\n').pop() ?? `exit ${result.exitCode}`}`);
  }
  await restartRegistryContainer(docker, container);
  await waitUntilServing(docker, container, { local: options.local, signal: options.signal });
  return { removed: true, restarted: true, container: container.name };
}
