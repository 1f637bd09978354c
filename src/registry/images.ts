// What a registry holds, tag by tag: the data behind `lsi` and `inspect`. Every request
// is started at once and the client's limit bounds how many are in flight, so a
// listing runs at the registry's pace over kept-alive connections. Manifests fetched by
// digest and config platforms are shared through caches keyed by digest (content
// addressed, so the same in every repository).
import { ManifestError } from './errors.ts';
import type { RegistryApi } from './api.ts';
import { listRepositories, listTags } from './catalog.ts';
import { apiReferrerRows, withReferrerRows } from './referrer-rows.ts';
import { fetchImageConfig, type ImageConfigFacts } from './image-config.ts';
import {
  describeEntry,
  entryKind,
  fetchManifest,
  imageSize,
  isIndexMediaType,
  manifestKind,
  platformText,
  resolveDigest,
  type Descriptor,
  type ImageManifest,
  type Manifest,
  type Platform,
} from './manifest.ts';
import { ManifestCache } from './manifest-cache.ts';
import { quickOrder } from './name-order.ts';
import { isDigest } from './reference.ts';
import { NotFoundError } from '../errors.ts';

export interface PlatformEntry {
  /** "linux/arm/v7", or "attestation for linux/amd64", "artifact <type>", "unknown". */
  platform: string;
  kind: 'image' | 'attestation' | 'artifact' | 'index';
  digest: string;
  mediaType: string;
  /** Config + layers of this entry (undefined when it could not be read). */
  size?: number;
  layers?: Descriptor[];
  /** Why this entry could not be read (e.g. a child manifest missing from the registry). */
  error?: string;
  /** The index entry's artifactType (a referrers index lists its referrers' this way). */
  artifactType?: string;
}

export interface TagSummary {
  repository: string;
  tag: string;
  digest: string;
  mediaType: string;
  /** index: a manifest list / OCI index; image: one platform; artifact: not an image. */
  kind: 'index' | 'image' | 'artifact';
  /** Runnable platforms (attestations and artifacts left out). */
  platforms: string[];
  /**
   * Bytes the tag keeps in the registry: config + layers, compressed as stored; for an
   * index, every distinct config and layer of all its entries, each counted once.
   */
  size: number;
  entries: PlatformEntry[];
  /** The image config's `created` (RFC 3339); for an index, its newest platform's. */
  created?: string;
  /** Set when this tag's manifest could not be read; the rest of the listing goes on. */
  error?: string;
  /** The manifest a tagged referrer is about (its `subject`). */
  subject?: string;
  /** A manifest's artifactType (or its config's media type when it is an artifact). */
  artifactType?: string;
}

export class ImageReader {
  private readonly client: RegistryApi;
  private readonly signal: AbortSignal | undefined;
  private readonly byDigest = new Map<string, Promise<Manifest>>();
  private readonly configs = new Map<string, Promise<ImageConfigFacts>>();
  /** What earlier listings of this registry learned (manifest-cache.ts); undefined: none kept. */
  private readonly cache: ManifestCache | undefined;

  constructor(client: RegistryApi, signal?: AbortSignal) {
    this.client = client;
    this.signal = signal;
    this.cache = ManifestCache.of(client);
  }

  manifest(repository: string, digest: string): Promise<Manifest> {
    let pending = this.byDigest.get(digest);
    if (!pending) {
      pending = (async () => {
        const kept = await this.cache?.manifest(digest);
        if (kept) return kept;
        const fetched = await fetchManifest(this.client, repository, digest, this.signal);
        this.cache?.keepManifest(fetched);
        return fetched;
      })();
      this.byDigest.set(digest, pending);
    }
    return pending;
  }

  configPlatform(repository: string, m: ImageManifest): Promise<Platform | undefined> {
    return this.config(repository, m).then((c) => c.platform);
  }

  config(repository: string, m: ImageManifest): Promise<ImageConfigFacts> {
    let pending = this.configs.get(m.config.digest);
    if (!pending) {
      pending = (async () => {
        const kept = await this.cache?.config(m.config.digest);
        if (kept) return kept;
        const facts = await fetchImageConfig(this.client, repository, m.config, this.signal);
        this.cache?.keepConfig(m.config.digest, facts);
        return facts;
      })();
      this.configs.set(m.config.digest, pending);
    }
    return pending;
  }

