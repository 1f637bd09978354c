// What `save` puts in an archive, read from the registry before a byte is written: every
// manifest (kept as the bytes the registry sent; they are small), every blob's descriptor
// (streamed later, never held), and the archive's named entries. An image is saved with
// every platform of its index; or, for a Docker archive, the one platform asked for.
// Referrers (signatures, SBOMs, attestations) go with their subject, found by
// referrers.ts, recorded as regclient's OCI layouts record them: the fallback tag's index
// (`sha256-<hex>`, the registry's own bytes where it has that tag, else one made as the
// OCI spec describes) and cosign's `sha256-<hex>.sig|.att|.sbom` tags, each an entry of
// the layout's index.json under its full name.
import { NotFoundError, UsageError } from '../errors.ts';
import { listTags } from './catalog.ts';
import type { RegistryClient } from './client.ts';
import {
  digestOf,
  fetchManifest,
  manifestChildren,
  MEDIA,
  platformText,
  type Descriptor,
  type Manifest,
  type Platform,
} from './manifest.ts';
import { fallbackTag, referrerTree, type ReferrerNode } from './referrers.ts';

export interface SaveImage {
  client: RegistryClient;
  repository: string;
  /** Tag or digest. */
  reference: string;
  /** The name it is saved under: HOST/REPOSITORY:TAG (or @DIGEST). */
  name: string;
}

export interface SaveEntry {
  name: string;
  descriptor: Descriptor;
  kind: 'image' | 'referrers' | 'cosign';
}

export interface SavedBlob {
  descriptor: Descriptor;
  /** Where to read it. */
  client: RegistryClient;
  repository: string;
}

export interface SavedImage {
  name: string;
  digest: string;
  mediaType: string;
  platforms: string[];
  referrers: number;
}

export interface SavePlan {
  manifests: Map<string, Manifest>;
  blobs: Map<string, SavedBlob>;
  entries: SaveEntry[];
  images: SavedImage[];
}

export interface SavePlanOptions {
  referrers: boolean;
  /** Keep only this platform of an index (a Docker archive holds one). */
  platform?: Platform;
  signal?: AbortSignal;
}

/** Layers a registry may refuse to serve (Windows base layers): left out, as docker save and cp do. */
const distributable = (d: Descriptor): boolean => !/\.foreign\.|\.nondistributable\./.test(d.mediaType);

function matches(want: Platform, have: Platform | undefined): boolean {
  if (!have) return false;
  return have.os === want.os && have.architecture === want.architecture && (want.variant === undefined || have.variant === want.variant);
}

class Planner {
  readonly plan: SavePlan = { manifests: new Map(), blobs: new Map(), entries: [], images: [] };
  private readonly options: SavePlanOptions;

  constructor(options: SavePlanOptions) {
    this.options = options;
  }

  /** manifest and everything under it. */
  async walk(image: SaveImage, manifest: Manifest): Promise<void> {
    if (this.plan.manifests.has(manifest.digest)) return;
    this.plan.manifests.set(manifest.digest, manifest);
    if (manifest.parsed.kind === 'index') {
      await Promise.all(
        manifest.parsed.manifests.map(async (child) =>
          this.walk(image, await fetchManifest(image.client, image.repository, child.digest, this.options.signal)),
        ),
      );
      return;
    }
    for (const blob of manifestChildren(manifest.parsed).filter(distributable)) {
      if (!this.plan.blobs.has(blob.digest)) {
        this.plan.blobs.set(blob.digest, { descriptor: blob, client: image.client, repository: image.repository });
      }
    }
  }

  /** The one platform a Docker archive holds, from an index. */
  private async pick(image: SaveImage, root: Manifest): Promise<Manifest> {
    const want = this.options.platform;
    if (want === undefined || root.parsed.kind !== 'index') return root;
    const child = root.parsed.manifests.find((d) => matches(want, d.platform));
    if (!child) {
      const have = root.parsed.manifests.map((d) => platformText(d.platform)).filter((p) => p !== '' && p !== 'unknown/unknown');
      throw new NotFoundError(
        `${image.name} has no ${platformText(want)} image (it has ${have.join(', ') || 'none'}): choose one with --platform`,
      );
    }
    return fetchManifest(image.client, image.repository, child.digest, this.options.signal);
  }

  async image(image: SaveImage): Promise<void> {
    const root = await this.pick(image, await fetchManifest(image.client, image.repository, image.reference, this.options.signal));
    await this.walk(image, root);
    this.plan.entries.push({ name: image.name, descriptor: descriptorOf(root), kind: 'image' });
    const platforms =
      root.parsed.kind === 'index'
        ? root.parsed.manifests.filter((d) => d.platform && d.platform.os !== 'unknown').map((d) => platformText(d.platform))
        : [];
    let referrers = 0;
    if (this.options.referrers) {
      const tags = await listTags(image.client, image.repository, this.options.signal).catch((err: unknown) => {
        if (err instanceof NotFoundError) return [];
        throw err;
      });
      const subjects = [root.digest, ...(root.parsed.kind === 'index' ? root.parsed.manifests.map((d) => d.digest) : [])];
      for (const subject of subjects) referrers += await this.referrers(image, subject, tags);
    }
    this.plan.images.push({ name: image.name, digest: root.digest, mediaType: root.mediaType, platforms, referrers });
  }

