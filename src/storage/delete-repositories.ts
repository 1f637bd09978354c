// rmr: deleting repositories in two phases. First every manifest their tags reach, through
// the registry's API; then, for a registry container on this engine, the repositories'
// storage (remove-repository.ts), so the catalog stops listing them, and a restart so the
// registry forgets its blob cache. Without the second phase the manifests are still gone.
import type { Engine } from '../engine/engine.ts';
import { errorMessage } from '../errors.ts';
import { forEachHost, type OpenReader } from '../registry/per-host.ts';
import type { RepositoryName } from '../registry/reference.ts';
import { removeRepositories } from '../registry/remove-images.ts';
import { describeLeftAlone } from './storage-listing.ts';
import { checkRepositoryRemoval, removeRepositoryStorage, type S3RepositoryRemoval } from './remove-repository.ts';

export interface RepositoryDeletion {
  registry: string;
  repository: string;
  /** Manifests deleted through the API. */
  manifests: number;
  /** The repository's storage was removed too (it no longer lists). */
  storageRemoved: boolean;
}

export interface DeleteOptions {
  /** The engine, asked only once the manifests are deleted. */
  engine: () => Promise<Engine>;
  /** Runs the storage removal and the restart to their end even when interrupted. */
  critical: <T>(fn: () => Promise<T>) => Promise<T>;
  signal?: AbortSignal;
  /** Notes for people: what happened to the storage. */
  info: (message: string) => void;
  /** Also in a registry container docker-jindr did not create (refused before anything is deleted otherwise). */
  force?: boolean;
  /** The repositories' objects on S3 storage (gc's window): without it they stay, said. */
  s3?: S3RepositoryRemoval;
}

/** Removes the storage where it can; a failure there is a note, not an error (the manifests are deleted). */
async function removeStorage(host: string, repositories: string[], options: DeleteOptions): Promise<boolean> {
  try {
    const { docker, local } = await options.engine();
    const result = await options.critical(() =>
      removeRepositoryStorage(docker, host, repositories, {
        local,
        signal: options.signal,
        force: options.force === true,
        ...(options.s3 ? { s3: options.s3 } : {}),
      }),
    );
    if (result.removed) {
      for (const l of result.leftAlone) options.info(describeLeftAlone(l));
      options.info(`removed the repositories' storage in ${result.container}${result.restarted ? ' and restarted it' : ''}`);
      return true;
    }
    options.info(`note: ${result.reason}: the emptied repositories stay listed until their storage is removed`);
  } catch (err) {
    options.info(
      `note: the manifests are deleted, but the repositories' storage could not be removed (${errorMessage(err)}); they stay listed`,
    );
  }
  return false;
}

/** Deletes the named repositories, registry by registry (each name once). */
export async function deleteRepositories(
  open: OpenReader,
  names: readonly RepositoryName[],
  options: DeleteOptions,
): Promise<RepositoryDeletion[]> {
  for (const host of new Set(names.map((n) => n.registry))) await checkRepositoryRemoval(options.engine, host, options.force === true);
  return forEachHost(open, names, async (client, group, host) => {
    const repositories = [...new Set(group.map((n) => n.repository))];
    const removed = await removeRepositories(client, repositories, options.signal);
    const storageRemoved = await removeStorage(host, repositories, options);
    return removed.map((r) => ({ registry: host, ...r, storageRemoved }));
  });
}