  /** One tag (or digest) resolved: its manifest, its entries, sizes; `layers` adds each entry's layers. */
  async describe(repository: string, reference: string, tag: string, layers = false): Promise<TagSummary> {
    return this.summarize(repository, tag, await this.top(repository, reference), layers);
  }

  /** A manifest the registry was just seen to hold (the referrers API named it), through the cache, as a row with no tag. */
  async describeDigest(repository: string, digest: string): Promise<TagSummary> {
    return this.summarize(repository, '', await this.manifest(repository, digest), false);
  }

  /**
   * A tag listed before is asked with a HEAD and its digest read from the cache (fetched
   * by digest when new); any other reference is fetched with one GET, as ever.
   */
  private async top(repository: string, reference: string): Promise<Manifest> {
    if (this.cache && (await this.cache.taggedBefore(repository, reference)) !== undefined) {
      const digest = await resolveDigest(this.client, repository, reference, this.signal);
      if (digest === undefined) throw new NotFoundError(`no image ${this.client.host}/${repository}:${reference}`);
      this.cache.tagged(repository, reference, digest);
      return this.manifest(repository, digest);
    }
    const top = await fetchManifest(this.client, repository, reference, this.signal);
    this.byDigest.set(top.digest, Promise.resolve(top));
    this.cache?.keepManifest(top);
    if (!isDigest(reference)) this.cache?.tagged(repository, reference, top.digest);
    return top;
  }

  /** Keeps what this reader learned for the next listing (nothing when the client keeps no cache). */
  async save(): Promise<void> {
    await this.cache?.save();
  }

  private async summarize(repository: string, tag: string, top: Manifest, withLayers: boolean): Promise<TagSummary> {
    const base = { repository, tag, digest: top.digest, mediaType: top.mediaType };
    const parsed = top.parsed;
    if (parsed.kind === 'image') {
      const kind: 'image' | 'artifact' = manifestKind(parsed) === 'artifact' ? 'artifact' : 'image';
      const config = kind === 'artifact' ? undefined : await this.config(repository, parsed);
      const platform = config ? platformText(config.platform) : `artifact ${parsed.artifactType ?? parsed.config.mediaType}`;
      const entry: PlatformEntry = { platform, kind, digest: top.digest, mediaType: top.mediaType, size: imageSize(parsed) };
      if (withLayers) entry.layers = parsed.layers;
      const created = config?.created !== undefined ? { created: config.created } : {};
      const subject = parsed.subject !== undefined ? { subject: parsed.subject.digest } : {};
      const artifactType = parsed.artifactType ?? (kind === 'artifact' ? parsed.config.mediaType : undefined);
      return {
        ...base,
        kind,
        platforms: kind === 'image' ? [platform] : [],
        size: imageSize(parsed),
        entries: [entry],
        ...created,
        ...subject,
        ...(artifactType !== undefined ? { artifactType } : {}),
      };
    }
    const children = await Promise.all(
      parsed.manifests.map(async (d): Promise<PlatformEntry & { blobs: Descriptor[]; created?: string | undefined }> => {
        const kind: PlatformEntry['kind'] = isIndexMediaType(d.mediaType) ? 'index' : entryKind(d);
        const entry: PlatformEntry & { blobs: Descriptor[] } = {
          platform: describeEntry(d, parsed.manifests),
          kind,
          digest: d.digest,
          mediaType: d.mediaType,
          blobs: [],
          ...(d.artifactType !== undefined ? { artifactType: d.artifactType } : {}),
        };
        if (kind === 'index') return entry;
        let child: Manifest;
        try {
          child = await this.manifest(repository, d.digest);
        } catch (err) {
          if (err instanceof NotFoundError || err instanceof ManifestError) return { ...entry, error: err.message };
          throw err;
        }
        if (child.parsed.kind !== 'image') return entry;
        const blobs = [child.parsed.config, ...child.parsed.layers];
        // A platform's date only: its config unreadable leaves the date out, not the row.
        const created = kind === 'image' ? (await this.config(repository, child.parsed).catch(() => undefined))?.created : undefined;
        return { ...entry, size: imageSize(child.parsed), blobs, created, ...(withLayers ? { layers: child.parsed.layers } : {}) };
      }),
    );
    const distinct = new Map<string, number>();
    for (const c of children) for (const b of c.blobs) distinct.set(b.digest, b.size);
    const size = [...distinct.values()].reduce((a, b) => a + b, 0);
    const entries = children.map(({ blobs: _blobs, created: _created, ...entry }) => entry);
    const platforms = entries.filter((e) => e.kind === 'image').map((e) => e.platform);
    const created = children
      .map((c) => c.created)
      .filter((c): c is string => c !== undefined)
      .sort()
      .at(-1);
    return { ...base, kind: 'index', platforms, size, entries, ...(created !== undefined ? { created } : {}) };
  }
}

