// Registry TLS material as the engines find it: certs.d/<host:port>/ holds *.crt (extra
// CAs, trusted alongside the system's) and *.cert + *.key pairs (client certificates).
// Docker's /etc/docker/certs.d (rootless: $XDG_CONFIG_HOME/docker/certs.d), Podman's
// /etc/containers/certs.d (rootless: $XDG_CONFIG_HOME/containers/certs.d) and Docker
// Desktop's ~/.docker/certs.d, the first with a folder for the host winning: where start
// --tls puts a registry's CA for each (server/tls-trust.ts). JINDR_CERTS_D (':'-separated)
// replaces them all.
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ResourceError } from '../errors.ts';

export interface RegistryTls {
  /** Extra CA certificates (PEM), to be trusted in addition to the system's. */
  ca: string[];
  /** Client certificate and key (PEM), when the registry asks for one. */
  cert?: string;
  key?: string;
}

export function certsDirs(env: NodeJS.ProcessEnv, uid: number | undefined = process.getuid?.()): string[] {
  if (env.JINDR_CERTS_D) return env.JINDR_CERTS_D.split(':').filter(Boolean);
  if (uid === 0) return ['/etc/docker/certs.d', '/etc/containers/certs.d'];
  const home = env.HOME || homedir();
  const xdg = env.XDG_CONFIG_HOME || join(home, '.config');
  return [
    '/etc/docker/certs.d',
    join(xdg, 'docker/certs.d'),
    '/etc/containers/certs.d',
    join(xdg, 'containers/certs.d'),
    join(home, '.docker/certs.d'),
  ];
}

function listDir(dir: string): string[] | undefined {
  try {
    return readdirSync(dir).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new ResourceError(`cannot read ${dir}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The TLS material for host (HOST[:PORT], the directory name Docker uses) from the
 * first certs.d directory that has a folder for it; undefined when none has.
 * Synchronous: a few small files, read when a registry client is made.
 */
export function registryTls(host: string, dirs: readonly string[]): RegistryTls | undefined {
  // Docker names the folder after host:port; a colon is not allowed in Windows paths, but this is Linux.
  if (host.includes('/') || host.startsWith('.')) return undefined;
  for (const base of dirs) {
    const dir = join(base, host);
    const files = listDir(dir);
    if (!files) continue;
    const tls: RegistryTls = { ca: [] };
    for (const file of files) {
      if (file.endsWith('.crt')) {
        tls.ca.push(readFileSync(join(dir, file), 'utf8'));
      } else if (file.endsWith('.cert')) {
        const keyFile = file.slice(0, -'.cert'.length) + '.key';
        if (!files.includes(keyFile))
          throw new ResourceError(`missing key ${join(dir, keyFile)} for client certificate ${join(dir, file)}`);
        // Docker offers every pair; a TLS client sends one, so take the first by name.
        if (tls.cert) continue;
        tls.cert = readFileSync(join(dir, file), 'utf8');
        tls.key = readFileSync(join(dir, keyFile), 'utf8');
      } else if (file.endsWith('.key')) {
        const certFile = file.slice(0, -'.key'.length) + '.cert';
        if (!files.includes(certFile))
          throw new ResourceError(`missing client certificate ${join(dir, certFile)} for key ${join(dir, file)}`);
      }
    }
    return tls;
  }
  return undefined;
}

/**
 * Registry client TLS options for host from certs.d: extra CAs are trusted in addition
 * to Node's defaults (as Docker adds them to the system pool), plus a client pair.
 */
export function registryTlsOptions(host: string, env: NodeJS.ProcessEnv): { ca?: string[]; cert?: string; key?: string } {
  const tls = registryTls(host, certsDirs(env));
  if (!tls) return {};
  const options: { ca?: string[]; cert?: string; key?: string } = {};
  // node:tls on demand: loading it costs a command ~20 ms of start-up, and most registries need no CA of their own.
  if (tls.ca.length > 0) options.ca = [...process.getBuiltinModule('node:tls').getCACertificates('default'), ...tls.ca];
  if (tls.cert !== undefined && tls.key !== undefined) {
    options.cert = tls.cert;
    options.key = tls.key;
  }
  return options;
}
