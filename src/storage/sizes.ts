// How much disk a registry's storage area uses: walked on this machine when the engine is
// local and the area is reachable here, else `du` inside the running container.
import { execFile } from 'node:child_process';
import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { MIRRORS_SUBDIR, REGISTRY_STORAGE_PATH, type RegistryContainer } from '../server/container.ts';
import { execInContainer } from '../server/container-exec.ts';

/** Disk usage of a directory tree in bytes (allocated blocks, as du counts), symlinks not followed. */
export async function diskUsage(dir: string): Promise<number> {
  let total = (await lstat(dir)).blocks * 512;
  for await (const entry of await opendir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await diskUsage(path);
    else total += (await lstat(path)).blocks * 512;
  }
  return total;
}

/** `du -sk` on this machine: many times faster than walking from Node on large trees. */
function hostDu(path: string, signal?: AbortSignal): Promise<number | undefined> {
  return new Promise((resolve) => {
    execFile('du', ['-sk', path], { signal, encoding: 'utf8' }, (err, stdout) => {
      const kib = /^(\d+)/.exec(stdout ?? '')?.[1];
      resolve(err || kib === undefined ? undefined : Number(kib) * 1024);
    });
  });
}

/** Bytes of a directory tree: du, else a walk from Node (which throws when it cannot read it). */
async function treeSize(path: string, signal?: AbortSignal): Promise<number | undefined> {
  return (await hostDu(path, signal)) ?? (signal?.aborted ? undefined : await diskUsage(path));
}

/**
 * Bytes used by the storage area, or undefined when it cannot be measured from here. The
 * mirrors kept in its `mirrors` directory (a data directory's mirrors: MIRRORS_SUBDIR) are
 * left out: each is its own registry with its own size. The registry itself writes only
 * under docker/, so nothing else is called that at the top of its area.
 */
export async function storageSize(docker: Docker, c: RegistryContainer, local: boolean, signal?: AbortSignal): Promise<number | undefined> {
  // Not yet measured on S3 storage (the bucket's objects are not listed): unknown, not the container's own few bytes.
  if (c.storage.kind === 's3') return undefined;
  if (local) {
    let path: string | undefined;
    if (c.storage.kind === 'bind') path = c.storage.path;
    else if (c.storage.kind === 'volume')
      path = (
        await docker
          .getVolume(c.storage.name)
          .inspect()
          .catch(() => undefined)
      )?.Mountpoint;
    if (path !== undefined) {
      try {
        const all = await treeSize(path, signal);
        const mirrors = join(path, MIRRORS_SUBDIR);
        const isDir = await lstat(mirrors).then(
          (s) => s.isDirectory(),
          () => false,
        );
        if (all === undefined || !isDir) return all;
        const kept = await treeSize(mirrors, signal);
        return kept === undefined ? undefined : all - kept;
      } catch {
        // not readable from here (other machine, other user): ask the container
      }
    }
  }
  if (!c.running) return undefined;
  try {
    const mirrors = `${REGISTRY_STORAGE_PATH}/${MIRRORS_SUBDIR}`;
    const script = `du -sk ${REGISTRY_STORAGE_PATH} && if [ -d ${mirrors} ]; then du -sk ${mirrors}; else echo 0; fi`;
    const result = await execInContainer(docker, c, ['sh', '-c', script], signal ? { signal } : {});
    const kib = [...result.stdout.toString().matchAll(/^(\d+)/gm)].map((m) => Number(m[1]));
    return result.exitCode === 0 && kib.length === 2 ? (kib[0]! - kib[1]!) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
