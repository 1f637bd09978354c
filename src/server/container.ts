// The registry container: finding it (our label, or a plain registry container publishing
// the port), its state, storage area and configuration file. What is done to it lives
// beside: container-control.ts (start, stop, restart, wait until serving),
// container-recreate.ts (the same container with other env), container-exec.ts.
// Every function takes the dockerode client and returns plain results.
import type Docker from 'dockerode';
import { engineStatus } from '../engine/engine.ts';
import { bindIpOf, hostIpServes, hostNetworkBinding, parseLocalRegistry, registryName, type LocalRegistryAddress } from './address.ts';
import { parseRegistryHost, type RegistryHost } from '../registry/host.ts';
import { NotFoundError } from '../errors.ts';
import { checkContainerDetails } from './container-details.ts';
import { s3StorageOf } from './s3-storage.ts';

/** Labels on containers we create; the registry label is how we find them again. */
export const LABEL_REGISTRY = 'jindr.registry';
export const LABEL_DATA = 'jindr.data';
/** The image as given to start: Podman reports a container's image fully qualified (localhost/registry:2). */
export const LABEL_IMAGE = 'jindr.image';
/** The label that marks a registry container as a mirror; its value is the upstream's URL. */
export const LABEL_MIRROR = 'jindr.mirror';
export const REGISTRY_CONTAINER_PORT = '5000/tcp';
export const REGISTRY_STORAGE_PATH = '/var/lib/registry';
/** Mirrors keep their data in DATA/mirrors/NAME: inside the storage area of the registry whose data directory is DATA, but not its. */
export const MIRRORS_SUBDIR = 'mirrors';
export const CONFIG_PATH_V3 = '/etc/distribution/config.yml';
export const CONFIG_PATH_V2 = '/etc/docker/registry/config.yml';

export type StorageArea =
  | { kind: 'bind'; path: string }
  | { kind: 'volume'; name: string }
  /** Nothing mounted at /var/lib/registry: the data lives in the container's own layer. */
  | { kind: 'container' }
  /** An S3 bucket (start --storage s3://BUCKET[/PREFIX]): url is that. */
  | { kind: 's3'; url: string };

export interface PortBinding {
  hostIp: string;
  port: number;
}

export interface RegistryContainer {
  id: string;
  name: string;
  /** The image as the container was created from it, e.g. registry:3 (as given to start, for ours). */
  image: string;
  /** running, exited, created, paused, restarting, dead */
  state: string;
  running: boolean;
  /** Docker's words for the state, e.g. "Up 3 minutes" (when listed). */
  status: string;
  /** HOST:PORT it serves, e.g. localhost:5001; undefined when nothing is published. */
  registry: string | undefined;
  bindings: PortBinding[];
  storage: StorageArea;
  /** Created by docker-jindr (labelled), rather than a plain registry container. */
  managed: boolean;
  /** The registry's configuration file inside the container. */
  configPath: string;
  details: Docker.ContainerInspectInfo;
}

/** The registry's config file: the .yml argument of its command, else by image version. */
export function registryConfigPath(image: string, cmd: readonly string[] = [], entrypoint: readonly string[] = []): string {
  const yml = [...entrypoint, ...cmd].find((arg) => /\.ya?ml$/.test(arg));
  if (yml) return yml;
  const tag = /:([^/:@]+)(@.*)?$/.exec(image)?.[1] ?? '';
  return /^v?2(\.|$|-)/.test(tag) ? CONFIG_PATH_V2 : CONFIG_PATH_V3;
}

/** registry, distribution/distribution, host:5000/mirror/registry:2, ... */
export function imageLooksLikeRegistry(image: string): boolean {
  const name = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  const last = name.split('/').at(-1) ?? '';
  return last === 'registry' || last === 'distribution';
}

function looksLikeRegistry(info: Docker.ContainerInfo): boolean {
  if (info.Labels?.[LABEL_REGISTRY] !== undefined) return true;
  if (imageLooksLikeRegistry(info.Image)) return true;
  return [CONFIG_PATH_V2, CONFIG_PATH_V3, 'registry serve'].some((s) => info.Command?.includes(s));
}

export const asList = (value: string | string[] | undefined | null): string[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];

