// Starting a registry: reuse the container that serves the address (ours or a plain one),
// or create ours: published on a loopback address only (unless --bind), labelled, deletes
// enabled, data in a host directory. All checks happen before anything is created.
import type Docker from 'dockerode';
import {
  LABEL_DATA,
  LABEL_IMAGE,
  LABEL_REGISTRY,
  REGISTRY_CONTAINER_PORT,
  REGISTRY_STORAGE_PATH,
  findRegistryContainer,
  registryConfigPath,
  type RegistryContainer,
} from './container.ts';
import { LABEL_STORAGE } from './s3-storage.ts';
import { startRegistryContainer, waitUntilServing } from './container-control.ts';
import { checkNameFree, checkPortFree, prepareDataDir } from './prestart-checks.ts';
import { ContainerExitedError } from './exited.ts';
import { engineErrorMessage } from '../engine/engine.ts';
import { ensureImage, type ProgressSink } from '../engine/pull.ts';
import type { EngineKind } from '../engine/identity.ts';
import { sameImage } from '../engine/image-names.ts';
import { registryName, type LocalRegistryAddress } from './address.ts';
import { RefusedError, ResourceError } from '../errors.ts';

export const DEFAULT_IMAGE = 'registry:3';

export function defaultContainerName(port: number): string {
  return `jindr-${port}`;
}

export interface StartOptions {
  address: LocalRegistryAddress;
  /** Absolute data directory, when given with -d (undefined: the default, or what the container has). */
  dataDir: string | undefined;
  defaultDataDir: string;
  name: string | undefined;
  image: string | undefined;
  /** From start's --auth/--tls/--bind (security.ts); none: loopback only, no auth, no TLS. */
  security?: ContainerSecurity;
  /** --storage s3://...: the bucket's URL and the configuration file (s3-storage.ts) mounted read-only. */
  storage?: { url: string; configFile: string };
}

/** Env the container must have, the host addresses it publishes on, and how the one found differs. */
export interface ContainerSecurity {
  env: Record<string, string>;
  publish: string[];
  mismatches: string[];
}

export interface StartEnvironment {
  docker: Docker;
  /** The engine is on this machine: check the port here and create the data directory. */
  local: boolean;
  /** Podman names images its own way (image-names.ts). */
  kind: EngineKind;
  progress: ProgressSink;
  signal: AbortSignal;
}

export interface StartResult {
  outcome: 'already-running' | 'started' | 'created';
  container: RegistryContainer;
  /** Options given that an existing container does not match, for a notice. */
  ignored: string[];
}

/** Explicit options the container does not match. */
function mismatches(c: RegistryContainer, options: StartOptions, kind: EngineKind): string[] {
  const out: string[] = [];
  const dir = c.storage.kind === 'bind' ? c.storage.path : undefined;
  if (options.dataDir !== undefined && options.dataDir !== dir) out.push(`-d ${options.dataDir}`);
  if (options.image !== undefined && !sameImage(options.image, c.image, kind)) out.push(`--image ${options.image}`);
  if (options.name !== undefined && options.name !== c.name) out.push(`-n ${options.name}`);
  const url = c.storage.kind === 's3' ? c.storage.url : undefined;
  if (options.storage !== undefined && options.storage.url !== url) out.push(`--storage ${options.storage.url}`);
  return out;
}

/**
 * Starts the registry for options.address. `found` is the caller's lookup of its container
 * (pickRegistryContainer), when it has made one; else it is looked up here.
 */
