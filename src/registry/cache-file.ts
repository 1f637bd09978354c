// Small files in the user's cache directory where docker-jindr keeps what it learned
// about a registry (where blobs are, manifests by digest): one file per registry and
// kind. A cache is only ever a shortcut: a file that is missing, unreadable, corrupt
// or stale makes things slower, never wrong, and failing to write one fails nothing.
//
// Two commands at once: an update reads the file, merges its own news into what is
// there and writes a temporary file that it renames over the old one, so a reader
// always sees a whole file; a lock file (created exclusively, taken over when older
// than a few seconds) makes the read-merge-rename of two writers take turns, so
// neither loses what the other wrote.
import { parseJson } from '../json-shape.ts';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** node:fs/promises on first use: a command that only names the cache directory (a warm `cp`) does not load it. */
const fs = (): typeof import('node:fs/promises') => process.getBuiltinModule('node:fs/promises');

/** $XDG_CACHE_HOME/docker-jindr, else ~/.cache/docker-jindr. */
export function cacheDirectory(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'docker-jindr');
  return join(env.HOME || homedir(), '.cache', 'docker-jindr');
}

/** The file of one kind for one registry: readable name plus a hash (hosts may hold ':' or '[').*/
export function registryCacheFile(dir: string, kind: string, host: string): string {
  const readable = host.replace(/[^A-Za-z0-9.-]+/g, '_').slice(0, 80);
  // node:crypto on demand: `ls` needs no cache file, and loading it is start-up time.
  const hash = process.getBuiltinModule('node:crypto').createHash('sha256').update(host).digest('hex').slice(0, 10);
  return join(dir, kind, `${readable}-${hash}.json`);
}

/** The file's JSON, or undefined when it is missing or not JSON. */
export async function readCacheFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs().readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return parseJson(text);
  } catch {
    return undefined;
  }
}

const LOCK_STALE_MS = 5_000;
const LOCK_WAIT_MS = 2_000;

/** Takes the lock next to path; returns its release, or undefined when it could not (then write anyway). */
async function lock(path: string): Promise<(() => Promise<void>) | undefined> {
  const { open, rm, stat } = fs();
  const lockPath = `${path}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.close();
      return () => rm(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
    }
    // A writer that died holding the lock: take it over.
    const age = await stat(lockPath).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > LOCK_STALE_MS) await rm(lockPath, { force: true });
    else if (Date.now() > deadline) return undefined;
    else await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 10));
  }
}

/**
 * Reads path, lets update merge into what it holds (undefined when missing or corrupt),
 * and writes the result atomically. Never throws: returns the error when it could not.
 */
export async function updateCacheFile(path: string, update: (current: unknown) => unknown): Promise<Error | undefined> {
  const { mkdir, rename, rm, writeFile } = fs();
  try {
    await mkdir(join(path, '..'), { recursive: true });
    const release = await lock(path);
    try {
      const next = update(await readCacheFile(path));
      const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      try {
        await writeFile(temporary, JSON.stringify(next));
        await rename(temporary, path);
      } catch (err) {
        await rm(temporary, { force: true });
        throw err;
      }
    } finally {
      await release?.();
    }
    return undefined;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** Keeps the `max` most recently used entries of a map of key -> [usedAt, ...]. */
export function keepRecent<T extends readonly [number, ...unknown[]]>(entries: Map<string, T>, max: number): Map<string, T> {
  if (entries.size <= max) return entries;
  return new Map([...entries].sort((a, b) => b[1][0] - a[1][0]).slice(0, max));
}
