// The registry container: finding it (our label, or a plain registry container publishing
// the port), its state, storage area and configuration file, and the operations other
// commands need on it (start, stop, restart, recreate with other env, exec).
// Every function takes the dockerode client and returns plain results.
import type Docker from 'dockerode';
import { engineErrorMessage, engineStatus } from '../engine/engine.ts';
import { readFrames } from '../engine/frames.ts';
import { exitedError, hasExited } from './exited.ts';
import { hostIpServes, parseLocalRegistry, registryName, splitHostPort, type LocalRegistryAddress } from './address.ts';
import { InterruptedError, NotFoundError, ResourceError } from '../errors.ts';

/** Labels on containers we create; the registry label is how we find them again. */
export const LABEL_REGISTRY = 'jindr.registry';
export const LABEL_DATA = 'jindr.data';
export const REGISTRY_CONTAINER_PORT = '5000/tcp';
export const REGISTRY_STORAGE_PATH = '/var/lib/registry';
export const CONFIG_PATH_V3 = '/etc/distribution/config.yml';
export const CONFIG_PATH_V2 = '/etc/docker/registry/config.yml';

export type StorageArea =
  | { kind: 'bind'; path: string }
  | { kind: 'volume'; name: string }
  /** Nothing mounted at /var/lib/registry: the data lives in the container's own layer. */
  | { kind: 'container' };

export interface PortBinding {
  hostIp: string;
  port: number;
}

