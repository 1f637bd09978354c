// The copy engine: images from one repository to another, on the same registry or
// across registries, byte for byte. Every requested tag is resolved before anything
// is written; then index -> child manifests -> config and layers, children before
// their parent, each tag written last, so an interrupted copy never leaves a tag
// pointing at something incomplete and running it again finishes the job.
// Each digest's work happens once (a map of digest -> promise). This file holds the
// manifests and tags (copy-destination.ts: the requests for them at the destination);
// copy-blobs.ts moves the blobs (at most `jobs` at a time, retried from the start on
// transient failures).
import { NotFoundError } from '../errors.ts';
import type { Repo } from './blobs.ts';
import { BlobCopier, type BlobCopyOptions, type BlobEvents, type BlobOutcome } from './copy-blobs.ts';
import { early, headManifest, putManifest, resolvesTo } from './copy-destination.ts';
import { fetchManifest, manifestChildren, type Descriptor, type Manifest } from './manifest.ts';
import { carryReferrers, ReferrerLookups, type CarriedReferrer, type ManifestPlacer } from './referrer-copy.ts';
import { withAbandoned } from './upload.ts';

export type { BlobOutcome } from './copy-blobs.ts';

/** What the copy reports as it goes (a progress display listens); all optional. */
export interface CopyEvents extends BlobEvents {
  manifestDone?(digest: string, mediaType: string, outcome: 'exists' | 'copied'): void;
  tagDone?(destination: string, digest: string): void;
}

export interface CopyItem {
  /** Tag or digest in the source repository. */
  source: string;
  /** Tag to write at the destination; undefined: the manifest is stored by digest only. */
  tag: string | undefined;
}

export interface CopyOptions extends BlobCopyOptions {
  signal?: AbortSignal;
  events?: CopyEvents;
  /** Count the blobs below a manifest the destination has (default true): for an index, a read of
   *  its children from the source, a warm copy's third round trip nobody needs without counts (cp -q). */
  countPresent?: boolean;
  /** Copy each image's signatures, attestations and SBOMs after it (referrer-copy.ts; default true). */
  referrers?: boolean;
}

export interface CopiedImage {
  source: string;
  destination: string;
  digest: string;
  mediaType: string;
}

export interface CopyReport {
  images: CopiedImage[];
  blobs: Record<BlobOutcome, number>;
  /** Bytes sent to the destination (copied blobs only). */
  bytes: number;
  /** The referrers carried with the images (each subject before its referrers). */
  referrers: CarriedReferrer[];
}

const name = (repo: Repo, reference: string) => `${repo.client.host}/${repo.repository}${reference.includes(':') ? '@' : ':'}${reference}`;

/**
 * Resolves every item first (a missing tag fails before any write), then copies them. A warm
 * copy asks its questions at once rather than in turn: the destination's HEAD of each tag while
 * the source reads the image, the source's tag list and referrers API of the image as soon as
 * its digest is known (2 round trips where one after the other took 4). Each answer is awaited
 * where it was asked before, so failures and their order are as they were.
 */
