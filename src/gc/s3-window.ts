// The window in which objects are removed from S3 storage that several registries may share
// (gc, prune and rmr on it): the lock object taken (s3-lock.ts); every registry recorded on
// the storage (server/s3-records.ts) or labelled with it on this engine made read-only
// (s3-readonly.ts), one recorded on another engine refused unless forced; the work done;
// then every registry read-write again and the lock released, also on error and Ctrl-C (the
// caller runs this inside ctx.critical). Imported on demand: it brings the SDK's signer.
import type Docker from 'dockerode';
import { deleteObject, listObjects } from '../aws/s3-objects.ts';
import { errorMessage, ResourceError } from '../errors.ts';
import { mapLimit } from '../registry/limit.ts';
import type { RegistryContainer } from '../server/container.ts';
import { dropRecord, locationOf, readRecords, recordRegistry } from '../server/s3-records.ts';
import { execIn } from '../server/container-exec.ts';
import { s3ConfigOf } from '../storage/storage-access.ts';
import type { S3RegistryConfig } from '../server/s3-storage.ts';
import { V2 } from '../storage/storage-layout.ts';
import { describeHolder, isStale, lockHolder, takeLock } from './s3-lock.ts';
import { isReadOnly, makeReadOnly, makeReadWrite, registriesOnStore } from './s3-readonly.ts';

/** DeleteObject requests at once. */
const PARALLEL = 8;

export const storeUrl = (config: S3RegistryConfig): string => `s3://${config.bucket}${config.prefix ? `/${config.prefix}` : ''}`;

export interface WindowOptions {
  /** Go on past registries recorded on other engines (they may write meanwhile). */
  force: boolean;
  local: boolean;
  info: (message: string) => void;
  signal?: AbortSignal | undefined;
}

export interface Window {
  /** The registry the command runs for, as re-created read-only. */
  target: RegistryContainer;
  /** Every key under docker/registry/v2, relative to it. */
  listKeys(): Promise<string[]>;
  /** Deletes these keys (relative to docker/registry/v2). */
  remove(keys: readonly string[]): Promise<void>;
}

export async function inReadOnlyWindow<T>(
  docker: Docker,
  registry: RegistryContainer,
  config: S3RegistryConfig,
  options: WindowOptions,
  work: (window: Window) => Promise<T>,
): Promise<T> {
  const { info, signal } = options;
  const url = storeUrl(config);
  const release = await takeLock(config, registry.name, info, signal);
  const changed: RegistryContainer[] = [];
  try {
    const { records } = await readRecords(config);
    const store = await registriesOnStore(docker, registry, config, records);
    for (const r of store.stale) {
      info(`forgetting ${r.container} (${r.registry}): it no longer keeps its data in ${url}`);
      await dropRecord(config, r);
    }
    if (store.elsewhere.length > 0) {
      const names = store.elsewhere.map((r) => `${r.container} (${r.registry} on ${r.endpoint})`).join(', ');
      if (!options.force) {
        // Its record stays until deleted (only this engine's records are checked against their containers).
        const records = store.elsewhere.map((r) => `s3://${config.bucket}/${r.key}`).join(', ');
        throw new ResourceError(
          `cannot make ${names} read-only: it runs on another engine; stop it there, or give --force to go on while it may write to ${url}; if it is gone, delete its record ${records}`,
        );
      }
      info(`warning: --force: ${names} may write to ${url} while objects are removed`);
    }
    for (const c of store.running) {
      if (isReadOnly(c)) info(`${c.name} was left read-only by a gc that did not finish: it is made read-write again at the end`);
      info(`making ${c.name} read-only while objects are removed from ${url}`);
      changed.push(await makeReadOnly(docker, c, options.local));
      signal?.throwIfAborted();
    }
    const base = `${config.prefix ? `${config.prefix}/` : ''}${V2}/`;
    const location = locationOf(config);
    return await work({
      target: changed[0]!,
      listKeys: async () => (await listObjects(location, base, signal ? { signal } : {})).objects.map((o) => o.key.slice(base.length)),
      remove: async (keys) => {
        signal?.throwIfAborted();
        await mapLimit(keys, PARALLEL, (key) => deleteObject(location, `${base}${key}`, signal));
      },
    });
  } finally {
    for (const c of changed) {
      info(`making ${c.name} read-write again`);
      await makeReadWrite(docker, c, options.local).catch((err: unknown) => {
        info(`warning: ${c.name} is still read-only (${errorMessage(err)}): run gc again`);
      });
    }
    // The lock goes only once every registry writes again.
    await release().catch((err: unknown) => info(`warning: cannot release the gc lock: ${errorMessage(err)}`));
  }
}

/**
 * up on S3 storage: the registry is recorded on its storage (server/s3-records.ts), and, when
 * a gc that did not finish left it read-only, made read-write again; unless a gc holds the
 * lock and may still be at work (then it stays, said).
 */
export async function keepOnStore(
  docker: Docker,
  container: RegistryContainer,
  record: { endpoint: string; registry: string; configFile: string; local: boolean },
  info: (message: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  // The registry runs already: a record that cannot be written is a warning, not a failed up.
  const what = { container: container.name, registry: record.registry, configFile: record.configFile };
  await recordRegistry(docker, record.endpoint, what, signal).catch((err: unknown) => {
    signal?.throwIfAborted();
    info(`warning: cannot record ${container.name} on its storage (${errorMessage(err)}): a gc from another engine will not know of it`);
  });
  if (!container.running || !isReadOnly(container)) return;
  const holder = await lockHolder(await s3ConfigOf(execIn(docker, container), container), signal);
  if (holder !== undefined && (holder === 'unreadable' || !isStale(holder))) {
    info(
      `${container.name} stays read-only: a gc holds the lock of its storage (${holder === 'unreadable' ? 'holder unreadable' : describeHolder(holder)})`,
    );
    return;
  }
  await makeReadWrite(docker, container, record.local);
  info(`${container.name} was left read-only by a gc that did not finish: it is read-write again`);
}
