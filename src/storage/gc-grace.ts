// The grace period of a garbage collection: nothing written to the registry's storage more
// recently than this is removed, as zot's gcDelay (default one hour). A push under way has
// blobs that no manifest references yet, and untagged manifests (a copy writes the
// platform manifests before their index and the tag last): without the grace period a
// collection in the middle of it deletes what the push has already sent.
// Pure: the times come from the storage listing (gc-storage.ts), in the container's clock.
import { UsageError } from '../errors.ts';
import type { StorageListing } from './gc-storage.ts';

export const DEFAULT_GRACE_MS = 60 * 60 * 1000;

/** The --grace option's help (gc and stop). */
export const GRACE_HELP = 'Keep what was written more recently than DURATION (e.g. 30m, 2d; 0 keeps nothing back), as a push under way does [default: 1h]';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `0`, `90s`, `30m`, `1h`, `2d`, `1h30m` -> milliseconds; anything else is a usage error. */
export function parseGrace(text: string | undefined): number {
  if (text === undefined) return DEFAULT_GRACE_MS;
  const value = text.trim();
  if (/^0+$/.test(value)) return 0;
  const parts = [...value.matchAll(/(\d+)([smhd])/g)];
  if (value === '' || parts.map((p) => p[0]).join('') !== value) {
    throw new UsageError(`--grace ${JSON.stringify(text)} is not a duration: give a number with a unit (s, m, h or d), e.g. 30m, 1h, 2d, or 0`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
}

/** 3600000 -> "1h", 5400000 -> "1h30m", 0 -> "0s". */
export function formatGrace(ms: number): string {
  if (ms <= 0) return '0s';
  let rest = Math.round(ms / 1000);
  let out = '';
  for (const [unit, seconds] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= seconds) {
      out += `${Math.floor(rest / seconds)}${unit}`;
      rest %= seconds;
    }
  }
  return out;
}

/** What the grace period protects in one listing. */
export interface YoungContent {
  /** Blobs whose data, or a link to which in any repository, was written within the grace period. */
  blobs: Set<string>;
  /** repository -> manifests whose revision link or blob is that young. */
  manifests: Map<string, Set<string>>;
  /** Repositories with an upload, a layer link or a revision that young: their storage stays. */
  busy: Set<string>;
}

/**
 * Everything written within graceMs before the listing was taken. A file dated after that
 * (another clock) counts as young too: the grace period errs on the side of keeping.
 */
export function youngContent(listing: StorageListing, graceMs: number): YoungContent {
  const { times } = listing;
  const cutoff = times.now - graceMs / 1000;
  const young = (mtime: number | undefined): boolean => mtime !== undefined && mtime > cutoff;
  const out: YoungContent = { blobs: new Set(), manifests: new Map(), busy: new Set() };
  for (const [digest, mtime] of times.blobs) if (young(mtime)) out.blobs.add(digest);
  for (const links of [times.layers, times.revisions]) {
    for (const [key, mtime] of links) {
      if (!young(mtime)) continue;
      const { repository, digest } = splitKey(key);
      out.blobs.add(digest);
      out.busy.add(repository);
    }
  }
  for (const [repository, mtime] of times.uploads) if (young(mtime)) out.busy.add(repository);
  for (const key of times.revisions.keys()) {
    const { repository, digest } = splitKey(key);
    if (!out.blobs.has(digest)) continue;
    let set = out.manifests.get(repository);
    if (!set) out.manifests.set(repository, (set = new Set()));
    set.add(digest);
  }
  return out;
}

/** The listing's `repository@digest` keys (linkKey in gc-storage.ts). */
function splitKey(key: string): { repository: string; digest: string } {
  const at = key.lastIndexOf('@');
  return { repository: key.slice(0, at), digest: key.slice(at + 1) };
}