/** The plain description of an inspected container. */
export function describeContainer(inspected: Docker.ContainerInspectInfo, status?: string): RegistryContainer {
  const details = checkContainerDetails(inspected);
  const live = details.State.Running ? details.NetworkSettings?.Ports?.[REGISTRY_CONTAINER_PORT] : undefined;
  const configured = details.HostConfig?.PortBindings?.[REGISTRY_CONTAINER_PORT] as { HostIp?: string; HostPort?: string }[] | undefined;
  // On the host's network nothing is published: the registry's own listening address stands in.
  const onHost = details.HostConfig?.NetworkMode === 'host' ? hostNetworkBinding(details.Config.Env ?? []) : undefined;
  const bindings = onHost
    ? [onHost]
    : (live ?? configured ?? [])
        .map((b) => ({ hostIp: b.HostIp ?? '', port: Number(b.HostPort) }))
        .filter((b) => Number.isInteger(b.port) && b.port > 0);
  const labels = details.Config.Labels ?? {};
  const mount = details.Mounts.find((m) => m.Destination === REGISTRY_STORAGE_PATH);
  const s3 = s3StorageOf(labels);
  const storage: StorageArea = s3
    ? { kind: 's3', url: s3 }
    : mount?.Type === 'bind'
      ? { kind: 'bind', path: mount.Source }
      : mount?.Type === 'volume' && mount.Name
        ? { kind: 'volume', name: mount.Name }
        : { kind: 'container' };
  const first = bindings[0];
  return {
    id: details.Id,
    name: details.Name.replace(/^\//, ''),
    image: labels[LABEL_IMAGE] || details.Config.Image,
    state: details.State.Status,
    running: details.State.Running,
    status: status ?? details.State.Status,
    registry: labels[LABEL_REGISTRY] ?? (first ? registryName(first.hostIp, first.port) : undefined),
    bindings,
    storage,
    managed: labels[LABEL_REGISTRY] !== undefined,
    configPath: registryConfigPath(details.Config.Image, asList(details.Config.Cmd), asList(details.Config.Entrypoint)),
    details,
  };
}

/** Every registry container on the engine, running or not: ours and plain ones. */
/** The upstream URL a registry container mirrors; undefined for a plain registry. */
export function mirrorOf(c: RegistryContainer): string | undefined {
  return c.details.Config.Labels?.[LABEL_MIRROR];
}

export async function listRegistryContainers(docker: Docker): Promise<RegistryContainer[]> {
  const all = await docker.listContainers({ all: true });
  const found = await Promise.all(
    all.filter(looksLikeRegistry).map(async (info) => {
      try {
        return describeContainer(await docker.getContainer(info.Id).inspect(), info.Status);
      } catch (err) {
        if (engineStatus(err) === 404) return undefined; // removed meanwhile
        throw err;
      }
    }),
  );
  return found.filter((c): c is RegistryContainer => c !== undefined);
}

function servesAddress(c: RegistryContainer, address: LocalRegistryAddress): boolean {
  if (c.bindings.some((b) => b.port === address.port && hostIpServes(b.hostIp, address.bindIp))) return true;
  const label = c.details.Config.Labels?.[LABEL_REGISTRY];
  if (label === undefined) return false;
  const host = parseRegistryHost(label);
  return typeof host !== 'string' && host.port === address.port && bindIpOf(host.hostname) === address.bindIp;
}

/**
 * The registry container for HOST:PORT (e.g. "localhost:5001"), running or not; undefined when
 * there is none. Running ones win, then ours, then the newest.
 */
export async function findRegistryContainer(
  docker: Docker,
  registry: RegistryHost | string | LocalRegistryAddress,
): Promise<RegistryContainer | undefined> {
  return pickRegistryContainer(await listRegistryContainers(docker), registry);
}

/** findRegistryContainer over containers already listed (listRegistryContainers). */
export function pickRegistryContainer(
  all: readonly RegistryContainer[],
  registry: RegistryHost | string | LocalRegistryAddress,
): RegistryContainer | undefined {
  const address = typeof registry !== 'string' && 'bindIp' in registry ? registry : parseLocalRegistry(registry);
  const matches = all.filter((c) => servesAddress(c, address));
  const rank = (c: RegistryContainer): number => (c.running ? 2 : 0) + (c.managed ? 1 : 0);
  matches.sort((a, b) => rank(b) - rank(a) || Date.parse(b.details.Created) - Date.parse(a.details.Created));
  return matches[0];
}

/** Fresh state of a container we found before. */
export async function inspectRegistryContainer(docker: Docker, container: { id: string; name: string }): Promise<RegistryContainer> {
  try {
    return describeContainer(await docker.getContainer(container.id).inspect());
  } catch (err) {
    if (engineStatus(err) === 404) throw new NotFoundError(`the registry container ${container.name} no longer exists`);
    throw err;
  }
}
