// `du`: the bytes each repository uses, unique to it or shared, and what a garbage
// collection would reclaim. From the registry's storage when this engine runs it (every
// blob with its size on disk, untagged manifests and unreferenced blobs included, and
// gc's own plan for what is reclaimable); otherwise from the manifests its tags reach
// through the API, where nothing is known about what gc would reclaim.
import type Docker from 'dockerode';
import { NotFoundError } from '../errors.ts';
import type { RegistryClient } from '../registry/client.ts';
import { listRepositories } from '../registry/catalog.ts';
import { repositoryBlobs } from '../registry/repository-blobs.ts';
import { planRepository, predictBlobRemoval } from './reachability.ts';
import { oldUploads, youngContent, youngIn } from './grace-period.ts';
import { storageAccess } from './storage-access.ts';
import type { StorageReader } from './storage-reader.ts';
import { computeUsage, type RepositoryBlobs, type UsageRow, type UsageTotal } from './usage-plan.ts';

export interface UsageReport {
  registry: string;
  /** storage: read from the registry's storage (its container's files, or its S3 bucket); manifests: through the API. */
  source: 'storage' | 'manifests';
  /** Why storage could not be read, when it could not. */
  note?: string;
  repositories: UsageRow[];
  total: UsageTotal;
  /** A mirror's size limit in bytes (mirror start --max-size), when it has one: du shows it beside the total. */
  maxSize?: number;
  /** Upload sessions in storage (`_uploads`; not in the total, which counts blobs), and what gc would remove of them now. */
  uploads?: UploadUsage;
}

export interface UploadUsage {
  sessions: number;
  bytes: number;
  reclaimable: number;
}

/**
 * Usage read from storage: every repository, every revision, every blob. Reclaimable is
 * what gc with this grace period would remove now (grace-period.ts).
 */
export async function storageUsage(
  reader: StorageReader,
  registry: string,
  only?: readonly string[],
  graceMs = 0,
): Promise<{ repositories: UsageRow[]; total: UsageTotal; uploads: UploadUsage }> {
  const listing = await reader.list();
  const content = await reader.manifests(listing);
  const repositories: RepositoryBlobs[] = listing.repositories.map((r) => {
    const blobs = new Map<string, number>();
    const use = (d: string): void => {
      const size = listing.blobs.get(d);
      if (size !== undefined) blobs.set(d, size);
    };
    for (const m of new Set([...r.manifests, ...r.tags.values()])) {
      use(m);
      const c = content(m);
      if (c.kind === 'ok') c.references.forEach(use);
    }
    return { name: r.name, blobs };
  });
  const missing = (only ?? []).filter((n) => !listing.repositories.some((r) => r.name === n));
  if (missing.length > 0) throw new NotFoundError(`no repository ${missing.map((n) => `${registry}/${n}`).join(', ')}`);
  const young = youngContent(listing, graceMs);
  const prediction = predictBlobRemoval(
    listing.repositories.map((r) => planRepository(r, content, youngIn(young, r.name))),
    content,
    listing.blobs,
    young.blobs,
  );
  const sessions = listing.uploads.filter((u) => !only || only.includes(u.repository));
  const old = new Set(oldUploads(listing, graceMs));
  const uploads = {
    sessions: sessions.length,
    bytes: sessions.reduce((n, u) => n + u.bytes, 0),
    reclaimable: sessions.filter((u) => old.has(u)).reduce((n, u) => n + u.bytes, 0),
  };
  return {
    ...computeUsage({ repositories, stored: listing.blobs, reclaimable: new Set(prediction.blobs), ...(only ? { only } : {}) }),
    uploads,
  };
}

export interface UsageOptions {
  /** HOST:PORT */
  registry: string;
  client: RegistryClient;
  /** The engine, when one can be reached; storage is read through it. */
  docker?: () => Promise<Docker>;
  repositories?: readonly string[];
  /** Reclaimable leaves out what was written more recently than this, as gc does. */
  graceMs: number;
  signal?: AbortSignal;
}

export async function registryUsage(options: UsageOptions): Promise<UsageReport> {
  const only = options.repositories && options.repositories.length > 0 ? [...new Set(options.repositories)] : undefined;
  let note: string | undefined;
  if (options.docker) {
    let lookup: Awaited<ReturnType<typeof storageAccess>> | undefined;
    try {
      lookup = await storageAccess(await options.docker(), options.registry, 'list');
    } catch (err) {
      note = err instanceof Error ? err.message : String(err);
    }
    if (lookup?.ok) {
      const usage = await storageUsage(lookup.access.reader, options.registry, only, options.graceMs);
      return { registry: options.registry, source: 'storage', ...usage };
    }
    if (lookup) note = lookup.reason;
  }
  // Through the API: every repository, so that "shared" sees the ones not named too.
  const all = await listRepositories(options.client, options.signal).catch((err: unknown) => {
    if (only) return only;
    throw err;
  });
  for (const n of only ?? []) if (!all.includes(n)) throw new NotFoundError(`no repository ${options.registry}/${n}`);
  const repositories = await repositoryBlobs(options.client, all, options.signal);
  return {
    registry: options.registry,
    source: 'manifests',
    ...(note ? { note } : {}),
    ...computeUsage({ repositories, ...(only ? { only } : {}) }),
  };
}
