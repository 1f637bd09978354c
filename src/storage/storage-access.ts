// Reaching the storage of a registry docker-jindr runs on this engine: its container and a
// reader of its storage (storage-reader.ts). On the filesystem driver: an exec into it and
// the root its config names. On S3 storage (up --storage s3://...): the bucket its
// configuration file names, read with that file's key (s3-storage-reader.ts). Push dates,
// du, prune and gc read storage this way; when the registry is not one this engine runs (or
// keeps its data in another driver), the reason says why, and callers fall back (dates
// absent, sizes from manifests) or refuse.
import type Docker from 'dockerode';
import { findRegistryContainer, type RegistryContainer } from '../server/container.ts';
import { parseLocalRegistry } from '../server/address.ts';
import { execIn } from '../server/container-exec.ts';
import { parseS3Config, type S3RegistryConfig } from '../server/s3-storage.ts';
import { ResourceError } from '../errors.ts';
import { readAtConfiguredRoot } from './storage-root.ts';
import { listStorage } from './storage-listing.ts';
import { readPushDates } from './push-dates.ts';
import type { Exec } from '../server/container-exec.ts';
import { filesystemReader, type StorageReader } from './storage-reader.ts';
import type { PushDates } from './push-dates.ts';

export type StorageAccess =
  | {
      kind: 'filesystem';
      container: RegistryContainer;
      exec: Exec;
      /** The filesystem driver's root directory inside the container. */
      root: string;
      reader: StorageReader;
    }
  | {
      kind: 's3';
      container: RegistryContainer;
      /** s3://BUCKET[/PREFIX] */
      url: string;
      reader: StorageReader;
    };

export type StorageLookup = { ok: true; access: StorageAccess } | { ok: false; reason: string };

const notRunning = (c: RegistryContainer, registry: string): string =>
  `the registry container ${c.name} is not running (start it with: docker jindr -r ${registry} start)`;

/**
 * The running registry container serving `registry` (HOST:PORT on this machine), and its
 * storage. `first`: the read the caller makes first, made here already at the root the
 * container's env names (else the image default) in the same exec that reads the
 * configuration file; kept when the configuration names that root and the filesystem driver,
 * else dropped (it only read) and the reader starts afresh at the root the configuration names.
 */
export async function storageAccess(docker: Docker, registry: string, first?: 'list' | 'pushDates'): Promise<StorageLookup> {
  try {
    parseLocalRegistry(registry);
  } catch {
    return { ok: false, reason: `${registry} is not a registry on this machine` };
  }
  const container = await findRegistryContainer(docker, registry);
  if (!container) return { ok: false, reason: `no registry container serves ${registry} on this Docker engine` };
  if (!container.running) return { ok: false, reason: notRunning(container, registry) };
  const exec = execIn(docker, container);
  if (container.storage.kind === 's3') {
    return { ok: true, access: { kind: 's3', container, url: container.storage.url, reader: await s3ReaderOf(exec, container) } };
  }
  // The first read, made in the exec that reads the configuration (readAtConfiguredRoot).
  const { driver, root, value } = await readAtConfiguredRoot(
    exec,
    container.configPath,
    container.details.Config.Env ?? [],
    async (x, at) => ({
      listing: first === 'list' ? await listStorage(x, at) : undefined,
      dates: first === 'pushDates' ? await readPushDates(x, at) : undefined,
    }),
  );
  if (!value) return { ok: false, reason: `${container.name} keeps its data in the ${driver} storage driver` };
  const fresh = filesystemReader(exec, root);
  const reader = { ...fresh };
  if (first === 'list')
    reader.list = answeredOnce(
      value.then((v) => v.listing ?? fresh.list()),
      fresh.list,
    );
  if (first === 'pushDates')
    reader.pushDates = answeredOnce(
      value.then((v) => v.dates ?? fresh.pushDates()),
      fresh.pushDates,
    );
  return { ok: true, access: { kind: 'filesystem', container, exec, root, reader } };
}

/** The early answer for the first call, a new read for every later one. */
function answeredOnce<T>(early: Promise<T>, again: () => Promise<T>): () => Promise<T> {
  let kept: Promise<T> | undefined = early;
  // Its failure is the first caller's (a caller that never asks has none).
  early.catch(() => {});
  return () => {
    const answer = kept ?? again();
    kept = undefined;
    return answer;
  };
}

/**
 * The reader of a registry on S3 storage: the bucket, prefix, endpoint, region and key of
 * its own configuration file (read in the container, never shown), so that it reads what
 * the registry reads. The SDK's signer is loaded here, on demand.
 */
export async function s3ReaderOf(exec: Exec, container: RegistryContainer): Promise<StorageReader> {
  const config = await s3ConfigOf(exec, container);
  const { s3StorageReader } = await import('./s3-storage-reader.ts');
  return s3StorageReader(config);
}

/** The bucket, prefix, endpoint, region and key of a registry on S3 storage, from its own configuration file. */
export async function s3ConfigOf(exec: Exec, container: RegistryContainer): Promise<S3RegistryConfig> {
  const file = await exec(['cat', container.configPath]);
  const config = file.exitCode === 0 ? parseS3Config(file.stdout.toString('utf8')) : undefined;
  if (!config) {
    throw new ResourceError(
      `cannot read the S3 storage of ${container.name}: its configuration file ${container.configPath} does not name a bucket as docker jindr up --storage writes it`,
    );
  }
  return config;
}

/**
 * The push times of every tag of the registry at `registry` when this engine runs it;
 * otherwise the reason there are none (they are never guessed).
 */
export async function pushDates(docker: Docker, registry: string): Promise<{ dates: PushDates } | { reason: string }> {
  const lookup = await storageAccess(docker, registry, 'pushDates');
  if (!lookup.ok) return { reason: lookup.reason };
  return { dates: await lookup.access.reader.pushDates() };
}