/**
 * The tags of each named repository (every repository when none are named), read from
 * the tag lists alone, as `lsi -q` prints them; then(repository, tags) runs as soon as a
 * list arrives, and its results come back in order. A named repository that does not
 * exist is a NotFoundError. Order: repositories as given (or all of them in a human order:
 * app2 before app10), tags by compareTags.
 */
export async function forEachTagList<T>(
  client: RegistryApi,
  repositories: readonly string[] | undefined,
  signal: AbortSignal | undefined,
  then: (repository: string, tags: string[]) => Promise<T> | T,
): Promise<T[]> {
  const names = repositories ?? (await listRepositories(client, signal)).sort(compareTags);
  return Promise.all(
    names.map(async (repository) => {
      let tags: string[];
      try {
        tags = (await listTags(client, repository, signal)).sort(compareTags);
      } catch (err) {
        // A repository the catalog lists may have been removed meanwhile.
        if (repositories === undefined && err instanceof NotFoundError) tags = [];
        else throw err;
      }
      return then(repository, tags);
    }),
  );
}

/** A tag whose manifest could not be read: its row says why (error). */
const UNREAD = { digest: '', mediaType: '', kind: 'image', size: 0 } as const;

/**
 * Every tag of the named repositories (all repositories when none are named), described.
 * A tag whose manifest cannot be read gets a row with `error`; one deleted since its tag
 * list was read is left out. What was learned is kept for the next listing
 * (manifest-cache.ts). `onTags` runs once, when the first tag is seen. `referrers` adds
 * rows for referrers only the OCI referrers API knows (referrer-rows.ts).
 */
export async function listImages(
  client: RegistryApi,
  repositories: readonly string[] | undefined,
  signal?: AbortSignal,
  options: { layers?: boolean; onTags?: () => void; referrers?: boolean } = {},
): Promise<TagSummary[]> {
  const reader = new ImageReader(client, signal);
  let onTags = options.onTags;
  // Each repository's manifests are asked for as soon as its tag list arrives.
  const rows = await forEachTagList(client, repositories, signal, (repo, tags) => {
    if (tags.length > 0 && onTags) {
      onTags();
      onTags = undefined;
    }
    return Promise.all(
      tags.map(async (tag): Promise<TagSummary | undefined> => {
        try {
          return await reader.describe(repo, tag, tag, options.layers ?? false);
        } catch (err) {
          if (err instanceof NotFoundError) return undefined; // deleted since the tag list
          if (err instanceof ManifestError) return { ...UNREAD, repository: repo, tag, platforms: [], entries: [], error: err.message };
          throw err;
        }
      }),
    );
  });
  const listed = rows.flat().filter((r): r is TagSummary => r !== undefined);
  const extra = options.referrers ? await apiReferrerRows(client, listed, reader, signal) : [];
  await reader.save();
  return withReferrerRows(listed, extra);
}

/** Tags (and repository names) in a stable, human order: numbers by value ("v2" before "v10"). */
export function compareTags(a: string, b: string): number {
  const quick = quickOrder(a, b);
  if (quick !== undefined) return quick;
  tagCollator ??= new Intl.Collator('en', { numeric: true });
  return tagCollator.compare(a, b);
}

/** Made on first use: a collator costs about 10 ms (ICU's data), which a command listing no tags need not pay. */
let tagCollator: Intl.Collator | undefined;
