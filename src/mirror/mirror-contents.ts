// A running mirror's contents, read from its storage inside its container: the view the
// reporting and deleting commands use (mirror-view.ts), and what `mirror ls` shows.
import type Docker from 'dockerode';
import { mirrorOf, type RegistryContainer } from '../server/container.ts';
import { listMirrors, mirrorDir, mirrorMode, mirrorNetwork, upstreamOf } from './mirrors.ts';
import { execIn } from '../server/container-exec.ts';
import { listStorage } from '../storage/storage-listing.ts';
import { readAtStorageRoot } from '../storage/storage-root.ts';
import { storageSize } from '../storage/sizes.ts';
import { MirrorView } from './mirror-view.ts';
import type { MirrorMode } from './mirror-config.ts';
import { mirrorSavings, readProxyMetrics, type MirrorSavings } from './mirror-metrics.ts';
import { ResourceError } from '../errors.ts';

/** The view of a running mirror's storage, named `host` (e.g. localhost:5002) in messages. */
export async function openMirrorView(docker: Docker, c: RegistryContainer, host: string): Promise<MirrorView> {
  if (!c.running) throw new ResourceError(`the mirror ${c.name} (${host}) is not running: docker jindr mirror start ${upstreamName(c)}`);
  const exec = execIn(docker, c);
  // Every use of the view lists the storage first: listed here, with the configuration, in one exec.
  const { root, value: listing } = await readAtStorageRoot(exec, c.configPath, c.details.Config.Env ?? [], c.name, listStorage);
  return new MirrorView(host, exec, root, listing);
}

function upstreamName(c: RegistryContainer): string {
  return mirrorOf(c) === undefined ? '' : upstreamOf(c).name;
}

export interface MirrorRow {
  /** Short name, as `mirror start/stop/rm` take it: docker.io, ghcr.io, upstream-5000. */
  name: string;
  upstream: string;
  /** HOST:PORT it serves on this machine. */
  address: string | null;
  container: string;
  state: string;
  status: string;
  running: boolean;
  /** How it serves while running: pull-through, or offline (its cache, read-only: its upstream was out of reach when it started); null when stopped or unknown. */
  mode: MirrorMode | null;
  /** Bytes its storage takes; null when it cannot be measured. */
  size: number | null;
  /** Tags it holds; null when it is not running. */
  images: number | null;
  directory: string | null;
  network: string | null;
  /** Answered from the cache since the container started (manifests and blobs); null when unknown. */
  hits: number | null;
  /** Fetched from the upstream since the container started; null when unknown. */
  misses: number | null;
  /** Bytes served from the cache instead of the upstream since the container started; null when unknown. */
  saved: number | null;
  /** When the counters started: the container's start (they live in the registry's memory). */
  countingSince: string | null;
}

/** Every mirror on the engine, by name. */
export async function listMirrorRows(
  docker: Docker,
  all: readonly RegistryContainer[],
  local: boolean,
  signal?: AbortSignal,
): Promise<MirrorRow[]> {
  const rows = await Promise.all(
    listMirrors(all).map(async (c): Promise<MirrorRow> => {
      const contents = await readContents(docker, c);
      return {
        name: upstreamName(c),
        upstream: mirrorOf(c)!,
        address: c.registry ?? null,
        container: c.name,
        state: c.state,
        status: c.status,
        running: c.running,
        mode: mirrorMode(c),
        size: (await storageSize(docker, c, local, signal)) ?? null,
        images: contents?.images ?? null,
        directory: mirrorDir(c) ?? null,
        network: mirrorNetwork(c) ?? null,
        hits: contents?.savings?.hits ?? null,
        misses: contents?.savings?.misses ?? null,
        saved: contents?.savings?.saved ?? null,
        countingSince: contents?.savings ? c.details.State.StartedAt : null,
      };
    }),
  );
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

/** Tags in a running mirror's storage; null when it is not running or cannot be read. */
export async function cachedImages(docker: Docker, c: RegistryContainer): Promise<number | null> {
  return (await readContents(docker, c, false))?.images ?? null;
}

/** Tags it holds, and what it saved (when its registry has the debug endpoint); undefined when not running. */
async function readContents(
  docker: Docker,
  c: RegistryContainer,
  withSavings = true,
): Promise<{ images: number; savings: MirrorSavings | undefined } | undefined> {
  if (!c.running) return undefined;
  try {
    const exec = execIn(docker, c);
    const { value: listing } = await readAtStorageRoot(exec, c.configPath, c.details.Config.Env ?? [], c.name, listStorage);
    const metrics = withSavings ? await readProxyMetrics(exec) : undefined;
    const startedAt = Math.floor(Date.parse(c.details.State.StartedAt) / 1000);
    return {
      images: listing.repositories.reduce((n, r) => n + r.tags.size, 0),
      savings: metrics && Number.isFinite(startedAt) ? mirrorSavings(metrics, listing, startedAt) : undefined,
    };
  } catch {
    return undefined;
  }
}
