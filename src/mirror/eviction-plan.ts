// Which cached images a mirror over its size limit gives up: the least recently pulled
// first, until what stays (as gc would leave it: storage/reachability.ts) fits the limit.
// An image is a manifest some tag points at, with every tag on it; giving it up removes
// those tags, and gc then removes it whole (a multi-platform index with every platform
// only it uses) under its usual rules. Nothing pulled or fetched within the grace period is
// given up (a pull under way), nor anything gc's grace period keeps.
import { linkKey, type StorageListing } from '../storage/storage-listing.ts';
import { planRepository, predictBlobRemoval, type ManifestContent, type RepositoryState } from '../storage/reachability.ts';
import { youngContent, youngIn } from '../storage/grace-period.ts';
import { pullKey, type PullTimes } from './pull-times.ts';

export interface CachedImage {
  repository: string;
  digest: string;
  tags: string[];
  /** When it was last pulled (ms): the access log, else when the cache fetched it. */
  lastPulled: number;
}

export interface EvictionPlan {
  /** Bytes the storage holds now (every blob once). */
  usage: number;
  /** What it would hold once the evicted images and today's garbage are collected. */
  after: number;
  evict: CachedImage[];
  /** Images kept because they were pulled within the grace period. */
  recent: number;
}

export function cachedImages(listing: StorageListing, content: (d: string) => ManifestContent, pulls: PullTimes): CachedImage[] {
  const images: CachedImage[] = [];
  for (const repo of listing.repositories) {
    const byDigest = new Map<string, string[]>();
    for (const [tag, digest] of repo.tags) byDigest.set(digest, [...(byDigest.get(digest) ?? []), tag]);
    for (const [digest, tags] of byDigest) {
      const c = content(digest);
      const children = c.kind === 'ok' ? c.references : [];
      const refs = [...tags, digest, ...children];
      const logged = Math.max(0, ...refs.map((r) => pulls.get(pullKey(repo.name, r)) ?? 0));
      const fetched = (listing.times.revisions.get(linkKey(repo.name, digest)) ?? 0) * 1000;
      images.push({ repository: repo.name, digest, tags: tags.sort(), lastPulled: Math.max(logged, fetched) });
    }
  }
  return images.sort((a, b) => a.lastPulled - b.lastPulled || a.repository.localeCompare(b.repository) || a.digest.localeCompare(b.digest));
}

export function planEviction(
  listing: StorageListing,
  content: (d: string) => ManifestContent,
  pulls: PullTimes,
  limit: number,
  graceMs: number,
): EvictionPlan {
  const usage = [...listing.blobs.values()].reduce((n, s) => n + s, 0);
  const young = youngContent(listing, graceMs);
  const cutoff = listing.times.now * 1000 - graceMs;
  const images = cachedImages(listing, content, pulls);
  const candidates = images.filter((i) => i.lastPulled <= cutoff);
  const after = (evict: readonly CachedImage[]): number => {
    const states: RepositoryState[] = listing.repositories.map((r) => {
      const gone = new Set(evict.filter((e) => e.repository === r.name).flatMap((e) => e.tags));
      return { ...r, tags: new Map([...r.tags].filter(([t]) => !gone.has(t))) };
    });
    const plans = states.map((s) => planRepository(s, content, youngIn(young, s.name)));
    return usage - predictBlobRemoval(plans, content, listing.blobs, young.blobs).bytes;
  };
  const evict: CachedImage[] = [];
  let left = after(evict);
  for (const image of candidates) {
    if (left <= limit) break;
    evict.push(image);
    left = after(evict);
  }
  return { usage, after: left, evict, recent: images.length - candidates.length };
}
