// gc's helper container: the registry's image, env and storage, no network, an idle shell.
// The registry container's volumes and bind mounts are given to it explicitly. Not
// --volumes-from: Podman before 4.7 refuses that for a container that bind-mounts a path
// its image declares as VOLUME ("duplicate mount destination", containers/podman#19529),
// which is how every registry container is made. Explicit mounts work the same on Docker
// and Podman.
// The helper sees only what gc needs, never a secret: of the bind that holds the storage
// root (a registry's data directory, whose auth/htpasswd and tls/ keys the registry itself
// needs), only ROOT/docker, distribution's whole storage tree, over an empty tmpfs at the
// bind's place (which also keeps the image's VOLUME from making an anonymous volume). A
// mirror's configuration file holds its upstream login: the helper gets the same
// configuration without the login instead (it reads only the storage settings).
import type Docker from 'dockerode';
import { existsSync } from 'node:fs';
import { posix } from 'node:path';
import type { RegistryContainer } from '../server/container.ts';
import { MIRROR_CONFIG_PATH, mirrorConfigYaml, writeMirrorConfig } from '../mirror/mirror-config.ts';
import { mirrorGcConfig, upstreamOf } from '../mirror/mirrors.ts';

/** The label on gc's helper containers: the registry container's name. */
export const HELPER_LABEL = 'jindr.gc-for';

/**
 * Mounts for HostConfig.Mounts: each bind and volume of the container, read-only as it has
 * it; a bind whose target is in `replace` comes from the host path given there instead
 * (null: left out).
 */
export function helperMounts(
  details: Pick<Docker.ContainerInspectInfo, 'Mounts'>,
  replace: Readonly<Record<string, string | null>> = {},
): Docker.MountConfig {
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

const inside = (path: string, dir: string): boolean => path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);

/**
 * The bind holding the storage root narrowed to ROOT/docker: an empty tmpfs where the bind
 * was, and the host's SOURCE/…/docker bound at ROOT/docker as a Binds entry (the engine
 * makes it when nothing was ever pushed; Docker refuses a missing source in Mounts). A
 * configuration file the registry keeps in that bind outside ROOT/docker (a registry
 * docker-jindr did not make) comes along alone, read-only. A volume stays whole (a
 * sub-path of a volume needs API 1.45): docker-jindr puts no secret in one.
 */
export function storageOnly(mounts: Docker.MountConfig, root: string, configPath: string): { mounts: Docker.MountConfig; binds: string[] } {
  const holder = mounts
    .filter((m) => m.Target !== undefined && inside(root, m.Target))
    .sort((a, b) => b.Target.length - a.Target.length)[0];
  if (holder?.Type !== 'bind' || holder.Source === undefined) return { mounts, binds: [] };
  const target = holder.Target;
  const hostPath = (path: string): string => posix.join(holder.Source, posix.relative(target, path));
  const storage = posix.join(root, 'docker');
  // Other mounts inside the bind but outside the storage tree are not gc's business.
  const out: Docker.MountConfig = mounts.filter(
    (m) => m !== holder && (!inside(m.Target, target) || inside(m.Target, storage) || m.Target === configPath),
  );
  out.push({ Type: 'tmpfs', Source: '', Target: target });
  const binds: string[] = [];
  const source = hostPath(storage);
  // A colon would split a Binds entry: such a path goes to Mounts (and must exist).
  if (source.includes(':') || storage.includes(':'))
    out.push({ Type: 'bind', Source: source, Target: storage, ReadOnly: holder.ReadOnly ?? false });
  else binds.push(`${source}:${storage}${holder.ReadOnly ? ':ro' : ''}`);
  if (inside(configPath, target) && !inside(configPath, storage) && !out.some((m) => m.Target === configPath)) {
    out.push({ Type: 'bind', Source: hostPath(configPath), Target: configPath, ReadOnly: true });
  }
  return { mounts: out, binds };
}

/** A mirror's login file is replaced by its configuration without the login (written again if it went missing). */
function withoutSecrets(registry: RegistryContainer): Record<string, string | null> {
  // Not a mirror, or one whose login is still in its data directory (the helper sees that anyway).
  const open = mirrorGcConfig(registry);
  if (open === undefined) return {};
  if (!existsSync(open)) writeMirrorConfig(open, mirrorConfigYaml(upstreamOf(registry), undefined));
  return { [MIRROR_CONFIG_PATH]: open };
}

/**
 * How gc creates its helper for registry, whose filesystem storage root (in the container)
 * is root: a container that sees that storage and can run the registry's tools.
 */
export function helperContainerOptions(registry: RegistryContainer, name: string, root: string): Docker.ContainerCreateOptions {
  const d = registry.details;
  const { mounts, binds } = storageOnly(helperMounts(d, withoutSecrets(registry)), root, registry.configPath);
  return {
    name,
    Image: d.Image, // the image ID: exactly the registry's binary, even if its tag moved
    Entrypoint: ['sh', '-c', 'while :; do sleep 3600; done'],
    Cmd: [],
    Env: d.Config.Env ?? [],
    User: d.Config.User,
    Labels: { [HELPER_LABEL]: registry.name },
    // With NetworkMode 'none' the helper still has only its loopback; NetworkDisabled also
    // spares dockerd its network setup hook at the start (~370 against ~600 ms of CPU per
    // start+rm measured here). Podman takes it too.
    NetworkDisabled: true,
    HostConfig: { Mounts: mounts, ...(binds.length > 0 ? { Binds: binds } : {}), NetworkMode: 'none' },
  };
}
