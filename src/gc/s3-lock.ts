// The lock of a collection on S3 storage: one object, PREFIX/docker-jindr/gc.lock, written
// with If-None-Match: * so that the store itself lets only one writer make it (AWS S3's
// conditional write; moto and MinIO honour it too). It says who holds it since when, in one
// line. A lock whose holder ran on this machine and is gone (a gc killed mid-way) is taken
// over, and said; one held from another machine is refused with its holder and age, and the
// way out (delete the object) named. Imported on demand: it brings the SDK's signer.
import { hostname } from 'node:os';
import { deleteObject, getObject, putObject } from '../aws/s3-objects.ts';
import { isJsonObject, isString, parseJson } from '../json-shape.ts';
import { ResourceError } from '../errors.ts';
import { jindrPrefix, locationOf } from '../server/s3-records.ts';
import type { S3RegistryConfig } from '../server/s3-storage.ts';

export interface LockHolder {
  host: string;
  pid: number;
  /** The registry container the gc was run for. */
  container: string;
  since: string;
}

export const lockKey = (prefix: string): string => `${jindrPrefix(prefix)}gc.lock`;

function readHolder(bytes: Buffer | undefined): LockHolder | undefined {
  try {
    const v = bytes && parseJson(bytes.toString('utf8'));
    if (!isJsonObject(v) || !isString(v.host) || !Number.isSafeInteger(v.pid) || !isString(v.container) || !isString(v.since))
      return undefined;
    return { host: v.host, pid: v.pid as number, container: v.container, since: v.since };
  } catch {
    return undefined;
  }
}

/** Who holds the lock of the storage, if anyone: undefined when there is no lock. */
export async function lockHolder(config: S3RegistryConfig, signal?: AbortSignal): Promise<LockHolder | 'unreadable' | undefined> {
  const bytes = await getObject(locationOf(config), lockKey(config.prefix), signal);
  return bytes === undefined ? undefined : (readHolder(bytes) ?? 'unreadable');
}

/** A lock whose holder ran on this machine and is gone (a gc killed mid-way). */
export const isStale = (h: LockHolder): boolean => h.host === hostname() && gone(h.pid);

/** A process of this machine that no longer exists. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function age(since: string, now: number): string {
  const ms = now - Date.parse(since);
  if (Number.isNaN(ms)) return 'age unknown';
  const min = Math.floor(ms / 60_000);
  return min < 1 ? `${Math.max(0, Math.floor(ms / 1000))} s ago` : min < 120 ? `${min} min ago` : `${Math.floor(min / 60)} h ago`;
}

export const describeHolder = (h: LockHolder, now = Date.now()): string =>
  `pid ${h.pid} on ${h.host}, for ${h.container}, since ${h.since}, ${age(h.since, now)}`;

/**
 * Takes the lock for a collection in container; the function returned releases it. A lock
 * held is a ResourceError in one line.
 */
export async function takeLock(
  config: S3RegistryConfig,
  container: string,
  info: (message: string) => void,
  signal?: AbortSignal,
): Promise<() => Promise<void>> {
  const location = locationOf(config);
  const key = lockKey(config.prefix);
  const url = `s3://${config.bucket}/${key}`;
  const me: LockHolder = { host: hostname(), pid: process.pid, container, since: new Date().toISOString() };
  const body = Buffer.from(`${JSON.stringify(me)}\n`);
  const release = (): Promise<void> => deleteObject(location, key);
  for (let attempt = 0; attempt < 2; attempt++) {
    if ((await putObject(location, key, body, { onlyIfAbsent: true, ...(signal ? { signal } : {}) })) === 'written') return release;
    const holder = readHolder(await getObject(location, key, signal));
    if (attempt === 0 && holder && isStale(holder)) {
      info(`a gc that did not finish left its lock ${url} (${describeHolder(holder)}): taking it over`);
      await deleteObject(location, key, signal);
      continue;
    }
    const who = holder ? describeHolder(holder) : 'holder unreadable';
    throw new ResourceError(
      `another gc is at work on s3://${config.bucket}${config.prefix ? `/${config.prefix}` : ''} (lock ${url}: ${who}); if that gc was killed, delete ${url} and run gc again`,
    );
  }
  throw new ResourceError(`cannot take the lock ${url}: another gc took it first; run gc again`);
}
