// Finding the mirrors among the engine's registry containers (the jindr.mirror label, read
// by container.ts's mirrorOf, names each one's upstream), and what a mirror is made of:
// its directory, its configuration file (and so whether it serves offline), the network it
// reaches its upstream on.
import { basename, dirname, join } from 'node:path';
import { mirrorOf, type RegistryContainer } from '../server/container.ts';
import { parseUpstream, type MirrorUpstream } from './mirror-upstream.ts';
import { readFileSync } from 'node:fs';
import { configMode, MIRROR_CONFIG_PATH, type MirrorMode } from './mirror-config.ts';

export function listMirrors(all: readonly RegistryContainer[]): RegistryContainer[] {
  return all.filter((c) => mirrorOf(c) !== undefined);
}

/**
 * The mirror of upstream, from containers already listed (running ones first); else the
 * mirror whose name (as `mirror ls` shows it, e.g. upstream-5000) upstream's name is.
 */
export function pickMirror(all: readonly RegistryContainer[], upstream: MirrorUpstream): RegistryContainer | undefined {
  const mirrors = listMirrors(all);
  let found = mirrors.filter((c) => mirrorOf(c) === upstream.url);
  if (found.length === 0) found = mirrors.filter((c) => nameOf(c) === upstream.name);
  return found.find((c) => c.running) ?? found[0];
}

function nameOf(c: RegistryContainer): string | undefined {
  try {
    return upstreamOf(c).name;
  } catch {
    return undefined; // a label we did not write
  }
}

/** The upstream a mirror container proxies, from its label. */
export function upstreamOf(c: RegistryContainer): MirrorUpstream {
  const url = mirrorOf(c);
  if (url === undefined) throw new Error(`${c.name} is not a mirror`);
  return parseUpstream(url);
}

/** The host path of the configuration file mounted into the mirror (the one with its login), if it has one. */
export function mirrorConfigFile(c: RegistryContainer): string | undefined {
  return c.details.Mounts.find((m) => m.Destination === MIRROR_CONFIG_PATH)?.Source;
}

/** The mirror's own directory (DATA/mirrors/NAME, holding data/), when it has one as we make them. */
export function mirrorDir(c: RegistryContainer): string | undefined {
  if (mirrorConfigFile(c) === undefined || c.storage.kind !== 'bind' || basename(c.storage.path) !== 'data') return undefined;
  return dirname(c.storage.path);
}

/** Beside the file with the login: the same configuration without it, for gc's helper. */
export function withoutLoginFile(file: string): string {
  return `${file.replace(/\.yml$/, '')}.no-login.yml`;
}

/** The configuration without the login that gc's helper gets (undefined for a mirror not yet moved). */
export function mirrorGcConfig(c: RegistryContainer): string | undefined {
  const file = mirrorConfigFile(c);
  return file === undefined || loginInDataDir(c) ? undefined : withoutLoginFile(file);
}

/**
 * Made before logins moved out of data directories: the file with the login is the
 * mirror's own DATA/mirrors/NAME/config.yml, inside the storage of the registry whose data
 * directory holds the mirror (and of gc's helpers). `mirror start` moves it.
 */
export function loginInDataDir(c: RegistryContainer): boolean {
  const file = mirrorConfigFile(c);
  const dir = mirrorDir(c);
  return file !== undefined && dir !== undefined && file === join(dir, 'config.yml');
}

/** The user-defined network it was attached to with --network, if any. */
export function mirrorNetwork(c: RegistryContainer): string | undefined {
  const mode = c.details.HostConfig.NetworkMode;
  return mode && mode !== 'default' && mode !== 'bridge' ? mode : undefined;
}

/** How a running mirror serves, from the configuration file it was started with; null when not running or unknown. */
export function mirrorMode(c: RegistryContainer): MirrorMode | null {
  const file = c.running ? mirrorConfigFile(c) : undefined;
  if (file === undefined) return null;
  try {
    return configMode(readFileSync(file, 'utf8'));
  } catch {
    return null; // not on this machine, or not readable
  }
}
