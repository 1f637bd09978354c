// Who uses which bytes: the pure arithmetic behind `du`. Each repository uses the blobs
// its manifests need (the manifests themselves, configs and layers); a blob used by one
// repository only is unique to it, a blob used by several is shared, and in any total a
// blob counts once. Blobs no manifest uses (left by deletes, interrupted uploads) count
// in the total as unreferenced.

export interface RepositoryBlobs {
  name: string;
  /** digest -> size of every blob the repository's manifests use, manifests included. */
  blobs: ReadonlyMap<string, number>;
}

export interface UsageRow {
  repository: string;
  /** Bytes the repository uses: unique + shared. */
  size: number;
  /** Bytes no other repository uses. */
  unique: number;
  /** Bytes it uses that other repositories use too. */
  shared: number;
  /** Bytes of its blobs a garbage collection would remove now (storage only). */
  reclaimable?: number;
}

export interface UsageTotal {
  /** Every blob once: unique + shared + unreferenced. */
  size: number;
  unique: number;
  /** Blobs used by more than one repository, each counted once. */
  shared: number;
  /** Blobs in storage that no manifest uses (storage only; 0 from manifests). */
  unreferenced: number;
  /** Everything a garbage collection would remove now, each blob once (storage only). */
  reclaimable?: number;
}

export interface UsageInput {
  repositories: readonly RepositoryBlobs[];
  /** Every blob storage holds, with its size: known when read from storage. */
  stored?: ReadonlyMap<string, number>;
  /** The blobs a garbage collection would remove now (reachability.ts's prediction). */
  reclaimable?: ReadonlySet<string>;
  /** Only these repositories get rows and make the total (default: all). */
  only?: readonly string[];
}

export function computeUsage(input: UsageInput): { repositories: UsageRow[]; total: UsageTotal } {
  // How many repositories use each blob: over every repository, so "shared" also means
  // shared with a repository that was not named.
  const users = new Map<string, number>();
  for (const r of input.repositories) for (const d of r.blobs.keys()) users.set(d, (users.get(d) ?? 0) + 1);
  const named = input.only ? new Set(input.only) : undefined;
  const chosen = input.repositories.filter((r) => !named || named.has(r.name));
  const reclaimable = input.reclaimable;
  const rows = chosen.map((r): UsageRow => {
    let unique = 0;
    let shared = 0;
    let free = 0;
    for (const [d, size] of r.blobs) {
      if ((users.get(d) ?? 0) > 1) shared += size;
      else unique += size;
      if (reclaimable?.has(d)) free += size;
    }
    return { repository: r.name, size: unique + shared, unique, shared, ...(reclaimable ? { reclaimable: free } : {}) };
  });
  const used = new Map<string, number>();
  for (const r of chosen) for (const [d, size] of r.blobs) used.set(d, size);
  let shared = 0;
  for (const [d, size] of used) if ((users.get(d) ?? 0) > 1) shared += size;
  const unique = rows.reduce((sum, r) => sum + r.unique, 0);
  // Unreferenced blobs belong to no repository: they count in the whole registry's total only.
  let unreferenced = 0;
  if (input.stored && !named) for (const [d, size] of input.stored) if (!users.has(d)) unreferenced += size;
  const total: UsageTotal = { size: unique + shared + unreferenced, unique, shared, unreferenced };
  if (reclaimable) {
    const sizes = input.stored ?? used;
    let free = 0;
    for (const d of reclaimable) if (!named || used.has(d)) free += sizes.get(d) ?? 0;
    total.reclaimable = free;
  }
  return { repositories: rows.sort((a, b) => a.repository.localeCompare(b.repository)), total };
}
