// What the page asks for, answered from the registry through docker-jindr's own client
// (the user's Docker logins stay here: the page never sees a credential). Changes go one
// at a time, by the command line's rules, and the cached walk of the registry is dropped
// after each so the next view shows what is there now.
import { NotFoundError, RefusedError, ResourceError } from '../errors.ts';
import type { RegistryClient } from '../registry/client.ts';
import { listRepositories, listTags } from '../registry/catalog.ts';
import { ManifestError } from '../registry/errors.ts';
import { compareTags, ImageReader, type TagSummary } from '../registry/images.ts';
import { groupReferrers, referrerSummary } from '../registry/referrer-groups.ts';
import { removeImages } from '../registry/remove-images.ts';
import type {
  DeleteAnswer,
  DeleteRequest,
  GcAnswer,
  ImageAnswer,
  InfoAnswer,
  PruneAnswer,
  PruneRequest,
  RepositoriesAnswer,
  TagRow,
  TagsAnswer,
  UsageAnswer,
} from './api-types.ts';
import { ConfigCache } from './config.ts';
import { Housekeeping, type HousekeepingDeps } from './housekeeping.ts';
import { imageView } from './image.ts';
import { takeSnapshot, type Snapshot } from './snapshot.ts';

export interface UiServiceDeps extends HousekeepingDeps {
  client: RegistryClient;
  version: string;
}

/** How long a walk of the whole registry is reused by views (changes made here drop it at once). */
const SNAPSHOT_MS = 30_000;

/** A delete refused because it would take other tags along; `collateral` names them. */
export class DeleteRefusedError extends RefusedError {
  readonly collateral: string[];
  constructor(message: string, collateral: string[]) {
    super(message);
    this.collateral = collateral;
  }
}

export class UiService {
  private readonly deps: UiServiceDeps;
  private readonly client: RegistryClient;
  private readonly configs: ConfigCache;
  readonly housekeeping: Housekeeping;
  private walk: { at: number; value: Promise<Snapshot> } | undefined;
  private busy = false;

  constructor(deps: UiServiceDeps) {
    this.deps = deps;
    this.client = deps.client;
    this.configs = new ConfigCache(deps.client);
    this.housekeeping = new Housekeeping(deps);
  }

  /** The registry-wide walk (layers shared, disk usage), reused for a while. */
  snapshot = (): Promise<Snapshot> => {
    if (!this.walk || Date.now() - this.walk.at > SNAPSHOT_MS) {
      const value = takeSnapshot(this.client, this.deps.signal);
      const walk = { at: Date.now(), value };
      this.walk = walk;
      value.catch(() => {
        if (this.walk === walk) this.walk = undefined;
      });
    }
    return this.walk.value;
  };

  /** Forget what was read: the next views read the registry again. */
  refresh(): void {
    this.walk = undefined;
  }

  async info(): Promise<InfoAnswer> {
    const unavailable = await this.housekeeping.unavailable();
    return { registry: this.deps.registry, version: this.deps.version, ...(unavailable ? { cleanupUnavailable: unavailable } : {}) };
  }

  async repositories(): Promise<RepositoriesAnswer> {
    const names = await listRepositories(this.client, this.deps.signal);
    const repositories = await Promise.all(
      names.map(async (name) => {
        try {
          return { name, tags: (await listTags(this.client, name, this.deps.signal)).length };
        } catch (err) {
          if (err instanceof NotFoundError) return { name, tags: 0 };
          throw err;
        }
      }),
    );
    return { repositories };
  }

  async tags(repository: string): Promise<TagsAnswer> {
    const { signal } = this.deps;
    const reader = new ImageReader(this.client, signal);
    const [names, pushed] = await Promise.all([listTags(this.client, repository, signal), this.housekeeping.pushed(repository)]);
    const described = await Promise.all(
      names.sort(compareTags).map(async (tag): Promise<TagSummary | undefined> => {
        try {
          return await reader.describe(repository, tag, tag);
        } catch (err) {
          if (err instanceof NotFoundError) return undefined; // deleted since the tag list
          if (err instanceof ManifestError) {
            return { repository, tag, digest: '', mediaType: '', kind: 'image', platforms: [], size: 0, entries: [], error: err.message };
          }
          throw err;
        }
      }),
    );
    // Signature, attestation and SBOM tags go under their image, as lsi shows them.
    const rows = groupReferrers(described.filter((s): s is TagSummary => s !== undefined)).map((s): TagRow => {
      const row: TagRow = { tag: s.tag, digest: s.digest, kind: s.kind, platforms: s.platforms, size: s.size };
      if (s.created !== undefined) row.created = s.created;
      const at = pushed?.get(s.tag);
      if (at !== undefined) row.pushed = at;
      if (s.error !== undefined) row.error = s.error;
      if (s.referrers !== undefined) row.referrers = referrerSummary(s.referrers);
      if (s.referrerOf !== undefined) row.referrerOf = s.referrerOf;
      return row;
    });
    return { repository, tags: rows, pushedKnown: pushed !== undefined };
  }

  image(repository: string, reference: string): Promise<ImageAnswer> {
    return imageView(
      { client: this.client, configs: this.configs, snapshot: this.snapshot, signal: this.deps.signal },
      repository,
      reference,
    );
  }

  usage(): Promise<UsageAnswer> {
    return this.housekeeping.usage();
  }

  /** One change at a time; the walk is dropped afterwards, whatever happened. */
  private async change<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy) throw new ResourceError('another change is still running: wait for it to finish');
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
      this.refresh();
    }
  }

  /** Tags that deleting repository:tag by digest would take along (same digest) or break (an index using it). */
  private async collateral(repository: string, tag: string): Promise<string[]> {
    const reader = new ImageReader(this.client, this.deps.signal);
    const names = await listTags(this.client, repository, this.deps.signal);
    const digests = new Map(
      await Promise.all(names.map(async (t) => [t, await reader.describe(repository, t, t).catch(() => undefined)] as const)),
    );
    const target = digests.get(tag)?.digest;
    return names
      .filter((t) => {
        const s = digests.get(t);
        return t !== tag && s !== undefined && (s.digest === target || s.entries.some((e) => e.digest === target));
      })
      .map((t) => `${repository}:${t}`);
  }

  deleteTag(request: DeleteRequest): Promise<DeleteAnswer> {
    return this.change(async () => {
      const ref = { registry: this.deps.registry, repository: request.repository, tag: request.tag };
      try {
        return { removed: await removeImages(this.client, [ref], { force: request.force === true, signal: this.deps.signal }) };
      } catch (err) {
        if (!(err instanceof RefusedError)) throw err;
        const others = await this.collateral(request.repository, request.tag);
        throw new DeleteRefusedError(
          `${request.repository}:${request.tag} cannot be deleted alone: this registry deletes by digest, and ${others.join(', ')} would go or break with it`,
          others,
        );
      }
    });
  }

  gc(dryRun: boolean): Promise<GcAnswer> {
    return dryRun ? this.housekeeping.gc(true) : this.change(() => this.housekeeping.gc(false));
  }

  prune(request: PruneRequest): Promise<PruneAnswer> {
    return request.dryRun ? this.housekeeping.prune(request) : this.change(() => this.housekeeping.prune(request));
  }
}
