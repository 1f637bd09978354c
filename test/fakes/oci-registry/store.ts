// What the in-process OCI registry holds, in memory, shaped as distribution stores it:
// blob contents once per digest, linked into repositories; manifests as the raw bytes
// that were pushed with their own media type, digest = sha256 of those bytes; tags
// pointing at digests; upload sessions. No HTTP here: routes.ts speaks the protocol,
// tests seed and read the store directly.
import { createHash, randomUUID } from 'node:crypto';

export const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
] as const;

export const isIndexType = (mediaType: string): boolean => mediaType === MANIFEST_TYPES[1] || mediaType === MANIFEST_TYPES[3];

export function sha256(bytes: Buffer | string): string {
  return 'sha256:' + createHash('sha256').update(bytes).digest('hex');
}

/** distribution's repository name grammar (reference.NameRegexp, without a domain). */
export const NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
export const TAG = /^[\w][\w.-]{0,127}$/;
export const DIGEST = /^sha256:[a-f0-9]{64}$/;

export interface StoredManifest {
  bytes: Buffer;
  mediaType: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface Repository {
  manifests: Map<string, StoredManifest>;
  tags: Map<string, string>;
  /** Blobs linked into this repository (what it may serve, mount from, or reference). */
  blobs: Set<string>;
}

export interface Upload {
  repository: string;
  chunks: Buffer[];
  size: number;
}

/** A blob or manifest as test fixtures build them (test/helpers/images.ts). */
export interface Content {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}
export interface Image extends Content {
  config: Content;
  layers: Content[];
}
export interface ImageIndex extends Content {
  manifests: Image[];
}

export class Store {
  readonly repositories = new Map<string, Repository>();
  /** digest -> content, shared by every repository (what mounts link to). */
  readonly blobs = new Map<string, Buffer>();
  readonly uploads = new Map<string, Upload>();

  repository(name: string, create = false): Repository | undefined {
    let repo = this.repositories.get(name);
    if (!repo && create) this.repositories.set(name, (repo = { manifests: new Map(), tags: new Map(), blobs: new Set() }));
    return repo;
  }

  /** Links bytes into the repository under their digest, or under `lie` to store a corrupt blob. */
  putBlob(name: string, bytes: Buffer, lie?: string): string {
    const digest = lie ?? sha256(bytes);
    this.blobs.set(digest, bytes);
    this.repository(name, true)!.blobs.add(digest);
    return digest;
  }

  blob(name: string, digest: string): Buffer | undefined {
    return this.repository(name)?.blobs.has(digest) ? this.blobs.get(digest) : undefined;
  }

  /** Unlinks a blob from one repository (distribution's blob DELETE); the content stays for the others. */
  deleteBlob(name: string, digest: string): boolean {
    return this.repository(name)?.blobs.delete(digest) ?? false;
  }

  /** Stores manifest bytes as they are; `reference` is a tag to point at them, or their digest. */
  putManifest(name: string, reference: string, bytes: Buffer, mediaType: string): string {
    const digest = sha256(bytes);
    const repo = this.repository(name, true)!;
    repo.manifests.set(digest, { bytes, mediaType });
    if (!reference.startsWith('sha256:')) repo.tags.set(reference, digest);
    return digest;
  }

  /** A manifest by tag or digest, with its digest. */
  manifest(name: string, reference: string): (StoredManifest & { digest: string }) | undefined {
    const repo = this.repository(name);
    const digest = reference.startsWith('sha256:') ? reference : repo?.tags.get(reference);
    const stored = digest ? repo?.manifests.get(digest) : undefined;
    return stored && digest ? { ...stored, digest } : undefined;
  }

  /** Deletes a manifest by digest and every tag on it; false if there was none. */
  deleteManifest(name: string, digest: string): boolean {
    const repo = this.repository(name);
    if (!repo?.manifests.delete(digest)) return false;
    for (const [tag, d] of repo.tags) if (d === digest) repo.tags.delete(tag);
    return true;
  }

  deleteTag(name: string, tag: string): boolean {
    return this.repository(name)?.tags.delete(tag) ?? false;
  }

  /** Repository names in lexical order, as distribution lists them. */
  catalog(): string[] {
    return [...this.repositories.keys()].sort();
  }

  tags(name: string): string[] | undefined {
    const repo = this.repository(name);
    return repo ? [...repo.tags.keys()].sort() : undefined;
  }

  /** Digests a manifest refers to (config, layers, subject, or an index's manifests), from its bytes. */
  references(bytes: Buffer): { blobs: string[]; manifests: string[]; subject?: string } {
    const body = JSON.parse(bytes.toString('utf8')) as {
      config?: Descriptor;
      layers?: Descriptor[];
      manifests?: Descriptor[];
      subject?: Descriptor;
    };
    return {
      blobs: [body.config, ...(body.layers ?? [])].filter((d): d is Descriptor => d !== undefined).map((d) => d.digest),
      manifests: (body.manifests ?? []).map((d) => d.digest),
      ...(body.subject ? { subject: body.subject.digest } : {}),
    };
  }

  /** Manifests of the repository whose subject is digest (the referrers API), as descriptors. */
  referrers(name: string, digest: string): Descriptor[] {
    const found: Descriptor[] = [];
    for (const [d, m] of this.repository(name)?.manifests ?? []) {
      const body = JSON.parse(m.bytes.toString('utf8')) as {
        subject?: Descriptor;
        artifactType?: string;
        config?: Descriptor;
        annotations?: Record<string, string>;
      };
      if (body.subject?.digest !== digest) continue;
      const artifactType = body.artifactType ?? body.config?.mediaType;
      found.push({
        mediaType: m.mediaType,
        digest: d,
        size: m.bytes.length,
        ...(artifactType ? { artifactType } : {}),
        ...(body.annotations ? { annotations: body.annotations } : {}),
      });
    }
    return found;
  }

  startUpload(name: string): string {
    const id = randomUUID();
    this.uploads.set(id, { repository: name, chunks: [], size: 0 });
    return id;
  }

  /** Seeds an image: its blobs, then the manifest under `tag` (a tag, or its digest to leave it untagged). */
  pushImage(name: string, tag: string, image: Image): string {
    for (const b of [image.config, ...image.layers]) this.putBlob(name, b.bytes);
    return this.putManifest(name, tag, image.bytes, image.mediaType);
  }

  /** Seeds an index: every platform image by digest, then the index under `tag`. */
  pushIndex(name: string, tag: string, index: ImageIndex): string {
    for (const m of index.manifests) this.pushImage(name, m.digest, m);
    return this.putManifest(name, tag, index.bytes, index.mediaType);
  }
}
