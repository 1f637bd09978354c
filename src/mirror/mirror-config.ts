// A mirror's registry configuration: distribution's proxy mode (proxy.remoteurl), and the
// upstream's login when there is one. The login reaches the container only through this
// file: kept among the user's secrets (secrets.ts, mode 0600), outside every data
// directory, and mounted read-only as the registry's configuration, so it is in neither
// the container's environment nor its command, and `docker inspect` shows only the
// file's path. The same configuration without the login lies beside it, for gc's helper
// container, which reads the storage settings and needs no login. Nothing of it is in the
// data directory, which another registry container may mount.
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { MirrorUpstream } from './mirror-upstream.ts';
import { ResourceError, errorMessage } from '../errors.ts';

/** Where the file is mounted in the container (the registry's command names it). */
export const MIRROR_CONFIG_PATH = '/etc/jindr/mirror.yml';
/** A header on every answer of a mirror: how docker-jindr tells a mirror from a registry. */
export const MIRROR_HEADER = 'X-Jindr-Mirror';
/**
 * The registry's debug endpoint (expvar at /debug/vars: the proxy's hit and miss counters),
 * on the container's own loopback: never published, read with an exec (mirror-metrics.ts).
 */
export const MIRROR_DEBUG_ADDR = '127.0.0.1:5001';

export interface UpstreamLogin {
  username: string;
  password: string;
}

/** YAML's double-quoted scalars accept JSON strings, escapes included. */
const q = (text: string): string => JSON.stringify(text);

/**
 * Pull-through: distribution's proxy mode. Offline (its upstream out of reach): the same
 * registry without the proxy section, serving what its storage holds, and read-only
 * (storage.maintenance.readonly: pushes and deletes are refused with 405), so nothing but
 * pulls through the upstream ever fills the cache.
 */
export type MirrorMode = 'pull-through' | 'offline';

export function mirrorConfigYaml(upstream: MirrorUpstream, login: UpstreamLogin | undefined, mode: MirrorMode = 'pull-through'): string {
  const offline = mode === 'offline';
  return [
    offline
      ? '# Written by docker jindr mirror start: the upstream could not be reached, so the mirror serves its cache, read-only.'
      : login
        ? "# Written by docker jindr mirror start. It holds the upstream's login: keep it private (mode 0600)."
        : "# Written by docker jindr mirror start. The mirror's login, if it has one, is not in this file.",
    'version: 0.1',
    'log:',
    '  level: info',
    'storage:',
    '  filesystem:',
    '    rootdirectory: /var/lib/registry',
    '  delete:',
    '    enabled: true',
    '  cache:',
    '    blobdescriptor: inmemory',
    ...(offline ? ['  maintenance:', '    readonly:', '      enabled: true'] : []),
    'http:',
    '  addr: :5000',
    '  headers:',
    '    X-Content-Type-Options: [nosniff]',
    `    ${MIRROR_HEADER}: [${q(upstream.url)}]`,
    '  debug:',
    `    addr: ${MIRROR_DEBUG_ADDR}`,
    'health:',
    '  storagedriver:',
    '    enabled: true',
    '    interval: 10s',
    '    threshold: 3',
    ...(offline
      ? []
      : [
          'proxy:',
          `  remoteurl: ${q(upstream.url)}`,
          ...(login ? [`  username: ${q(login.username)}`, `  password: ${q(login.password)}`] : []),
        ]),
    '',
  ].join('\n');
}

/** What a configuration this file wrote makes of the mirror: no proxy section is offline. */
export function configMode(yaml: string): MirrorMode {
  return /^proxy:/m.test(yaml) ? 'pull-through' : 'offline';
}

/** The mirror's directory holds data/ (the registry's storage). */
export function mirrorPaths(dir: string): { dir: string; data: string } {
  return { dir, data: join(dir, 'data') };
}

/**
 * Writes the file (mode 0600, replaced in one step so no reader sees half of it) in a
 * directory only its owner may enter.
 */
export function writeMirrorConfig(file: string, yaml: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    chmodSync(dirname(file), 0o700);
    writeFileSync(temp, yaml, { mode: 0o600 });
    chmodSync(temp, 0o600); // whatever the umask
    renameSync(temp, file);
  } catch (err) {
    try {
      rmSync(temp, { force: true });
    } catch {
      // nothing was written (its directory could not be made)
    }
    throw new ResourceError(`cannot write the mirror's configuration ${file}: ${errorMessage(err)}`, { cause: err });
  }
}
