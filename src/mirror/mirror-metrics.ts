// What a mirror saved: the registry's own proxy counters (expvar at /debug/vars on its
// debug address, "registry" -> "proxy" -> "blobs" / "manifests"), read with an exec inside
// the container (the address is the container's loopback, never published). The counters
// live in the registry's memory: they start from zero whenever the container starts.
//
// How distribution 2.8 counts (read in its registry/proxy code and measured here):
// - manifests: every manifest served adds 1 to Requests and Hits and its size to
//   BytesPushed; one fetched from the upstream adds 1 to Misses and its size to BytesPulled.
// - blobs: Misses and BytesPulled are never counted. Each copy of a blob counts as a push
//   (Requests, Hits, BytesPushed): one served from the cache once, one fetched from the
//   upstream twice (the copy streamed to the client, the copy written to the cache).
// So a fetched blob is known by its file in the cache, written since the container started
// (its data's mtime), and:
//   blob hits = Requests - 2 x blobs fetched, blob bytes saved = BytesPushed - 2 x their bytes.
// A registry that counts blob misses itself (Misses > 0) is taken at its word: hits =
// Hits, saved = BytesPushed - BytesPulled.
import { isJsonObject, parseJson, type JsonObject } from '../json-shape.ts';
import type { Exec } from '../server/container-exec.ts';
import type { StorageListing } from '../storage/storage-listing.ts';
import { MIRROR_DEBUG_ADDR } from './mirror-config.ts';

export interface ProxyCounters {
  requests: number;
  hits: number;
  misses: number;
  bytesPulled: number;
  bytesPushed: number;
}

export interface ProxyMetrics {
  blobs: ProxyCounters;
  manifests: ProxyCounters;
}

export interface MirrorSavings {
  /** Manifests and blobs answered from the cache. */
  hits: number;
  /** Manifests and blobs fetched from the upstream. */
  misses: number;
  /** Bytes served from the cache instead of the upstream. */
  saved: number;
}

/** The proxy's counters, or undefined when the registry has no debug endpoint (a mirror made by an earlier version). */
export async function readProxyMetrics(exec: Exec): Promise<ProxyMetrics | undefined> {
  const result = await exec(['wget', '-q', '-O', '-', `http://${MIRROR_DEBUG_ADDR}/debug/vars`]);
  if (result.exitCode !== 0) return undefined;
  return parseProxyMetrics(result.stdout.toString('utf8'));
}

export function parseProxyMetrics(text: string): ProxyMetrics | undefined {
  let vars: unknown;
  try {
    vars = parseJson(text);
  } catch {
    return undefined;
  }
  const proxy = child(child(vars, 'registry'), 'proxy');
  const blobs = counters(child(proxy, 'blobs'));
  const manifests = counters(child(proxy, 'manifests'));
  return blobs && manifests ? { blobs, manifests } : undefined;
}

/**
 * Hits, misses and bytes saved since the container started (startedAt, seconds of the
 * container's clock): listing tells which blobs were fetched since then.
 */
export function mirrorSavings(metrics: ProxyMetrics, listing: StorageListing, startedAt: number): MirrorSavings {
  const { blobs, manifests } = metrics;
  const manifestHits = manifests.requests - manifests.misses;
  const manifestSaved = manifests.bytesPushed - manifests.bytesPulled;
  if (blobs.misses > 0)
    return {
      hits: manifestHits + blobs.hits,
      misses: manifests.misses + blobs.misses,
      saved: Math.max(0, manifestSaved + blobs.bytesPushed - blobs.bytesPulled),
    };
  const manifestDigests = new Set(listing.repositories.flatMap((r) => r.manifests));
  let fetched = 0;
  let fetchedBytes = 0;
  for (const [digest, mtime] of listing.times.blobs) {
    if (mtime < startedAt || manifestDigests.has(digest)) continue;
    fetched++;
    fetchedBytes += listing.blobs.get(digest) ?? 0;
  }
  return {
    hits: Math.max(0, manifestHits) + Math.max(0, blobs.requests - 2 * fetched),
    misses: manifests.misses + fetched,
    saved: Math.max(0, manifestSaved) + Math.max(0, blobs.bytesPushed - 2 * fetchedBytes),
  };
}

function child(value: unknown, key: string): unknown {
  return isJsonObject(value) ? value[key] : undefined;
}

function counters(value: unknown): ProxyCounters | undefined {
  if (!isJsonObject(value)) return undefined;
  const n = (o: JsonObject, k: string): number | undefined => {
    const v = o[k];
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  };
  const requests = n(value, 'Requests');
  const hits = n(value, 'Hits');
  const misses = n(value, 'Misses');
  const bytesPulled = n(value, 'BytesPulled');
  const bytesPushed = n(value, 'BytesPushed');
  if (requests === undefined || hits === undefined || misses === undefined || bytesPulled === undefined || bytesPushed === undefined)
    return undefined;
  return { requests, hits, misses, bytesPulled, bytesPushed };
}
