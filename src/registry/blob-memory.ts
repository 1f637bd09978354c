// Where blobs are, per registry: which repositories were seen holding which digests, so
// a copy into another repository of that registry asks for a cross-repository mount
// from one of them instead of sending the bytes again (skopeo's blob info cache does
// the same). Learned from what a copy finds at its destination (already there, mounted,
// uploaded) and from the manifests it reads at its source.
//
// Kept in the cache directory (cache-file.ts), one file per registry, bounded: the
// MAX_DIGESTS most recently used digests, MAX_HOLDERS repositories each. An entry may
// be stale (the repository deleted since, access taken away): the mount is then
// refused, which costs one request, and the blob is uploaded as if nothing was known.
import { AuthError } from '../errors.ts';
import { mountBlob, startUpload, type MountResult, type Repo } from './blobs.ts';
import { keepRecent, readCacheFile, registryCacheFile, updateCacheFile } from './cache-file.ts';
import { RegistryApiError } from './errors.ts';
import { isDigest } from './reference.ts';

/** [last used, seconds since 1970; holders, the most recent first]. */
type Entry = [number, ...string[]];

export const MAX_DIGESTS = 4000;
export const MAX_HOLDERS = 4;
const VERSION = 1;

function parseEntries(json: unknown): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  const file = json as { v?: unknown; blobs?: unknown } | undefined;
  if (typeof file !== 'object' || file === null || file.v !== VERSION || typeof file.blobs !== 'object' || file.blobs === null)
    return entries;
  for (const [digest, value] of Object.entries(file.blobs)) {
    if (!isDigest(digest) || !Array.isArray(value) || typeof value[0] !== 'number') continue;
    const holders = value.slice(1).filter((r): r is string => typeof r === 'string' && r !== '');
    if (holders.length > 0) entries.set(digest, [value[0], ...holders.slice(0, MAX_HOLDERS)]);
  }
  return entries;
}

const unique = (xs: readonly string[]): string[] => [...new Set(xs)];

/** One registry's memory: read once when first asked, merged into its file by save(). */
export class RegistryBlobMemory {
  private readonly path: string | undefined;
  private known: Promise<Map<string, Entry>> | undefined;
  private readonly learned = new Map<string, string[]>();
  private readonly refused = new Map<string, Set<string>>();

  /** path undefined: remembers for this process only. */
  constructor(path: string | undefined) {
    this.path = path;
  }

  /** Repositories believed to hold digest, the most recently seen first. */
  async holders(digest: string): Promise<string[]> {
    this.known ??= this.path === undefined ? Promise.resolve(new Map()) : readCacheFile(this.path).then(parseEntries);
    const stored = (await this.known).get(digest)?.slice(1) as string[] | undefined;
    const refused = this.refused.get(digest);
    return unique([...(this.learned.get(digest) ?? []), ...(stored ?? [])]).filter((r) => !refused?.has(r));
  }

  held(digest: string, repository: string): void {
    this.learned.set(digest, unique([repository, ...(this.learned.get(digest) ?? [])]));
    this.refused.get(digest)?.delete(repository);
  }

  /** A mount from repository was refused: it is forgotten as a holder of digest. */
  stale(digest: string, repository: string): void {
    const refused = this.refused.get(digest) ?? new Set();
    refused.add(repository);
    this.refused.set(digest, refused);
    const learned = this.learned.get(digest)?.filter((r) => r !== repository);
    if (learned) this.learned.set(digest, learned);
  }

  /** Merges what this process learned into the file (what other processes wrote meanwhile is kept). */
  async save(now = Date.now()): Promise<Error | undefined> {
    if (this.path === undefined || (this.learned.size === 0 && this.refused.size === 0)) return undefined;
    const seconds = Math.floor(now / 1000);
    return updateCacheFile(this.path, (current) => {
      const entries = parseEntries(current);
      for (const [digest, refused] of this.refused) {
        const entry = entries.get(digest);
        if (!entry) continue;
        const holders = (entry.slice(1) as string[]).filter((r) => !refused.has(r));
        if (holders.length > 0) entries.set(digest, [entry[0], ...holders]);
        else entries.delete(digest);
      }
      for (const [digest, learned] of this.learned) {
        if (learned.length === 0) continue;
        const before = (entries.get(digest)?.slice(1) ?? []) as string[];
        entries.set(digest, [seconds, ...unique([...learned, ...before]).slice(0, MAX_HOLDERS)]);
      }
      return { v: VERSION, blobs: Object.fromEntries(keepRecent(entries, MAX_DIGESTS)) };
    });
  }
}

/** A copy's view: the source registry's memory and the destination's (one object when they are the same registry). */
export class CopyMemory {
  private readonly from: Repo;
  private readonly to: Repo;
  private readonly registries = new Map<string, RegistryBlobMemory>();

  constructor(from: Repo, to: Repo) {
    this.from = from;
    this.to = to;
  }

  private of(repo: Repo): RegistryBlobMemory {
    let memory = this.registries.get(repo.client.host);
    if (!memory) {
      const dir = repo.client.cacheDir;
      memory = new RegistryBlobMemory(dir === undefined ? undefined : registryCacheFile(dir, 'blobs', repo.client.host));
      this.registries.set(repo.client.host, memory);
    }
    return memory;
  }

  /** The source served a manifest naming these blobs: its repository holds them. */
  sourceHolds(digests: readonly string[]): void {
    const memory = this.of(this.from);
    for (const digest of digests) memory.held(digest, this.from.repository);
  }

  destinationHolds(digest: string): void {
    this.of(this.to).held(digest, this.to.repository);
  }

  /** A repository of the destination registry, other than the destination, believed to hold digest. */
  async holder(digest: string): Promise<string | undefined> {
    return (await this.of(this.to).holders(digest)).find((r) => r !== this.to.repository);
  }

  /**
   * Mounts digest from holder when there is one; otherwise, or when the registry
   * declines (202) or refuses (no access to the holder, no such repository), opens a
   * plain upload session. A refused or declined holder is forgotten.
   */
  async mountOrUpload(digest: string, holder: string | undefined, signal?: AbortSignal): Promise<MountResult> {
    if (holder === undefined) return { mounted: false, location: await startUpload(this.to, signal) };
    let result: MountResult;
    try {
      result = await mountBlob(this.to, digest, holder, signal);
    } catch (err) {
      // Token registries refuse a mount from a repository the user may not pull (401/403).
      const refused =
        err instanceof AuthError || (err instanceof RegistryApiError && err.status !== undefined && err.status >= 400 && err.status < 500);
      if (!refused) throw err;
      this.of(this.to).stale(digest, holder);
      return { mounted: false, location: await startUpload(this.to, signal) };
    }
    if (!result.mounted) this.of(this.to).stale(digest, holder);
    return result;
  }

  /** Writes every registry's news to its file; failures only cost the memory. */
  async save(): Promise<void> {
    await Promise.all([...this.registries.values()].map((m) => m.save()));
  }
}
