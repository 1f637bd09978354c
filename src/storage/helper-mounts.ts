// gc's helper container: the registry's image, env and storage, no network, an idle shell.
// The registry container's volumes and bind mounts are given to it explicitly. Not
// --volumes-from: Podman before 4.7 refuses that for a container that bind-mounts a path
// its image declares as VOLUME ("duplicate mount destination", containers/podman#19529),
// which is how every registry container is made. Explicit mounts work the same on Docker
// and Podman. A mirror's configuration file holds its upstream login: the helper gets the
// same configuration without the login instead (it reads only the storage settings).
import type Docker from 'dockerode';
import { existsSync } from 'node:fs';
import type { RegistryContainer } from '../server/container.ts';
import { MIRROR_CONFIG_PATH, mirrorConfigYaml, writeMirrorConfig } from '../server/mirror-config.ts';
import { mirrorGcConfig, upstreamOf } from '../server/mirrors.ts';

/** The label on gc's helper containers: the registry container's name. */
export const HELPER_LABEL = 'jindr.gc-for';

/**
 * Mounts for HostConfig.Mounts: each bind and volume of the container, read-only as it has
 * it; a bind whose target is in `replace` comes from the host path given there instead
 * (null: left out).
 */
export function helperMounts(details: Pick<Docker.ContainerInspectInfo, 'Mounts'>, replace: Readonly<Record<string, string | null>> = {}): Docker.MountConfig {
  const mounts: Docker.MountConfig = [];
  for (const m of details.Mounts) {
    const ReadOnly = m.RW === false;
    const other = replace[m.Destination];
    if (other === null) continue;
    if (m.Type === 'bind' && m.Source) mounts.push({ Type: 'bind', Source: other ?? m.Source, Target: m.Destination, ReadOnly });
    else if (m.Type === 'volume' && m.Name) mounts.push({ Type: 'volume', Source: m.Name, Target: m.Destination, ReadOnly });
    // tmpfs and the rest hold nothing a second container could share
  }
  return mounts;
}

/** A mirror's login file is replaced by its configuration without the login (written again if it went missing). */
function withoutSecrets(registry: RegistryContainer): Record<string, string | null> {
  // Not a mirror, or one whose login is still in its data directory (the helper sees that anyway).
  const open = mirrorGcConfig(registry);
  if (open === undefined) return {};
  if (!existsSync(open)) writeMirrorConfig(open, mirrorConfigYaml(upstreamOf(registry), undefined));
  return { [MIRROR_CONFIG_PATH]: open };
}

/** How gc creates its helper for registry: a container that sees the storage and can run the registry's tools. */
export function helperContainerOptions(registry: RegistryContainer, name: string): Docker.ContainerCreateOptions {
  const d = registry.details;
  return {
    name,
    Image: d.Image, // the image ID: exactly the registry's binary, even if its tag moved
    Entrypoint: ['sh', '-c', 'while :; do sleep 3600; done'],
    Cmd: [],
    Env: d.Config.Env ?? [],
    User: d.Config.User,
    Labels: { [HELPER_LABEL]: registry.name },
    HostConfig: { Mounts: helperMounts(d, withoutSecrets(registry)), NetworkMode: 'none' },
  };
}
