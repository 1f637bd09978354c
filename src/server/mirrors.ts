// Finding the mirrors among the engine's registry containers (the jindr.mirror label names
// each one's upstream), and what a mirror is made of: its directory, its configuration
// file, the network it reaches its upstream on.
import type Docker from 'dockerode';
import { dirname } from 'node:path';
import { listRegistryContainers, type RegistryContainer } from './container.ts';
import { LABEL_MIRROR, type MirrorUpstream } from './mirror-upstream.ts';
import { MIRROR_CONFIG_PATH } from './mirror-config.ts';
import { NotFoundError } from '../errors.ts';

/** The upstream URL a registry container mirrors; undefined for a plain registry. */
export function mirrorOf(c: RegistryContainer): string | undefined {
  return c.details.Config.Labels?.[LABEL_MIRROR];
}

export function listMirrors(all: readonly RegistryContainer[]): RegistryContainer[] {
  return all.filter((c) => mirrorOf(c) !== undefined);
}

/** The mirror of upstream, from containers already listed (running ones first). */
export function pickMirror(all: readonly RegistryContainer[], upstream: MirrorUpstream): RegistryContainer | undefined {
  const found = listMirrors(all).filter((c) => mirrorOf(c) === upstream.url);
  return found.find((c) => c.running) ?? found[0];
}

export async function findMirror(docker: Docker, upstream: MirrorUpstream): Promise<RegistryContainer | undefined> {
  return pickMirror(await listRegistryContainers(docker), upstream);
}

export async function requireMirror(docker: Docker, upstream: MirrorUpstream): Promise<RegistryContainer> {
  const found = await findMirror(docker, upstream);
  if (!found) throw new NotFoundError(`no mirror of ${upstream.host} (start one with: docker jindr mirror start ${upstream.name === 'docker.io' ? '' : upstream.url})`.replace(' )', ')'));
  return found;
}

/** The host path of the configuration file mounted into the mirror, if it has one. */
export function mirrorConfigFile(c: RegistryContainer): string | undefined {
  return c.details.Mounts.find((m) => m.Destination === MIRROR_CONFIG_PATH)?.Source;
}

/** The mirror's own directory (config.yml and data/), when both live in it as we make them. */
export function mirrorDir(c: RegistryContainer): string | undefined {
  const config = mirrorConfigFile(c);
  if (config === undefined || c.storage.kind !== 'bind') return undefined;
  return dirname(config) === dirname(c.storage.path) ? dirname(config) : undefined;
}

/** The user-defined network it was attached to with --network, if any. */
export function mirrorNetwork(c: RegistryContainer): string | undefined {
  const mode = c.details.HostConfig.NetworkMode;
  return mode && mode !== 'default' && mode !== 'bridge' ? mode : undefined;
}
