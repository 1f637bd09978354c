// The grace period of a garbage collection: nothing written to the registry's storage more
// recently than this is removed, as zot's gcDelay (default one hour). A push under way has
// blobs that no manifest references yet, and untagged manifests (a copy writes the
// platform manifests before their index and the tag last): without the grace period a
// collection in the middle of it deletes what the push has already sent.
// Upload sessions last written before the grace period are removed (distribution's own
// purge waits a week; a session older than the grace period has no push under way).
// Pure: the times come from the storage listing (storage-listing.ts), in the container's clock.
import type { RepositoryYoung } from './reachability.ts';
import type { StorageListing, UploadSession } from './storage-listing.ts';

export const DEFAULT_GRACE_MS = 60 * 60 * 1000;

/** 3600000 -> "1h", 5400000 -> "1h30m", 0 -> "0s". */
export function formatGrace(ms: number): string {
  if (ms <= 0) return '0s';
  let rest = Math.round(ms / 1000);
  let out = '';
  for (const [unit, seconds] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
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

/** The listing's `repository@digest` keys (linkKey in storage-listing.ts). */
function splitKey(key: string): { repository: string; digest: string } {
  const at = key.lastIndexOf('@');
  return { repository: key.slice(0, at), digest: key.slice(at + 1) };
}

/** What the grace period protects in one repository, as planRepository takes it. */
export function youngIn(young: YoungContent, repository: string): RepositoryYoung {
  return { manifests: young.manifests.get(repository) ?? new Set(), busy: young.busy.has(repository) };
}

/** The upload sessions whose every file was written before the grace period. */
export function oldUploads(listing: StorageListing, graceMs: number): UploadSession[] {
  const cutoff = listing.times.now - graceMs / 1000;
  return listing.uploads.filter((u) => u.mtime <= cutoff);
}
