// What a registry holds, tag by tag: the data behind `lsi` and `inspect`. Every request
// is started at once and the client's limit bounds how many are in flight, so a
// listing runs at the registry's pace over kept-alive connections. Manifests fetched by
// digest and config platforms are shared through caches keyed by digest (content
// addressed, so the same in every repository).
import { ManifestError } from './errors.ts';
import type { RegistryApi } from './api.ts';
import { listRepositories, listTags } from './catalog.ts';
import { fetchImageConfig, type ImageConfigFacts } from './image-config.ts';
import {
  describeEntry, entryKind, fetchManifest, imageSize, isIndexMediaType, manifestKind, platformText,
  type Descriptor, type ImageManifest, type Manifest, type Platform,
} from './manifest.ts';
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
}

export class ImageReader {
  private readonly client: RegistryApi;
  private readonly signal: AbortSignal | undefined;
  private readonly byDigest = new Map<string, Promise<Manifest>>();
  private readonly configs = new Map<string, Promise<ImageConfigFacts>>();

  constructor(client: RegistryApi, signal?: AbortSignal) {
    this.client = client;
    this.signal = signal;
  }

  manifest(repository: string, digest: string): Promise<Manifest> {
    let pending = this.byDigest.get(digest);
    if (!pending) {
      pending = fetchManifest(this.client, repository, digest, this.signal);
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
      pending = fetchImageConfig(this.client, repository, m.config, this.signal);
      this.configs.set(m.config.digest, pending);
    }
    return pending;
  }

  /** One tag (or digest) resolved: its manifest, its entries, sizes; `layers` adds each entry's layers. */
  async describe(repository: string, reference: string, tag: string, layers = false): Promise<TagSummary> {
    const top = await fetchManifest(this.client, repository, reference, this.signal);
    this.byDigest.set(top.digest, Promise.resolve(top));
    return this.summarize(repository, tag, top, layers);
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
      return { ...base, kind, platforms: kind === 'image' ? [platform] : [], size: imageSize(parsed), entries: [entry], ...created };
    }
    const children = await Promise.all(parsed.manifests.map(async (d): Promise<PlatformEntry & { blobs: Descriptor[]; created?: string | undefined }> => {
      const kind: PlatformEntry['kind'] = isIndexMediaType(d.mediaType) ? 'index' : entryKind(d);
      const entry: PlatformEntry & { blobs: Descriptor[] } = { platform: describeEntry(d, parsed.manifests), kind, digest: d.digest, mediaType: d.mediaType, blobs: [] };
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
    }));
    const distinct = new Map<string, number>();
    for (const c of children) for (const b of c.blobs) distinct.set(b.digest, b.size);
    const size = [...distinct.values()].reduce((a, b) => a + b, 0);
    const entries = children.map(({ blobs: _blobs, created: _created, ...entry }) => entry);
    const platforms = entries.filter((e) => e.kind === 'image').map((e) => e.platform);
    const created = children.map((c) => c.created).filter((c): c is string => c !== undefined).sort().at(-1);
    return { ...base, kind: 'index', platforms, size, entries, ...(created !== undefined ? { created } : {}) };
  }
}

/**
 * Every tag of the named repositories (all repositories when none are named). A named
 * repository that does not exist is a NotFoundError before anything is listed; a tag
 * whose manifest cannot be read gets a row with `error`. Order: repositories as given
 * (or as the catalog lists them), tags as the registry lists them.
 */
export async function listImages(
  client: RegistryApi,
  repositories: readonly string[] | undefined,
  signal?: AbortSignal,
  options: { layers?: boolean } = {},
): Promise<TagSummary[]> {
  const reader = new ImageReader(client, signal);
  const names = repositories ?? (await listRepositories(client, signal));
  // Each repository's manifests are asked for as soon as its tag list arrives.
  const perRepository = await Promise.all(
    names.map(async (repo) => {
      let tags: string[];
      try {
        tags = (await listTags(client, repo, signal)).sort(compareTags);
      } catch (err) {
        // A repository the catalog lists may have been removed meanwhile.
        if (repositories === undefined && err instanceof NotFoundError) return [];
        throw err;
      }
      return Promise.all(
        tags.map(async (tag): Promise<TagSummary | undefined> => {
          try {
            return await reader.describe(repo, tag, tag, options.layers ?? false);
          } catch (err) {
            if (err instanceof NotFoundError) return undefined; // deleted since the tag list
            if (err instanceof ManifestError) {
              return { repository: repo, tag, digest: '', mediaType: '', kind: 'image', platforms: [], size: 0, entries: [], error: err.message };
            }
            throw err;
          }
        }),
      );
    }),
  );
  const rows = perRepository.flat();
  return rows.filter((r): r is TagSummary => r !== undefined);
}

/** Tags in a stable, human order: numbers by value ("v2" before "v10"). */
export function compareTags(a: string, b: string): number {
  return tagCollator.compare(a, b);
}

const tagCollator = new Intl.Collator('en', { numeric: true });
