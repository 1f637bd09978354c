// Pure: the object keys a collection on S3 storage deletes, from gc's analysis (the same
// plan as on a file system: gc-analysis.ts) and the bucket's keys under docker/registry/v2.
// Each prefix is built by storage-layout.ts from names checked against their grammar; a key
// goes only when it is exactly a path of the plan or lies under a directory the plan
// removes (so names left alone, which fit no grammar, never match). Order as on a file
// system: orphaned referrer tags, manifests (revision link and tag history entries),
// repositories left with no tag, old uploads; then the blobs, then the layer links to them.
import { storagePath, V2 } from '../storage/storage-layout.ts';
import type { Analysis } from './gc-analysis.ts';

export interface S3Removal {
  /** Tags, manifests' links, repositories' trees and uploads: deleted first. */
  links: string[];
  /** Blob data objects (`blobs/ALG/XX/HEX/data`). */
  blobs: string[];
  /** The repositories' layer links to those blobs: deleted last. */
  layerLinks: string[];
}

const rel = (path: string): string => path.slice(V2.length + 1);

/**
 * The keys (relative to docker/registry/v2) to delete: everything in `keys` that the plan
 * removes; `blobs` are the digests allowed to go (predicted, old enough, and, when asked,
 * also found unreferenced by the registry's own collection).
 */
export function s3RemovalKeys(analysis: Analysis, keys: readonly string[], blobs: readonly string[]): S3Removal {
  const exact = new Set<string>();
  const under: string[] = [];
  for (const { repository, tag } of analysis.orphans) under.push(`${rel(storagePath.tag(repository, tag))}/`);
  for (const plan of analysis.plans) {
    for (const digest of plan.remove) {
      const revision = rel(storagePath.revision(plan.name, digest));
      exact.add(`${revision}/link`);
      const algHex = revision.slice(revision.lastIndexOf('/revisions/') + '/revisions/'.length);
      const tags = `${rel(storagePath.tags(plan.name))}/`;
      // Every tag's history entry for the digest: tags/<tag>/index/<alg>/<hex>/link.
      const suffix = `/index/${algHex}/link`;
      for (const key of keys) {
        if (key.startsWith(tags) && key.endsWith(suffix) && !key.slice(tags.length, -suffix.length).includes('/')) exact.add(key);
      }
    }
    if (plan.removeRepository) {
      const repo = rel(storagePath.repository(plan.name));
      for (const sub of ['_manifests', '_layers', '_uploads']) under.push(`${repo}/${sub}/`);
    }
  }
  for (const u of analysis.uploads) under.push(`${rel(storagePath.upload(u.repository, u.id))}/`);
  const goes = (key: string): boolean => exact.has(key) || under.some((p) => key.startsWith(p));
  const links = keys.filter(goes);
  const gone = new Set(links);
  const present = new Set(keys);

  const blobKeys = new Set(blobs.map((d) => `${rel(storagePath.blob(d))}/data`));
  const going = new Set(blobs);
  const layerLinks: string[] = [];
  for (const layer of analysis.listing.times.layers.keys()) {
    const at = layer.lastIndexOf('@');
    const digest = layer.slice(at + 1);
    if (!going.has(digest)) continue;
    const key = `${rel(storagePath.layerLink(layer.slice(0, at), digest))}/link`;
    if (!gone.has(key) && present.has(key)) layerLinks.push(key);
  }
  return { links, blobs: keys.filter((k) => blobKeys.has(k)), layerLinks };
}