  /** The referrers of subject (and theirs, recursively); how many there were. */
  private async referrers(image: SaveImage, subject: string, tags: readonly string[]): Promise<number> {
    const tree = await referrerTree(image.client, image.repository, subject, tags, this.options.signal);
    let count = 0;
    const visit = async (subjectDigest: string, nodes: ReferrerNode[]): Promise<void> => {
      if (nodes.length === 0) return;
      const listed: Descriptor[] = [];
      for (const node of nodes) {
        // A referrer a fallback index still lists after it was deleted is left out (the index is then made anew).
        const manifest = await fetchManifest(image.client, image.repository, node.digest, this.options.signal).catch((err: unknown) => {
          if (err instanceof NotFoundError) return undefined;
          throw err;
        });
        if (manifest === undefined) continue;
        count += 1;
        await this.walk(image, manifest);
        if (node.tag !== undefined && node.tag !== fallbackTag(subjectDigest)) {
          this.addEntry(`${repositoryName(image)}:${node.tag}`, descriptorOf(manifest), 'cosign');
        } else listed.push(referrerDescriptor(node, manifest));
        await visit(node.digest, node.children);
      }
      if (listed.length > 0) await this.fallbackIndex(image, subjectDigest, listed, tags);
    };
    await visit(subject, tree);
    return count;
  }

  /** The fallback tag's index: the registry's own when it has the tag, else one made for the archive. */
  private async fallbackIndex(image: SaveImage, subject: string, listed: Descriptor[], tags: readonly string[]): Promise<void> {
    const tag = fallbackTag(subject);
    const own = tags.includes(tag) ? await fetchManifest(image.client, image.repository, tag, this.options.signal) : undefined;
    // The registry's own bytes when they list exactly what is saved (an index that names a deleted
    // referrer, or misses one the API gave, would not load as it is).
    const same = (m: Manifest): boolean =>
      m.parsed.kind === 'index' &&
      m.parsed.manifests.length === listed.length &&
      m.parsed.manifests.every((d) => listed.some((l) => l.digest === d.digest));
    let index: Manifest;
    if (own !== undefined && same(own)) {
      index = own;
    } else {
      const bytes = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA.ociIndex,
          manifests: listed.sort((a, b) => a.digest.localeCompare(b.digest)),
        }),
      );
      index = {
        digest: digestOf(bytes),
        mediaType: MEDIA.ociIndex,
        bytes,
        parsed: { kind: 'index', mediaType: MEDIA.ociIndex, manifests: listed },
      };
    }
    this.plan.manifests.set(index.digest, index);
    this.addEntry(`${repositoryName(image)}:${tag}`, descriptorOf(index), 'referrers');
  }

  private addEntry(name: string, descriptor: Descriptor, kind: SaveEntry['kind']): void {
    if (!this.plan.entries.some((e) => e.name === name)) this.plan.entries.push({ name, descriptor, kind });
  }
}

function repositoryName(image: SaveImage): string {
  const at = image.name.lastIndexOf('@');
  const base = at === -1 ? image.name : image.name.slice(0, at);
  const colon = base.lastIndexOf(':');
  return colon > base.lastIndexOf('/') ? base.slice(0, colon) : base;
}

export function descriptorOf(m: Manifest): Descriptor {
  return { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length };
}

/** A referrer as the fallback index lists it: its artifact type and annotations pulled up, as the spec asks. */
function referrerDescriptor(node: ReferrerNode, m: Manifest): Descriptor {
  const d = descriptorOf(m);
  const artifactType = m.parsed.artifactType ?? (m.parsed.kind === 'image' ? m.parsed.config.mediaType : undefined) ?? node.artifactType;
  if (artifactType !== undefined) d.artifactType = artifactType;
  if (m.parsed.annotations !== undefined) d.annotations = m.parsed.annotations;
  return d;
}

/** Reads everything the images need from the registry: nothing is written yet. */
export async function planSave(images: readonly SaveImage[], options: SavePlanOptions): Promise<SavePlan> {
  const names = new Set<string>();
  for (const image of images) {
    if (names.has(image.name)) throw new UsageError(`${image.name} is named twice: give each image once`);
    names.add(image.name);
  }
  const planner = new Planner(options);
  for (const image of images) await planner.image(image);
  return planner.plan;
}
