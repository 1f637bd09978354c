// What load will push, worked out from a checked archive (archive-read.ts) before the
// first request: for each image, its repository and tags at the destination, and every
// manifest and blob under it, each one present in the archive with the size its
// descriptor gives. An OCI image layout (oci-layout.ts) or a Docker archive
// (docker-archive.ts) each say which images there are; the walk below is shared.
import { UsageError } from '../errors.ts';
import { ArchiveError, readFileBytes, type ArchiveContents, type ArchiveFile } from './archive-read.ts';
import { ManifestError } from './errors.ts';
import { manifestChildren, parseManifest, type Descriptor, type Manifest } from './manifest.ts';
import { isTag, parseReference, quote } from './reference.ts';

export interface LoadUnit {
  repository: string;
  /** Tags at the destination; none: the manifest is pushed by digest. */
  tags: string[];
  root: Descriptor;
  kind: 'image' | 'referrers' | 'cosign';
  /** What the archive called it. */
  source: string;
}

export interface LoadBlob {
  descriptor: Descriptor;
  file: ArchiveFile;
}

export interface LoadPlan {
  contents: ArchiveContents;
  units: LoadUnit[];
  manifests: Map<string, Manifest>;
  blobs: Map<string, LoadBlob>;
  /** For each unit (by index), what it needs, children before parents: manifests and blobs by digest. */
  needs: Array<{ manifests: string[]; blobs: string[] }>;
}

/** The cosign and fallback tags that record referrers: `sha256-<hex>` and `sha256-<hex>.sig|.att|.sbom`. */
export const REFERRER_TAG = /^sha256-[a-f0-9]{64}(\.[a-z]+)?$/;

/** Where an archive's name goes: REPOSITORY and TAG at the destination (its registry is left out). */
export function destinationOf(name: string, tagFlag: string | undefined, path: string): { repository: string; tag: string | undefined } {
  const flag = tagFlag !== undefined ? parseTagFlag(tagFlag) : undefined;
  const referrerTag = REFERRER_TAG.test(name.slice(name.lastIndexOf(':') + 1)) ? name.slice(name.lastIndexOf(':') + 1) : undefined;
  if (flag !== undefined) return { repository: flag.repository, tag: referrerTag ?? flag.tag };
  if (name === '' || (!name.includes('/') && !name.includes(':'))) {
    throw new UsageError(`${path}: an image in it is named ${name === '' ? 'nothing' : quote(name)}, not REPOSITORY:TAG: give --tag NAME`);
  }
  // Docker Hub's official images (docker save's `busybox:latest`) go where docker would push them: `busybox`, not `library/busybox`.
  const ref = parseReference(name);
  const repository = ref.registry === 'docker.io' ? ref.repository.replace(/^library\//, '') : ref.repository;
  return { repository, tag: ref.tag };
}

function parseTagFlag(value: string): { repository: string; tag: string } {
  const ref = parseReference(value, 'localhost');
  if (ref.digest !== undefined) throw new UsageError(`--tag ${quote(value)}: give REPOSITORY[:TAG], not a digest`);
  return { repository: ref.repository, tag: ref.tag ?? 'latest' };
}

export function checkTag(tag: string | undefined): void {
  if (tag !== undefined && !isTag(tag)) throw new UsageError(`invalid tag ${quote(tag)}`);
}

/** Reads the manifests under each unit from the archive and checks that every blob they name is in it. */
export async function completePlan(
  contents: ArchiveContents,
  units: LoadUnit[],
  blobFiles: Map<string, ArchiveFile>,
  extra: Map<string, Manifest> = new Map(),
): Promise<LoadPlan> {
  const plan: LoadPlan = { contents, units, manifests: new Map(extra), blobs: new Map(), needs: [] };
  const fileOf = (d: Descriptor, what: string): ArchiveFile => {
    const file = blobFiles.get(d.digest);
    if (!file) throw new ArchiveError(`${contents.path}: ${what} ${d.digest} is missing from the archive: nothing was loaded`);
    if (file.size !== d.size) {
      throw new ArchiveError(
        `${contents.path}: ${what} ${d.digest} has ${file.size} bytes, its descriptor says ${d.size}: nothing was loaded`,
      );
    }
    return file;
  };
  const manifest = async (d: Descriptor): Promise<Manifest> => {
    const known = plan.manifests.get(d.digest);
    if (known) return known;
    const bytes = await readFileBytes(contents, fileOf(d, 'manifest'));
    let parsed;
    try {
      parsed = parseManifest(bytes, d.mediaType);
    } catch (err) {
      if (err instanceof ManifestError)
        throw new ArchiveError(`${contents.path}: manifest ${d.digest}: ${err.message}: nothing was loaded`);
      throw err;
    }
    const m: Manifest = { digest: d.digest, mediaType: parsed.mediaType, bytes, parsed };
    plan.manifests.set(d.digest, m);
    return m;
  };
  for (const unit of units) {
    const need = { manifests: [] as string[], blobs: [] as string[] };
    const seen = new Set<string>();
    const walk = async (d: Descriptor): Promise<void> => {
      if (seen.has(d.digest)) return;
      seen.add(d.digest);
      const m = await manifest(d);
      if (m.parsed.kind === 'index') {
        for (const child of m.parsed.manifests) await walk(child);
      } else {
        for (const blob of manifestChildren(m.parsed)) {
          if (/\.foreign\.|\.nondistributable\./.test(blob.mediaType) && !blobFiles.has(blob.digest)) continue;
          if (!plan.blobs.has(blob.digest)) plan.blobs.set(blob.digest, { descriptor: blob, file: fileOf(blob, 'blob') });
          if (!need.blobs.includes(blob.digest)) need.blobs.push(blob.digest);
        }
      }
      need.manifests.push(d.digest);
    };
    await walk(unit.root);
    plan.needs.push(need);
  }
  return plan;
}
