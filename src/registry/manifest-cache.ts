// What a listing learned about a registry, kept for the next one: manifests by digest
// (content addressed, so they never change), what each config digest declares (platform,
// creation time),
// and which digest each tag pointed at. A tag seen before is asked with a HEAD (the
// registry says where it points now); only a digest not kept here is fetched, and a
// tag never seen is fetched with one GET as before. So a second `lsi` of a registry
// fetches only what is new, and a tag that moved costs one request more.
//
// One file per registry in the cache directory (cache-file.ts), bounded per kind; a kept
// manifest is hashed again before use, so a damaged file costs requests, never a wrong row.
import { keepRecent, readCacheFile, registryCacheFile, updateCacheFile } from './cache-file.ts';
import type { RegistryApi } from './api.ts';
import type { ImageConfigFacts } from './image-config.ts';
import { digestOf, parseManifest, type Manifest, type Platform } from './manifest.ts';

export const MAX_MANIFESTS = 10_000;
export const MAX_CONFIGS = 10_000;
export const MAX_TAGS = 10_000;
/** Bigger manifests (huge indexes) are not kept. */
const MAX_MANIFEST_BYTES = 32 * 1024;
const VERSION = 2;
/** A kept entry used again has its time renewed (for the LRU bound) at most this often. */
const RENEW_SECONDS = 24 * 3600;

type ManifestEntry = [number, string, string]; // used, media type, the bytes as UTF-8 text
type ConfigEntry = [number, ...string[]]; // used, created ('' for none), then os, architecture, variant when it declares a platform
type TagEntry = [number, string]; // used, digest

interface Tables {
  m: Map<string, ManifestEntry>;
  c: Map<string, ConfigEntry>;
  t: Map<string, TagEntry>;
}

function table<T extends [number, ...unknown[]]>(value: unknown, valid: (entry: unknown[]) => boolean): Map<string, T> {
  const map = new Map<string, T>();
  if (typeof value !== 'object' || value === null) return map;
  for (const [key, entry] of Object.entries(value)) {
    if (Array.isArray(entry) && typeof entry[0] === 'number' && valid(entry)) map.set(key, entry as T);
  }
  return map;
}

function parseTables(json: unknown): Tables {
  const file = (typeof json === 'object' && json !== null ? json : {}) as { v?: unknown; m?: unknown; c?: unknown; t?: unknown };
  const ok = file.v === VERSION;
  const strings = (entry: unknown[]) => entry.slice(1).every((x) => typeof x === 'string');
  return {
    m: table<ManifestEntry>(ok ? file.m : undefined, (e) => e.length === 3 && strings(e)),
    c: table<ConfigEntry>(ok ? file.c : undefined, (e) => (e.length === 2 || e.length === 4 || e.length === 5) && strings(e)),
    t: table<TagEntry>(ok ? file.t : undefined, (e) => e.length === 2 && strings(e)),
  };
}

export class ManifestCache {
  private readonly where: () => string;
  private pathName: string | undefined;
  private loaded: Promise<Tables> | undefined;
  private readonly news: Tables = { m: new Map(), c: new Map(), t: new Map() };
  private readonly now: number;

  /** path: the file, or how to name it (on first use: naming it hashes the host). */
  constructor(path: string | (() => string), now = Date.now()) {
    this.where = typeof path === 'string' ? () => path : path;
    this.now = Math.floor(now / 1000);
  }

  /** The cache of client's registry, or undefined when the client keeps none. */
  static of(client: RegistryApi): ManifestCache | undefined {
    const dir = client.cacheDir;
    return dir === undefined ? undefined : new ManifestCache(() => registryCacheFile(dir, 'manifests', client.host));
  }

  private get path(): string {
    this.pathName ??= this.where();
    return this.pathName;
  }

  /** Starts reading the file (once); every lookup waits for it. */
  load(): Promise<Tables> {
    this.loaded ??= readCacheFile(this.path).then(parseTables);
    return this.loaded;
  }

