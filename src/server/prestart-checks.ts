// Checks made before `start` (or `mirror start`) creates anything: is the port free, is the
// container name free, can the data directory be created and written, is it no other registry's.
import { mkdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type Docker from 'dockerode';
import type { RegistryContainer } from './container.ts';
import { hostIpServes, type LocalRegistryAddress } from './address.ts';
import { engineStatus } from '../engine/engine.ts';
import { RefusedError, ResourceError } from '../errors.ts';

export const DEFAULT_DATA_DIR = '~/.jindr';

/** ~ and relative paths made absolute (the engine needs an absolute bind source). */
export function resolveDataDir(dir: string, env: NodeJS.ProcessEnv, cwd = process.cwd()): string {
  const home = env.HOME || homedir();
  if (dir === '~') return home;
  if (dir.startsWith('~/')) return join(home, dir.slice(2));
  return resolve(cwd, dir);
}

const reasons: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'it exists and is not a directory',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'nothing can be created there',
  ENOSPC: 'no space left on the device',
};

function dataDirError(dir: string, err: unknown): ResourceError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const why = reasons[code] ?? (err instanceof Error ? err.message : String(err));
  return new ResourceError(`cannot use ${dir} as the registry's data directory: ${why}; choose another with -d DIR`, { cause: err });
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir never returns on some paths
 * (e.g. under /proc, where mkdir says ENOENT for a parent that exists).
 */
function makeDirectories(dir: string): void {
  const missing: string[] = [];
  let at = dir;
  for (;;) {
    try {
      if (!statSync(at).isDirectory()) throw Object.assign(new Error('not a directory'), { code: at === dir ? 'EEXIST' : 'ENOTDIR' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.unshift(at);
      const parent = dirname(at);
      if (parent === at) break;
      at = parent;
    }
  }
  for (const d of missing) mkdirSync(d);
}

/** Creates dir if missing and proves it writable by writing a file (root ignores modes, not read-only mounts). */
export function prepareDataDir(dir: string): void {
  try {
    makeDirectories(dir);
    const probe = join(dir, `.jindr-write-test-${process.pid}`);
    // A block of data, not an empty file: a full disk still has room for an empty file.
    try {
      writeFileSync(probe, Buffer.alloc(4096));
    } finally {
      rmSync(probe, { force: true });
    }
  } catch (err) {
    throw dataDirError(dir, err);
  }
}

/**
 * Refuses a port that a container publishes or, for a local engine, that something on this
 * machine listens on. Asks the engine first: it names the culprit.
 */
export async function checkPortFree(docker: Docker, address: LocalRegistryAddress, local: boolean): Promise<void> {
  const hint = `choose another port with -r localhost:PORT`;
  for (const info of await docker.listContainers()) {
    // Either side may be an unspecified address (0.0.0.0 takes the port on 127.0.0.1 too).
    const clash = info.Ports.some(
      (p) => p.PublicPort === address.port && (hostIpServes(p.IP ?? '', address.bindIp) || hostIpServes(address.bindIp, p.IP ?? '')),
    );
    if (clash) {
      const name = info.Names[0]?.replace(/^\//, '') ?? info.Id.slice(0, 12);
      throw new ResourceError(`port ${address.port} is taken by the container ${name}: ${hint}`);
    }
  }
  if (!local) return;
  const inUse = await new Promise<boolean>((done) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'EADDRINUSE'));
    server.listen({ host: address.bindIp, port: address.port, exclusive: true }, () => server.close(() => done(false)));
  });
  if (inUse) throw new ResourceError(`port ${address.port} on ${address.bindIp} is already in use by another program: ${hint}`);
}

function canonicalPath(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}

/**
 * Refuses a data directory that another registry container (of `all`, the engine's
 * registry containers) keeps its data in. Two registries on one storage would share their
 * logins, and one's garbage collection would delete blobs the other is being pushed; `-d`
 * gives each its own.
 */
export function checkDataDirUnshared(all: readonly RegistryContainer[], dir: string, self: string | undefined): void {
  const path = canonicalPath(dir);
  const other = all.find((c) => c.id !== self && c.storage.kind === 'bind' && canonicalPath(c.storage.path) === path);
  if (other === undefined) return;
  throw new RefusedError(
    `${dir} already holds the data of the registry container ${other.name}${other.registry ? ` (${other.registry})` : ''}: ` +
      'give this registry its own directory with -d DIR',
  );
}

/** The one name check for containers: no container on this engine has `name`; else a ResourceError ending with `remedy`. */
export async function checkNameFree(docker: Docker, name: string, remedy: string): Promise<void> {
  try {
    await docker.getContainer(name).inspect();
  } catch (err) {
    if (engineStatus(err) === 404) return;
    throw err;
  }
  throw new ResourceError(`the container name ${name} is taken by another container: ${remedy}`);
}
