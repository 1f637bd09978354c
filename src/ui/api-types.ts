// The JSON the page and docker-jindr exchange: types only, shared by the server (src/ui)
// and the page (src/ui/page, bundled for the browser). Dates are RFC 3339 strings; sizes
// are bytes as stored (compressed).

export interface ErrorAnswer {
  error: string;
}

export interface InfoAnswer {
  registry: string;
  version: string;
  /** gc and prune need a registry container on the engine: why they cannot run, else undefined. */
  cleanupUnavailable?: string;
}

export interface RepositoryRow {
  name: string;
  tags: number;
  /** Why the tags could not be counted. */
  error?: string;
}

export interface RepositoriesAnswer {
  repositories: RepositoryRow[];
}

export type ImageKind = 'index' | 'image' | 'artifact';

export interface TagRow {
  tag: string;
  digest: string;
  kind: ImageKind;
  platforms: string[];
  size: number;
  /** From the image's config (the newest platform's, for an index). */
  created?: string;
  /** When the tag was pushed, from the registry's storage; absent when not known. */
  pushed?: string;
  error?: string;
  /** The signatures, attestations and SBOMs under the image, by kind ("sbom, signature x2"), as lsi's REFERRERS. */
  referrers?: string;
  /** A referrer tag whose subject no tag here reaches: the digest it is about. */
  referrerOf?: string;
}

export interface TagsAnswer {
  repository: string;
  tags: TagRow[];
  /** Push times are known for this registry (one docker-jindr runs). */
  pushedKnown: boolean;
}

export interface HistoryStep {
  created?: string;
  createdBy?: string;
  comment?: string;
  emptyLayer?: boolean;
}

export interface ConfigView {
  created?: string;
  entrypoint?: string[];
  cmd?: string[];
  env: string[];
  labels: Record<string, string>;
  workingDir?: string;
  user?: string;
  history: HistoryStep[];
}

export interface LayerRow {
  digest: string;
  mediaType: string;
  size: number;
  /** Other images (repo:tag) in the registry that use this layer too. */
  sharedWith: string[];
}

export interface PlatformView {
  platform: string;
  kind: 'image' | 'attestation' | 'artifact' | 'index';
  digest: string;
  mediaType: string;
  size?: number;
  config?: ConfigView;
  layers: LayerRow[];
  error?: string;
}

import type { ReferrerNode } from '../registry/referrer-types.ts';

export type { ReferrerKind, ReferrerNode } from '../registry/referrer-types.ts';

export interface ImageAnswer {
  repository: string;
  reference: string;
  digest: string;
  mediaType: string;
  kind: ImageKind;
  size: number;
  /** Tags of the repository that point at this digest. */
  tags: string[];
  platforms: PlatformView[];
  referrers: ReferrerNode[];
}

export interface UsageRow {
  repository: string;
  /** Bytes no other repository uses. */
  unique: number;
  /** Bytes this repository uses that others use too. */
  shared: number;
  /** Bytes of its blobs gc would remove now (storage only). */
  reclaimable?: number;
}

export interface UsageAnswer {
  /** storage: read from the registry's files; manifests: worked out from what the API lists. */
  source: 'storage' | 'manifests';
  /** Why storage could not be read, when it could not. */
  note?: string;
  repositories: UsageRow[];
  /** Every blob counted once, unreferenced ones included. */
  total: number;
  /** Blobs in storage no manifest uses (storage only). */
  unreferenced: number;
  /** What gc could free now (storage only). */
  reclaimable?: number;
}

export interface DeleteRequest {
  repository: string;
  tag: string;
  /** Delete even when other tags share the digest (as rmi --force). */
  force?: boolean;
}

export interface Removed {
  repository: string;
  tag?: string;
  digest: string;
  action: 'untagged' | 'deleted';
  alsoRemovedTags: string[];
}

export interface DeleteAnswer {
  removed: Removed[];
}

/** 409 to a delete: what would go besides the tag, and the choice that forces it. */
export interface RefusedAnswer extends ErrorAnswer {
  refused: true;
  /** Other tags (repo:tag) that the delete would take along or break. */
  collateral: string[];
}

export interface GcRequest {
  dryRun: boolean;
}

export interface GcAnswer {
  dryRun: boolean;
  manifests: { repository: string; digest: string }[];
  repositories: string[];
  blobs: number;
  bytesFreed: number;
  warnings: string[];
}

export interface PruneRequest {
  repositories?: string[];
  keep?: number;
  semver?: boolean;
  olderThan?: string;
  match?: string[];
  exclude?: string[];
  protect?: string[];
  dryRun: boolean;
}

export interface PruneAnswer {
  dryRun: boolean;
  /** Tags removed (or, with dryRun, to be removed). */
  tags: { repository: string; tag: string; digest: string; pushed?: string }[];
  /** Tags pushed again (or removed) since they were planned: left alone. */
  changed: string[];
  /** Untagged manifests and blobs the collection removed (predicted for a dry run). */
  manifests: number;
  blobs: number;
  bytesFreed: number;
  warnings: string[];
}