export async function startRegistry(
  env: StartEnvironment,
  options: StartOptions,
  found?: { existing: RegistryContainer | undefined },
): Promise<StartResult> {
  const { docker, local } = env;
  const existing = found ? found.existing : await findRegistryContainer(docker, options.address);
  const differs = existing ? [...mismatches(existing, options, env.kind), ...(options.security?.mismatches ?? [])] : [];
  const publish = options.security?.publish ?? [options.address.bindIp];
  const checkPorts = async (): Promise<void> => {
    for (const bindIp of publish) await checkPortFree(docker, { ...options.address, bindIp }, local);
  };
  if (existing?.running) return { outcome: 'already-running', container: existing, ignored: differs };

  if (existing && differs.length === 0) {
    await checkPorts();
    if (local && existing.storage.kind === 'bind') prepareDataDir(existing.storage.path);
    await startRegistryContainer(docker, existing);
    return { outcome: 'started', container: await waitUntilServing(docker, existing, { local, signal: env.signal }), ignored: [] };
  }
  if (existing && !existing.managed) {
    throw new RefusedError(
      `the stopped registry container ${existing.name} serves ${options.address.registry} and was not made by docker jindr: ` +
        `start it without ${differs.join(' ')}, or remove it (docker rm ${existing.name})`,
    );
  }

  // A new container; a stopped one of ours with other settings is replaced (its data stays in its directory).
  const name = options.name ?? existing?.name ?? defaultContainerName(options.address.port);
  // A replaced container keeps its image too (registry:2 stays registry:2), unless --image says otherwise.
  const image = options.image ?? existing?.image ?? DEFAULT_IMAGE;
  // A replaced container's data stays where it was, unless -d says otherwise.
  const dataDir = options.dataDir ?? (existing?.storage.kind === 'bind' ? existing.storage.path : options.defaultDataDir);
  await checkPorts();
  if (local && !options.storage) prepareDataDir(dataDir);
  if (name !== existing?.name) await checkNameFree(docker, name, 'choose another with -n NAME');
  await ensureImage(docker, image, env.progress, env.signal);
  if (existing) await docker.getContainer(existing.id).remove({ v: false });

  let created: Docker.Container;
  try {
    created = await docker.createContainer(
      registryContainerOptions(options.address, name, image, options.storage ?? dataDir, options.security),
    );
  } catch (err) {
    throw new ResourceError(`cannot create the registry container ${name}: ${engineErrorMessage(err)}`, { cause: err });
  }
  try {
    await startRegistryContainer(docker, { id: created.id, name });
    const container = await waitUntilServing(docker, { id: created.id, name }, { local, signal: env.signal });
    return { outcome: 'created', container, ignored: [] };
  } catch (err) {
    // Leave nothing half-made behind: the next start creates it afresh.
    const removed = await created.remove({ force: true, v: false }).then(
      () => true,
      () => false,
    );
    // Its log is gone with it: the error carries its last lines, and no longer sends anyone to `docker logs`.
    if (removed && err instanceof ContainerExitedError) throw err.removed();
    // Unremovable (the engine went away): say what is left, on the same line.
    if (!removed && err instanceof Error) err.message += ` (the unfinished container ${name} is left behind: docker rm -f ${name})`;
    throw err;
  }
}

/** How we create a registry container; deletes enabled so images can be removed. */
export function registryContainerOptions(
  address: LocalRegistryAddress,
  name: string,
  image: string,
  /** The data directory, or S3 storage: its URL and the configuration file mounted read-only in place of the image's. */
  data: string | { url: string; configFile: string },
  security?: Pick<ContainerSecurity, 'env' | 'publish'>,
): Docker.ContainerCreateOptions {
  const publish = security?.publish ?? [address.bindIp];
  const storageLabel: Record<string, string> = typeof data === 'string' ? { [LABEL_DATA]: data } : { [LABEL_STORAGE]: data.url };
  return {
    name,
    Image: image,
    Env: ['REGISTRY_STORAGE_DELETE_ENABLED=true', ...Object.entries(security?.env ?? {}).map(([k, v]) => `${k}=${v}`)],
    Labels: { [LABEL_REGISTRY]: registryName(address.bindIp, address.port), ...storageLabel, [LABEL_IMAGE]: image },
    ExposedPorts: { [REGISTRY_CONTAINER_PORT]: {} },
    HostConfig: {
      Binds: [typeof data === 'string' ? `${data}:${REGISTRY_STORAGE_PATH}` : `${data.configFile}:${registryConfigPath(image)}:ro`],
      // On S3 storage the image's volume for /var/lib/registry would be made and never used: a tmpfs takes its place.
      ...(typeof data === 'string' ? {} : { Tmpfs: { [REGISTRY_STORAGE_PATH]: 'size=1m' } }),
      // Loopback only unless --bind, which needs --auth (or --insecure-expose).
      PortBindings: { [REGISTRY_CONTAINER_PORT]: publish.map((ip) => ({ HostIp: ip, HostPort: String(address.port) })) },
      // Back after a reboot of the engine, unless stopped on purpose.
      RestartPolicy: { Name: 'unless-stopped' },
    },
  };
}