export interface RegistryContainer {
  id: string;
  name: string;
  /** The image as the container was created from it, e.g. registry:3. */
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

const asList = (value: string | string[] | undefined | null): string[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];

/** The plain description of an inspected container. */
export function describeContainer(details: Docker.ContainerInspectInfo, status = details.State.Status): RegistryContainer {
  const live = details.State.Running ? details.NetworkSettings?.Ports?.[REGISTRY_CONTAINER_PORT] : undefined;
  const configured = details.HostConfig?.PortBindings?.[REGISTRY_CONTAINER_PORT] as { HostIp?: string; HostPort?: string }[] | undefined;
  const bindings = (live ?? configured ?? [])
    .map((b) => ({ hostIp: b.HostIp ?? '', port: Number(b.HostPort) }))
    .filter((b) => Number.isInteger(b.port) && b.port > 0);
  const labels = details.Config.Labels ?? {};
  const mount = details.Mounts.find((m) => m.Destination === REGISTRY_STORAGE_PATH);
  const storage: StorageArea = mount?.Type === 'bind' ? { kind: 'bind', path: mount.Source }
    : mount?.Type === 'volume' && mount.Name ? { kind: 'volume', name: mount.Name } : { kind: 'container' };
  const first = bindings[0];
  return {
    id: details.Id,
    name: details.Name.replace(/^\//, ''),
    image: details.Config.Image,
    state: details.State.Status,
    running: details.State.Running,
    status,
    registry: labels[LABEL_REGISTRY] ?? (first ? registryName(first.hostIp, first.port) : undefined),
    bindings,
    storage,
    managed: labels[LABEL_REGISTRY] !== undefined,
    configPath: registryConfigPath(details.Config.Image, asList(details.Config.Cmd), asList(details.Config.Entrypoint)),
    details,
  };
}

/** Every registry container on the engine, running or not: ours and plain ones. */
export async function listRegistryContainers(docker: Docker): Promise<RegistryContainer[]> {
  const all = await docker.listContainers({ all: true });
  const found = await Promise.all(all.filter(looksLikeRegistry).map(async (info) => {
    try {
      return describeContainer(await docker.getContainer(info.Id).inspect(), info.Status);
    } catch (err) {
      if (engineStatus(err) === 404) return undefined; // removed meanwhile
      throw err;
    }
  }));
  return found.filter((c): c is RegistryContainer => c !== undefined);
}

function servesAddress(c: RegistryContainer, address: LocalRegistryAddress): boolean {
  if (c.bindings.some((b) => b.port === address.port && hostIpServes(b.hostIp, address.bindIp))) return true;
  const label = c.details.Config.Labels?.[LABEL_REGISTRY];
  if (label === undefined) return false;
  const { host, port } = splitHostPort(label);
  const bindIp = host === 'localhost' ? '127.0.0.1' : host;
  return Number(port) === address.port && bindIp === address.bindIp;
}

/**
 * The registry container for HOST:PORT (e.g. "localhost:5001"), running or not; undefined when
 * there is none. Running ones win, then ours, then the newest.
 */
export async function findRegistryContainer(docker: Docker, registry: string | LocalRegistryAddress): Promise<RegistryContainer | undefined> {
  return pickRegistryContainer(await listRegistryContainers(docker), registry);
}

/** findRegistryContainer over containers already listed (listRegistryContainers). */
export function pickRegistryContainer(all: readonly RegistryContainer[], registry: string | LocalRegistryAddress): RegistryContainer | undefined {
  const address = typeof registry === 'string' ? parseLocalRegistry(registry) : registry;
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

function startFailure(c: { name: string }, err: unknown): ResourceError {
  const message = engineErrorMessage(err);
  if (/port is already allocated|address already in use/i.test(message)) {
    return new ResourceError(`cannot start ${c.name}: its port is taken by something else (${message})`, { cause: err });
  }
  return new ResourceError(`cannot start the registry container ${c.name}: ${message}`, { cause: err });
}

/** Starts it; already running is fine. */
export async function startRegistryContainer(docker: Docker, c: { id: string; name: string }): Promise<void> {
  try {
    await docker.getContainer(c.id).start();
  } catch (err) {
    if (engineStatus(err) === 304) return;
    throw startFailure(c, err);
  }
}

/** Stops it (SIGTERM, then SIGKILL after timeoutSeconds); already stopped is fine. */
export async function stopRegistryContainer(docker: Docker, c: { id: string; name: string }, timeoutSeconds = 10): Promise<void> {
  try {
    await docker.getContainer(c.id).stop({ t: timeoutSeconds });
  } catch (err) {
    if (engineStatus(err) === 304) return;
    throw new ResourceError(`cannot stop the registry container ${c.name}: ${engineErrorMessage(err)}`, { cause: err });
  }
}

export async function restartRegistryContainer(docker: Docker, c: { id: string; name: string }, timeoutSeconds = 10): Promise<void> {
  try {
    await docker.getContainer(c.id).restart({ t: timeoutSeconds });
  } catch (err) {
    throw startFailure(c, err);
  }
}

/** env with each of changes set (a string) or removed (null), order kept. */
export function changeEnv(env: readonly string[], changes: Record<string, string | null>): string[] {
  const keyOf = (entry: string): string => entry.split('=', 1)[0]!;
  const kept = env.filter((entry) => !(keyOf(entry) in changes));
  const added = Object.entries(changes).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${v}`);
  return [...kept, ...added];
}

/** Named and anonymous volumes mounted without a -v entry must be named to survive a re-create. */
function bindsKeepingVolumes(details: Docker.ContainerInspectInfo): string[] {
  const binds = [...(details.HostConfig.Binds ?? [])];
  const listed = new Set(binds.map((b) => b.split(':')[1]));
  const explicitMounts = new Set((details.HostConfig.Mounts ?? []).map((m) => m.Target));
  for (const m of details.Mounts) {
    if (m.Type === 'volume' && m.Name && !listed.has(m.Destination) && !explicitMounts.has(m.Destination)) {
      binds.push(`${m.Name}:${m.Destination}${m.RW ? '' : ':ro'}`);
    }
  }
  return binds;
}

/**
 * Replaces the container by one created the same way but with env as its environment
 * (Docker cannot change the env of a container). Same name, labels, ports, mounts and
 * restart policy; started if the old one ran. The old one is kept, renamed, until the new
 * one runs, and put back if anything fails. Run it inside ctx.critical.
 */
export async function recreateRegistryContainer(docker: Docker, container: { id: string; name: string }, env: readonly string[]): Promise<RegistryContainer> {
  const old = await inspectRegistryContainer(docker, container);
  const d = old.details;
  const wasRunning = old.running;
  const options: Docker.ContainerCreateOptions = {
    name: old.name,
    Image: d.Config.Image,
    Env: [...env],
    Cmd: asList(d.Config.Cmd),
    Entrypoint: asList(d.Config.Entrypoint),
    Labels: d.Config.Labels,
    ExposedPorts: d.Config.ExposedPorts,
    Volumes: d.Config.Volumes,
    WorkingDir: d.Config.WorkingDir,
    User: d.Config.User,
    Tty: d.Config.Tty,
    HostConfig: { ...d.HostConfig, Binds: bindsKeepingVolumes(d) },
  };
  const oldHandle = docker.getContainer(old.id);
  if (wasRunning) await stopRegistryContainer(docker, old);
  const parked = `${old.name}-replaced-${Date.now().toString(36)}`;
  await oldHandle.rename({ name: parked });
  let created: Docker.Container | undefined;
  try {
    created = await docker.createContainer(options);
    if (wasRunning) await created.start();
  } catch (err) {
    if (created) await created.remove({ force: true }).catch(() => {});
    await oldHandle.rename({ name: old.name });
    if (wasRunning) await startRegistryContainer(docker, old);
    throw new ResourceError(`cannot re-create the registry container ${old.name} (left as it was): ${engineErrorMessage(err)}`, { cause: err });
  }
  await oldHandle.remove({ v: false }); // keep volumes: the new container uses them
  return inspectRegistryContainer(docker, { id: created.id, name: old.name });
}

/**
 * Re-creates the container with extra env (e.g. REGISTRY_STORAGE_MAINTENANCE_READONLY), and
 * gives restore() that re-creates it with exactly its former env.
 */
export async function restartRegistryWithEnv(
  docker: Docker,
  container: { id: string; name: string },
  extraEnv: Record<string, string>,
): Promise<{ container: RegistryContainer; restore(): Promise<RegistryContainer> }> {
  const before = await inspectRegistryContainer(docker, container);
  const originalEnv = before.details.Config.Env ?? [];
  const changed = await recreateRegistryContainer(docker, before, changeEnv(originalEnv, extraEnv));
  return { container: changed, restore: () => recreateRegistryContainer(docker, changed, originalEnv) };
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs cmd in the (running) container and collects its output and exit code. */
export async function execInContainer(
  docker: Docker,
  container: { id: string },
  cmd: readonly string[],
  options: { signal?: AbortSignal; env?: readonly string[]; user?: string } = {},
): Promise<ExecResult> {
  const exec = await docker.getContainer(container.id).exec({
    Cmd: [...cmd], AttachStdout: true, AttachStderr: true, Tty: false,
    ...(options.env ? { Env: [...options.env] } : {}), ...(options.user ? { User: options.user } : {}),
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const onAbort = (): void => {
    stream.destroy();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await readFrames(stream, false, (f) => (f.stream === 2 ? err : out).push(f.data));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (options.signal?.aborted) throw new InterruptedError();
  let info = await exec.inspect();
  for (let i = 0; info.Running && i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    info = await exec.inspect();
  }
  return { exitCode: info.ExitCode ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

/**
 * Waits until the container runs and, when its port is on this machine (local engine),
 * answers HTTP. A container whose process exits meanwhile (restarting in a loop included)
 * fails at once with the last lines of its log (ContainerExitedError).
 */
export async function waitUntilServing(
  docker: Docker,
  container: { id: string; name: string },
  options: { local: boolean; signal?: AbortSignal; timeoutMs?: number },
): Promise<RegistryContainer> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let restartsBefore: number | undefined;
  for (;;) {
    if (options.signal?.aborted) throw new InterruptedError();
    const c = await inspectRegistryContainer(docker, container);
    restartsBefore ??= c.details.RestartCount ?? 0;
    if (hasExited(c.details.State, c.details.RestartCount ?? 0, restartsBefore)) throw await exitedError(docker, c);
    const binding = c.bindings[0];
    if (c.running && (!options.local || !binding)) return c;
    if (c.running && binding) {
      const ip = binding.hostIp === '' || binding.hostIp === '0.0.0.0' ? '127.0.0.1' : binding.hostIp === '::' ? '::1' : binding.hostIp;
      const host = ip.includes(':') ? `[${ip}]` : ip;
      try {
        await fetch(`http://${host}:${binding.port}/v2/`, { signal: AbortSignal.timeout(2000) });
        return c;
      } catch {
        // not listening yet
      }
    }
    if (Date.now() > deadline) throw new ResourceError(`the registry container ${c.name} does not answer on port ${binding?.port ?? '?'} (docker logs ${c.name} may say why)`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