  private async lookup<K extends keyof Tables>(
    kind: K,
    key: string,
  ): Promise<Tables[K] extends Map<string, infer E> ? E | undefined : never> {
    const fresh = this.news[kind].get(key);
    if (fresh) return fresh as never;
    const stored = (await this.load())[kind].get(key);
    // Used again after a long while: renewed, so the bound drops what is no longer used first.
    if (stored && this.now - stored[0] > RENEW_SECONDS) (this.news[kind] as Map<string, unknown>).set(key, [this.now, ...stored.slice(1)]);
    return stored as never;
  }

  /** The kept manifest of this digest, checked against it; undefined when none (or damaged). */
  async manifest(digest: string): Promise<Manifest | undefined> {
    const entry = await this.lookup('m', digest);
    if (!entry) return undefined;
    const bytes = Buffer.from(entry[2], 'utf8');
    if (digestOf(bytes, digest.startsWith('sha512:') ? 'sha512' : 'sha256') !== digest) return undefined;
    try {
      const parsed = parseManifest(bytes, entry[1]);
      return { digest, mediaType: parsed.mediaType, bytes, parsed };
    } catch {
      return undefined;
    }
  }

  keepManifest(m: Manifest): void {
    if (m.bytes.length > MAX_MANIFEST_BYTES) return;
    const text = m.bytes.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(m.bytes)) return; // not UTF-8: would not come back byte for byte
    this.news.m.set(m.digest, [this.now, m.mediaType, text]);
  }

  /** What this config digest declared when it was read before. */
  async config(configDigest: string): Promise<ImageConfigFacts | undefined> {
    const entry = await this.lookup('c', configDigest);
    if (!entry) return undefined;
    const created = entry[1] || undefined;
    if (entry.length === 2) return { platform: undefined, created };
    const platform: Platform = { os: entry[2]!, architecture: entry[3]! };
    if (entry[4]) platform.variant = entry[4];
    return { platform, created };
  }

  keepConfig(configDigest: string, facts: ImageConfigFacts): void {
    const p = facts.platform;
    this.news.c.set(configDigest, [this.now, facts.created ?? '', ...(p ? [p.os, p.architecture, ...(p.variant ? [p.variant] : [])] : [])]);
  }

  /** The digest repository:tag pointed at when last listed. */
  async taggedBefore(repository: string, tag: string): Promise<string | undefined> {
    return (await this.lookup('t', `${repository}:${tag}`))?.[1];
  }

  tagged(repository: string, tag: string, digest: string): void {
    const key = `${repository}:${tag}`;
    const known = this.news.t.get(key);
    if (known?.[1] !== digest) this.news.t.set(key, [this.now, digest]);
  }

  /** Merges what was learned into the file when there is anything new. */
  async save(): Promise<Error | undefined> {
    const { m, c, t } = this.news;
    if (m.size + c.size + t.size === 0) return undefined;
    const known = this.loaded ? await this.loaded : undefined;
    // Tags looked up and found unchanged are not news unless renewed.
    if (
      m.size + c.size === 0 &&
      known &&
      [...t].every(([k, e]) => known.t.get(k)?.[1] === e[1] && this.now - known.t.get(k)![0] <= RENEW_SECONDS)
    )
      return undefined;
    return updateCacheFile(this.path, (current) => {
      const disk = parseTables(current);
      for (const kind of ['m', 'c', 't'] as const)
        for (const [key, entry] of this.news[kind]) (disk[kind] as Map<string, unknown>).set(key, entry);
      return {
        v: VERSION,
        m: Object.fromEntries(keepRecent(disk.m, MAX_MANIFESTS)),
        c: Object.fromEntries(keepRecent(disk.c, MAX_CONFIGS)),
        t: Object.fromEntries(keepRecent(disk.t, MAX_TAGS)),
      };
    });
  }
}