export async function copyImages(from: Repo, to: Repo, items: readonly CopyItem[], options: CopyOptions = {}): Promise<CopyReport> {
  const copier = new Copier(from, to, options);
  const lookups = options.referrers === false ? undefined : new ReferrerLookups(from, copier.signal);
  try {
    // A tag, or a digest the item names: known before the source answers.
    const heads = items.map((item) => {
      const reference = item.tag ?? (item.source.includes(':') ? item.source : undefined);
      return reference === undefined ? undefined : early(headManifest(to, reference, copier.signal));
    });
    const roots = await Promise.all(
      items.map((item) =>
        fetchManifest(from.client, from.repository, item.source, copier.signal).then(
          (manifest) => {
            lookups?.ask(manifest.digest);
            return { item, manifest };
          },
          (err: unknown) => ({ item, error: err }),
        ),
      ),
    );
    const missing = roots.filter((r) => 'error' in r && r.error instanceof NotFoundError).map((r) => r.item.source);
    if (missing.length > 0) {
      const what =
        missing.length === 1 ? `no image ${name(from, missing[0]!)}` : `no images ${missing.map((m) => name(from, m)).join(', ')}`;
      throw new NotFoundError(`${what}: nothing was copied`);
    }
    const failed = roots.find((r) => 'error' in r);
    if (failed && 'error' in failed) throw failed.error;

    // Everything below the tags first, all roots at once...
    const planned = await Promise.all(
      roots.map(async (root, i) => {
        if (!('manifest' in root)) throw new Error('unreachable');
        const { item, manifest } = root;
        const reference = item.tag ?? manifest.digest;
        // Where its blobs are counted, an index's children are read either way (to count them,
        // or to copy them): from the source while the destination is asked, not a round trip after.
        copier.readChildren(manifest);
        // A tag already pointing at this digest is a finished copy: nothing to write.
        const head = heads[i];
        const done = head
          ? resolvesTo(await head, reference, manifest.digest)
          : await copier.destinationResolves(reference, manifest.digest);
        if (done) await copier.alreadyThere(manifest);
        else await copier.rootContents(manifest);
        return { item, manifest, reference, done };
      }),
    );
    // ...then the tags, one at a time: a registry reads an index's children while it stores
    // the index, and a PUT of one of those children under its own tag rewrites their links
    // (seen: DIGEST_INVALID + MANIFEST_BLOB_UNKNOWN on the index, distribution 2.8).
    const images: CopiedImage[] = [];
    for (const { item, manifest, reference, done } of planned) {
      if (!done) await copier.putManifest(manifest, reference);
      const destination = name(to, reference);
      options.events?.tagDone?.(destination, manifest.digest);
      images.push({ source: name(from, item.source), destination, digest: manifest.digest, mediaType: manifest.mediaType });
    }
    const tops = [...new Map(planned.map((p) => [p.manifest.digest, p.manifest])).values()];
    const referrers = lookups ? await carryReferrers(copier, from, to, tops, lookups, copier.signal) : [];
    return { images, blobs: copier.blobs.outcomes, bytes: copier.blobs.bytes, referrers };
  } catch (err) {
    copier.abort(err);
    // The blobs still moving stop, and cancel their upload sessions, before the copy ends.
    await copier.blobs.settle();
    throw withAbandoned(err, copier.blobs.abandoned);
  } finally {
    await copier.blobs.memory.save();
  }
}

class Copier implements ManifestPlacer {
  private readonly from: Repo;
  private readonly to: Repo;
  private readonly options: CopyOptions;
  private readonly controller = new AbortController();
  readonly signal: AbortSignal;
  readonly blobs: BlobCopier;
  private readonly manifests = new Map<string, Promise<void>>();
  private readonly roots = new Map<string, Promise<void>>();
  /** Manifests read from the source by digest, each once. */
  private readonly sourceManifests = new Map<string, Promise<Manifest>>();
  /** Manifests the destination had, whose blobs were counted as there. */
  private readonly counted = new Set<string>();

  constructor(from: Repo, to: Repo, options: CopyOptions) {
    this.from = from;
    this.to = to;
    this.options = options;
    this.signal = options.signal ? AbortSignal.any([options.signal, this.controller.signal]) : this.controller.signal;
    this.blobs = new BlobCopier(from, to, options, this.signal);
  }

  /** Stops the other transfers once one has failed for good. */
  abort(reason: unknown): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** Like contents, but nothing to do when the destination has the manifest (a re-run, another tag). */
  async rootContents(manifest: Manifest): Promise<void> {
    // Its own map: as a child of an index the same digest must also be PUT by digest.
    let work = this.roots.get(manifest.digest);
    if (!work) {
      work = (async () => {
        if (await this.destinationHasManifest(manifest.digest)) {
          this.options.events?.manifestDone?.(manifest.digest, manifest.mediaType, 'exists');
          await this.alreadyThere(manifest);
          return;
        }
        await this.contents(manifest);
      })();
      this.roots.set(manifest.digest, work);
    }
    return work;
  }

