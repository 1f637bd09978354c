// Where docker-jindr keeps what only its user may read: $XDG_CONFIG_HOME/docker-jindr, else
// ~/.config/docker-jindr (directories 0700, files 0600). Never inside a data directory: a
// data directory is the read-write storage of a registry container (and of gc's helper
// containers), so whatever lies in it, that container can read and rewrite. A secret
// reaches the one container that needs it as a single file, mounted read-only.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, relative, isAbsolute } from 'node:path';
import { ResourceError, errorMessage } from '../errors.ts';

/** The directory of docker-jindr's secrets (absolute). */
export function secretsDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  // The XDG spec: a relative value is to be ignored.
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.config');
  return join(base, 'docker-jindr');
}

/**
 * The file holding a mirror's registry configuration with its upstream login, for the
 * mirror whose own directory (DATA/mirrors/NAME) is mirrorDir: named after the mirror,
 * and after its directory, so two data directories never share one.
 */
export function mirrorSecretFile(env: NodeJS.ProcessEnv, mirrorDir: string): string {
  const tag = createHash('sha256').update(mirrorDir).digest('hex').slice(0, 12);
  return join(secretsDir(env), 'mirrors', `${basename(mirrorDir)}-${tag}.yml`);
}

/** The directory of the CA key of the registry whose data directory is dataDir (start --tls). */
export function caKeyDir(env: NodeJS.ProcessEnv, dataDir: string): string {
  const tag = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
  return join(secretsDir(env), 'ca', `${basename(dataDir).replace(/^\.+/, '') || 'data'}-${tag}`);
}

/** path is dir or inside it (both absolute). */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Writes a secret file in one step (mode 0600 whatever the umask, no reader sees half of
 * it), its directory and the secrets directory made 0700.
 */
export function writeSecretFile(env: NodeJS.ProcessEnv, file: string, text: string): void {
  const root = secretsDir(env);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // Directories made before (or by someone else's umask) are closed too, up to the secrets directory.
    for (let dir = dirname(file); isInside(dir, root); dir = dirname(dir)) {
      chmodSync(dir, 0o700);
      if (dir === root) break;
    }
    writeFileSync(temp, text, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, file);
  } catch (err) {
    try {
      rmSync(temp, { force: true });
    } catch {
      // nothing was written (its directory could not be made)
    }
    throw new ResourceError(
      `cannot write ${file}: ${errorMessage(err)} (docker-jindr keeps logins in ${root}; set XDG_CONFIG_HOME for another place)`,
      { cause: err },
    );
  }
}
