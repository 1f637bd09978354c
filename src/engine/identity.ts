// Which engine answers: Docker's or Podman's Docker-compatible one, and its name for
// people (info). Decided once per connection from the engine's /version (engine.ts
// asks, on first use); what its /info says (rootless, Docker Desktop) where a caller
// needs that. Both are best effort: an engine that does not say counts as Docker.
import type Docker from 'dockerode';
import * as shape from '../json-shape.ts';

export type EngineKind = 'docker' | 'podman';

export interface EngineIdentity {
  kind: EngineKind;
  /** For people: "Docker 20.10.24", "Podman 4.3.1", "Docker Desktop 4.25.0 (126437), engine 24.0.6". */
  name: string;
}

const UNKNOWN: EngineIdentity = { kind: 'docker', name: 'Docker (version unknown)' };

/** The identity in an engine's /version answer (Podman lists a "Podman Engine" component). */
export function identifyEngine(version: unknown): EngineIdentity {
  if (!shape.isJsonObject(version)) return UNKNOWN;
  const components = shape.isArray(version.Components, shape.isJsonObject) ? version.Components : [];
  const podman = components.find((c) => c.Name === 'Podman Engine');
  const own = (value: unknown): string | undefined => (shape.isString(value) && value.trim() !== '' ? value.trim() : undefined);
  if (podman) return { kind: 'podman', name: `Podman ${own(podman.Version) ?? own(version.Version) ?? '(version unknown)'}` };
  const number = own(version.Version) ?? '(version unknown)';
  const platform = shape.isJsonObject(version.Platform) ? own(version.Platform.Name) : undefined;
  if (platform === undefined) return { kind: 'docker', name: `Docker ${number}` };
  // Docker Desktop names its own version ("Docker Desktop 4.25.0 (126437)"); Docker CE does not.
  return { kind: 'docker', name: /\d/.test(platform) ? `${platform}, engine ${number}` : `${platform} ${number}` };
}

export async function askIdentity(docker: Docker, signal?: AbortSignal): Promise<EngineIdentity> {
  const version = docker.version as unknown as (opts: { abortSignal?: AbortSignal }) => Promise<unknown>;
  return identifyEngine(await version.call(docker, signal ? { abortSignal: signal } : {}).catch(() => undefined));
}

export interface EngineHost {
  /** The engine runs rootless: it reads the user's configuration (certs.d, registries.conf.d). */
  rootless: boolean;
  /** Docker Desktop: its engine is in a VM, and it reads certs.d from the user's ~/.docker. */
  desktop: boolean;
}

/** What the engine's /info says about where it runs; a context named desktop-linux is Docker Desktop's. */
export async function askEngineHost(docker: Docker, context?: string): Promise<EngineHost> {
  const info: unknown = await docker.info().catch(() => undefined);
  const fields = shape.isJsonObject(info) ? info : {};
  const options = shape.isArray(fields.SecurityOptions, shape.isString) ? fields.SecurityOptions : [];
  return {
    rootless: options.some((o) => o.split(',').includes('name=rootless')),
    desktop: fields.OperatingSystem === 'Docker Desktop' || context === 'desktop-linux',
  };
}
