// What a registry container is, for people and for --format json: its storage area, its
// state, its login and TLS (security-info.ts asks a running one). stat shows one; info
// shows all (src/storage/overview.ts adds their sizes); start and stop name the storage.
import type Docker from 'dockerode';
import type { Engine } from '../engine/engine.ts';
import { NotFoundError } from '../errors.ts';
import { jindrCommand } from '../registry/host.ts';
import type { LocalRegistryAddress } from './address.ts';
import { findRegistryContainer, type RegistryContainer } from './container.ts';
import { registrySecurity, type RegistrySecurity } from './security-info.ts';

/** The storage area for people: a path, a volume, or the container itself. */
export function describeStorage(c: RegistryContainer): string {
  switch (c.storage.kind) {
    case 'bind':
      return c.storage.path;
    case 'volume':
      return `volume ${c.storage.name}`;
    case 'container':
      return 'the container (no volume)';
    case 's3':
      return c.storage.url;
  }
}

/** How to make a registry for the address: the hint of every "no registry" message. */
export function startHint(address: LocalRegistryAddress): string {
  return `start one with: ${jindrCommand(address.registry, 'start')}`;
}

/** The registry container serving the address, running or not; a NotFoundError saying how to start one when there is none. */
export async function requireRegistryContainer(docker: Docker, address: LocalRegistryAddress): Promise<RegistryContainer> {
  const c = await findRegistryContainer(docker, address);
  if (!c) throw new NotFoundError(`no registry container for ${address.registry} (${startHint(address)})`);
  return c;
}

export interface RegistryStatus {
  address: LocalRegistryAddress;
  /** Undefined when no container serves the address. */
  container?: RegistryContainer;
  /** Login and TLS, asked of a running registry when the engine is on this machine. */
  security?: RegistrySecurity;
}

/** stat: the registry container for the address, if any, and its security. */
export async function registryStatus(
  engine: Pick<Engine, 'docker' | 'local'>,
  address: LocalRegistryAddress,
  signal?: AbortSignal,
): Promise<RegistryStatus> {
  const container = await findRegistryContainer(engine.docker, address);
  if (!container) return { address };
  return { address, container, security: await registrySecurity(container, engine.local, signal) };
}
