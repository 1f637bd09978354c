// Podman does not treat loopback registries as plain HTTP, as Docker does: `docker push
// localhost:5001/x` through Podman's engine fails ("server gave HTTP response to HTTPS
// client") until its registries.conf names the registry insecure. On a Podman engine on
// this machine, start writes that entry into registries.conf.d (the user's for rootless
// Podman) and has the service read it again (engine/podman-service.ts); where it cannot,
// it says what to write where. The entry stays when the registry stops: start needs it
// again, and it allows plain HTTP only to that one loopback address.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { askEngineHost } from '../engine/identity.ts';
import { reloadPodmanService } from '../engine/podman-service.ts';
import { errorMessage } from '../errors.ts';
import type { LocalRegistryAddress } from './address.ts';

export const SYSTEM_REGISTRIES_DIR = '/etc/containers/registries.conf.d';

/** Where Podman reads drop-in registries.conf files: rootless Podman reads the user's. */
export function registriesConfDir(rootless: boolean, env: NodeJS.ProcessEnv): string {
  if (!rootless) return SYSTEM_REGISTRIES_DIR;
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'containers/registries.conf.d');
}

/** jindr-localhost-5001.conf: one file per registry, so removing one is removing its file. */
export function registriesFileName(address: Pick<LocalRegistryAddress, 'host' | 'port'>): string {
  return `jindr-${address.host.replace(/[^A-Za-z0-9.-]/g, '_')}-${address.port}.conf`;
}

/** The entry (TOML): the registry's HOST:PORT, plain HTTP allowed. */
export function registriesEntry(registry: string): string {
  return `# Written by docker jindr start: its registry on ${registry} speaks plain HTTP.\n[[registry]]\nlocation = "${registry}"\ninsecure = true\n`;
}

export type EntryPlacement = { written: string; changed: boolean } | { file: string; reason: string };

/** Writes the entry into dir, unless it is there already. */
export function placeRegistriesEntry(address: Pick<LocalRegistryAddress, 'host' | 'port' | 'registry'>, dir: string): EntryPlacement {
  const file = join(dir, registriesFileName(address));
  const text = registriesEntry(address.registry);
  try {
    if (readFileSync(file, 'utf8') === text) return { written: file, changed: false };
  } catch {
    // not there yet
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    writeFileSync(file, text, { mode: 0o644 });
    return { written: file, changed: true };
  } catch (err) {
    return { file, reason: errorMessage(err) };
  }
}

const entryLines = (registry: string): string[] => ['[[registry]]', `location = "${registry}"`, 'insecure = true'];

/** The command that writes the entry, for a shell (sudo unless root). */
export function entryCommand(address: Pick<LocalRegistryAddress, 'registry'>, file: string): string {
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  return `printf '${entryLines(address.registry).join('\\n')}\\n' | ${sudo}tee ${file}`;
}

export interface PodmanEngine {
  docker: Docker;
  local: boolean;
  /** unix:///run/podman/podman.sock and the like: where its service listens. */
  host: string;
  processEnv: NodeJS.ProcessEnv;
}

/**
 * Makes Podman push to the (plain HTTP) registry: writes its registries.conf.d entry and
 * reloads a local service. Returns what to tell the user (nothing when all was in place).
 */
export async function allowPlainHttpOnPodman(engine: PodmanEngine, address: LocalRegistryAddress): Promise<string | undefined> {
  const { rootless } = await askEngineHost(engine.docker);
  const dir = registriesConfDir(rootless, engine.processEnv);
  const onThisMachine = engine.local && process.platform === 'linux' && engine.host.startsWith('unix://');
  if (!onThisMachine) {
    const where = join(rootless ? '~/.config/containers/registries.conf.d' : SYSTEM_REGISTRIES_DIR, registriesFileName(address));
    return `Podman pushes to ${address.registry} only when its registries.conf allows plain HTTP there: on the engine's machine, write ${where} with the lines ${entryLines(address.registry).join(', ')}, then restart Podman's service`;
  }
  const placed = placeRegistriesEntry(address, dir);
  if ('reason' in placed) {
    return `Podman pushes to ${address.registry} only when its registries.conf allows plain HTTP there; cannot write ${placed.file} (${placed.reason}): run ${entryCommand(address, placed.file)}, then restart Podman's service`;
  }
  if (!placed.changed) return undefined;
  const reload = reloadPodmanService(engine.host.slice('unix://'.length));
  const wrote = `Podman may push to ${address.registry} over plain HTTP: wrote ${placed.written}`;
  if ('reloaded' in reload) return `${wrote} and had Podman's service (pid ${reload.reloaded}) read it again`;
  if ('failed' in reload)
    return `${wrote}; Podman's service reads it when it starts again or gets SIGHUP (sending it failed: ${reload.failed})`;
  return `${wrote}; Podman's service reads it when it starts (one already running needs a restart, or SIGHUP)`;
}
