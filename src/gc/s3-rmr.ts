// rmr's second phase on S3 storage: once the API has deleted the repositories' manifests,
// their objects (`_manifests`, `_layers`, `_uploads` of each, never a nested repository's)
// are deleted inside gc's window (s3-window.ts: the lock, every registry on the storage
// read-only, then read-write again, which also makes each forget its blob cache). The
// blobs stay for gc, as on a file system. Imported on demand by the rmr command.
import type Docker from 'dockerode';
import { execIn } from '../server/container-exec.ts';
import type { RegistryContainer } from '../server/container.ts';
import type { StorageRemoval } from '../storage/remove-repository.ts';
import { s3ConfigOf } from '../storage/storage-access.ts';
import { storagePath, V2 } from '../storage/storage-layout.ts';
import { inReadOnlyWindow } from './s3-window.ts';

/** The keys (relative to docker/registry/v2) under the repositories' own directories. */
export function repositoryKeys(keys: readonly string[], repositories: readonly string[]): string[] {
  const prefixes = repositories.flatMap((r) =>
    ['_manifests', '_layers', '_uploads'].map((sub) => `${storagePath.repository(r).slice(V2.length + 1)}/${sub}/`),
  );
  return keys.filter((k) => prefixes.some((p) => k.startsWith(p)));
}

export async function removeRepositoriesOnS3(
  docker: Docker,
  container: RegistryContainer,
  repositories: readonly string[],
  options: { local: boolean; signal?: AbortSignal | undefined; force: boolean; info: (message: string) => void },
): Promise<StorageRemoval> {
  const config = await s3ConfigOf(execIn(docker, container), container);
  return inReadOnlyWindow(docker, container, config, options, async ({ listKeys, remove }) => {
    await remove(repositoryKeys(await listKeys(), repositories));
    return { removed: true, restarted: true, container: container.name, leftAlone: [] };
  });
}
