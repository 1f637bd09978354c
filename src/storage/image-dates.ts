// lsi's dates: each tag's push time joined to the listing (from storage, for a registry
// this engine runs; absent otherwise), and the listing's order: by name, or newest first
// by created or pushed time.
import type Docker from 'dockerode';
import { compareTags } from '../registry/images.ts';
import { registryHost } from '../registry/host.ts';
import { imagesOf, type ImageRow } from '../registry/listings.ts';
import type { OpenReader } from '../registry/per-host.ts';
import type { RepositoryName } from '../registry/reference.ts';
import type { PushDates } from './push-dates.ts';

export type ImageSort = 'name' | 'created' | 'pushed';

interface Listed {
  repository: string;
  tag: string;
  created?: string | undefined;
}

type PushTimes = { dates: PushDates } | { note: string };

/**
 * The push times storage holds for `registry`, or why there are none. Push times are
 * never guessed: an engine that cannot be reached, or a registry it does not run, leaves
 * them out. Never rejects.
 */
async function pushTimesOf(registry: string, engine: () => Promise<Docker>): Promise<PushTimes> {
  if (!registryHost(registry).loopback) return { note: `${registry} is not a registry on this machine` };
  try {
    // Imported when asked: it brings the engine and the registry's storage, which a listing
    // of an empty or remote registry never needs (start-up time).
    const { pushDates: read } = await import('./storage-access.ts');
    const found = await read(await engine(), registry);
    return 'reason' in found ? { note: found.reason } : { dates: found.dates };
  } catch (err) {
    return { note: err instanceof Error ? err.message : String(err) };
  }
}

function joinPushTimes<T extends Listed>(rows: readonly T[], found: PushTimes): { rows: (T & { pushed?: string })[]; note?: string } {
  if ('note' in found) return { rows: [...rows], note: found.note };
  const dates = found.dates;
  return {
    rows: rows.map((r) => {
      const pushed = dates.get(r.repository)?.get(r.tag);
      return pushed === undefined ? r : { ...r, pushed };
    }),
  };
}

/** The rows with `pushed` set where storage says it; `note` says why there are none. */
export async function withPushDates<T extends Listed>(
  rows: readonly T[],
  registry: string,
  engine: () => Promise<Docker>,
): Promise<{ rows: (T & { pushed?: string })[]; note?: string }> {
  return joinPushTimes(rows, await pushTimesOf(registry, engine));
}

const byName = (a: Listed, b: Listed): number => a.repository.localeCompare(b.repository) || compareTags(a.tag, b.tag);

/** Rows in the order asked: name (as listed: repository, then tag), or newest first (no date last, then by name). */
export function sortImages<T extends Listed & { pushed?: string | undefined; registry?: string }>(rows: readonly T[], by: ImageSort): T[] {
  if (by === 'name') return [...rows];
  const when = (r: T): number => {
    const value = by === 'created' ? r.created : by === 'pushed' ? r.pushed : undefined;
    return value === undefined ? -Infinity : Date.parse(value);
  };
  return [...rows].sort((a, b) => when(b) - when(a) || (a.registry ?? '').localeCompare(b.registry ?? '') || byName(a, b));
}

export interface DatedImagesOptions {
  sort: ImageSort;
  /** The engine, asked only for a registry on this machine. */
  engine: () => Promise<Docker>;
  signal?: AbortSignal;
  /** Why a registry's push times are absent (for --debug). */
  note?: (message: string) => void;
}

/** lsi: the images of the named repositories (imagesOf), with push times where storage has them, in the order asked. */
export async function datedImages(
  open: OpenReader,
  names: readonly RepositoryName[],
  defaultRegistry: string,
  options: DatedImagesOptions,
): Promise<(ImageRow & { pushed?: string })[]> {
  // A registry's storage is read while it is listed, from its first tag on (a registry
  // without tags never loads the engine's client: start-up time).
  const reading = new Map<string, Promise<PushTimes>>();
  const listed = await imagesOf(open, names, defaultRegistry, options.signal, (host) =>
    reading.set(host, pushTimesOf(host, options.engine)),
  );
  const dated: (ImageRow & { pushed?: string })[] = [];
  for (const host of new Set(listed.map((r) => r.registry))) {
    const found = joinPushTimes(
      listed.filter((r) => r.registry === host),
      await (reading.get(host) ?? pushTimesOf(host, options.engine)),
    );
    if (found.note) options.note?.(`no push times for ${host}: ${found.note}`);
    dated.push(...found.rows);
  }
  return sortImages(dated, options.sort);
}
