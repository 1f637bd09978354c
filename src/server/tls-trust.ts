// Making the registry's CA trusted where the engine looks for it: certs.d/<host:port>/ca.crt,
// in /etc/docker (a rootful daemon) or $XDG_CONFIG_HOME/docker (a rootless one), or Podman's
// and Docker Desktop's places (daemonCertsDir); jindr's own registry client reads them all
// (certs.ts). When that is not writable from here, the exact command to do it is given
// instead. Also: the certificate check at restart.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { RegistryContainer } from './container.ts';
import { securityOf } from './security-plan.ts';
import { errorMessage } from '../errors.ts';
import { askEngineHost, type EngineKind } from '../engine/identity.ts';
import { CA_CERT, OWN_CA, TLS_DIR, defaultNames, ensureGeneratedTls, readInstalledOwn } from '../security/tls-files.ts';
import { caKeyDir } from './secrets.ts';
import { daysLeft, RENEW_DAYS } from '../security/x509.ts';
import { X509Certificate } from 'node:crypto';

/**
 * The certs.d the engine reads: Docker's /etc/docker/certs.d (rootless Docker: the user's
 * $XDG_CONFIG_HOME/docker/certs.d), Podman's /etc/containers/certs.d (rootless:
 * .../containers/certs.d), Docker Desktop's ~/.docker/certs.d (its engine is in a VM and
 * reads the user's; known by its /info or its context desktop-linux).
 */
export async function daemonCertsDir(
  docker: Docker,
  env: NodeJS.ProcessEnv,
  engine: { kind?: EngineKind; context?: string } = {},
): Promise<string> {
  // Best effort: an engine that does not say (or says something malformed) is taken as rootful.
  const host = await askEngineHost(docker, engine.context);
  const home = env.HOME || homedir();
  if (host.desktop) return join(home, '.docker/certs.d');
  const engineDir = engine.kind === 'podman' ? 'containers' : 'docker';
  if (!host.rootless) return `/etc/${engineDir}/certs.d`;
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), engineDir, 'certs.d');
}

const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export type Placement = { placed: string; changed: boolean } | { command: string; file: string; reason: string };

/** Puts caFile's certificate at <certsDir>/<registry>/ca.crt, or says how to. */
export function placeCa(registry: string, caFile: string, certsDir: string): Placement {
  const dir = join(certsDir, registry);
  const file = join(dir, 'ca.crt');
  const pem = readFileSync(caFile, 'utf8');
  try {
    if (readFileSync(file, 'utf8') === pem) return { placed: file, changed: false };
  } catch {
    // not there yet
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    writeFileSync(file, pem, { mode: 0o644 });
    return { placed: file, changed: true };
  } catch (err) {
    const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
    return { command: `${sudo}mkdir -p ${quote(dir)} && ${sudo}cp ${quote(caFile)} ${quote(file)}`, file, reason: errorMessage(err) };
  }
}

/** The CA file in the data directory that clients of a registry with this TLS must trust. */
export function caFileFor(dataDir: string, kind: 'generated' | 'own'): string {
  return join(dataDir, TLS_DIR, kind === 'generated' ? CA_CERT : OWN_CA);
}

export function describePlacement(p: Placement, registry: string): string {
  if ('placed' in p)
    return `Docker and docker jindr on this machine trust the registry's CA: ${p.placed}${p.changed ? '' : ' (unchanged)'}`;
  return `cannot put the registry's CA where Docker looks for it (${p.reason}); to trust it for ${registry}, run: ${p.command}`;
}

/**
 * Before a restart: a certificate docker jindr made is renewed when due (same CA); one's own
 * that ends soon is pointed out. Needs the data directory on this machine.
 */
export async function refreshTls(
  docker: Docker,
  c: RegistryContainer,
  options: { local: boolean; env: NodeJS.ProcessEnv; info: (message: string) => void; engine?: { kind?: EngineKind; context?: string } },
): Promise<void> {
  const kind = securityOf(c).tls;
  if (!kind || !options.local || c.storage.kind !== 'bind') return;
  const dataDir = c.storage.path;
  if (kind === 'own') {
    const own = readInstalledOwn(dataDir);
    if (!own) return;
    const left = daysLeft(new X509Certificate(own.cert));
    if (left < RENEW_DAYS)
      options.info(`warning: the registry's certificate (--cert) ends in ${left} days: replace it with start --cert FILE --key FILE`);
    return;
  }
  const tls = ensureGeneratedTls({ dataDir, caKeyDir: caKeyDir(options.env, dataDir) }, defaultNames());
  if (tls.made) options.info(`made the registry's certificate again (the previous one: ${tls.made})`);
  if (tls.newCa && c.registry) {
    options.info(`made a new CA for the registry: machines that trusted the old one need ${caFileFor(dataDir, 'generated')}`);
    options.info(
      describePlacement(
        placeCa(c.registry, caFileFor(dataDir, 'generated'), await daemonCertsDir(docker, options.env, options.engine)),
        c.registry,
      ),
    );
  }
}