  /**
   * A manifest the destination has: its blobs are there too, counted as such (a warm copy
   * says so rather than "0 already there"). An index's children are read from the source
   * to count theirs; a count that cannot be made is left out, the copy stands.
   */
  async alreadyThere(manifest: Manifest): Promise<void> {
    if (manifest.parsed.kind !== 'index') {
      for (const blob of manifestChildren(manifest.parsed).filter(distributable)) this.blobs.present(blob);
      return;
    }
    if (!this.counting) return;
    await Promise.all(
      manifestChildren(manifest.parsed).map(async (child) => {
        if (this.counted.has(child.digest)) return;
        this.counted.add(child.digest);
        const found = await this.sourceManifest(child.digest).catch(() => undefined);
        if (found) await this.alreadyThere(found);
      }),
    );
  }

  private get counting(): boolean {
    return this.options.countPresent !== false;
  }

  /**
   * Starts reading an index's children from the source (when they will be read at all: to
   * copy them, or to count their blobs). A failure is met where the child is awaited.
   */
  readChildren(manifest: Manifest): void {
    if (manifest.parsed.kind !== 'index' || !this.counting) return;
    for (const child of manifestChildren(manifest.parsed)) void this.sourceManifest(child.digest).catch(() => undefined);
  }

  source = (digest: string): Promise<Manifest> => this.sourceManifest(digest);

  /** manifest, with all it points at, under reference (tag or digest) at the destination, unless there. */
  async place(manifest: Manifest, reference: string): Promise<void> {
    if (await this.destinationResolves(reference, manifest.digest)) return;
    await this.rootContents(manifest);
    await this.putManifest(manifest, reference);
  }

  private sourceManifest(digest: string): Promise<Manifest> {
    let manifest = this.sourceManifests.get(digest);
    if (!manifest) {
      manifest = fetchManifest(this.from.client, this.from.repository, digest, this.signal);
      this.sourceManifests.set(digest, manifest);
    }
    return manifest;
  }

  /** Everything manifest points at, present at the destination (not manifest itself). */
  async contents(manifest: Manifest): Promise<void> {
    const children = manifestChildren(manifest.parsed);
    if (manifest.parsed.kind === 'index') {
      await Promise.all(children.map((child) => this.childManifest(child)));
    } else {
      await Promise.all(children.filter(distributable).map((blob) => this.blobs.copy(blob)));
    }
  }

  private childManifest(d: Descriptor): Promise<void> {
    let work = this.manifests.get(d.digest);
    if (!work) {
      work = (async () => {
        // A manifest the destination has comes with everything it points at: registries
        // refuse a manifest whose blobs or children are missing.
        if (await this.destinationHasManifest(d.digest)) {
          this.options.events?.manifestDone?.(d.digest, d.mediaType, 'exists');
          return;
        }
        const manifest = await this.sourceManifest(d.digest);
        await this.contents(manifest);
        await this.putManifest(manifest, manifest.digest);
      })();
      this.manifests.set(d.digest, work);
    }
    return work;
  }

  private destinationHasManifest(digest: string): Promise<boolean> {
    return this.destinationResolves(digest, digest);
  }

  /** Whether reference (tag or digest) names the manifest digest at the destination. */
  async destinationResolves(reference: string, digest: string): Promise<boolean> {
    return resolvesTo(await headManifest(this.to, reference, this.signal), reference, digest);
  }

  /** PUTs the manifest's own bytes with its own media type under reference (tag or digest). */
  async putManifest(manifest: Manifest, reference: string): Promise<void> {
    await putManifest(this.to, manifest, reference, this.signal);
    if (reference === manifest.digest) this.options.events?.manifestDone?.(manifest.digest, manifest.mediaType, 'copied');
  }
}

/** Layers a registry may refuse to serve (Windows base layers): left out, as docker push does. */
export function distributable(d: Descriptor): boolean {
  return !/\.foreign\.|\.nondistributable\./.test(d.mediaType);
}
