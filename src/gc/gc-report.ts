// What gc is asked (GcOptions) and what it did (GcReport), on a file system or S3 storage
// alike: gc-run.ts and s3-collect.ts both report through report().
import type { RegistryContainer } from '../server/container.ts';
import { describeLeftAlone, type LeftAlone } from '../storage/storage-listing.ts';
import type { OrphanReferrer } from './orphan-referrers.ts';
import type { Analysis } from './gc-analysis.ts';
import type { TagToRemove } from '../storage/untag.ts';

export interface GcOptions {
  dryRun: boolean;
  /** Nothing written more recently than this is removed (storage/grace-period.ts). */
  graceMs: number;
  /** Collect in a registry container docker-jindr did not create. */
  force?: boolean;
  /** Start the registry again afterwards if it was running (false when `stop` collects). */
  restart: boolean;
  /** The engine is on this machine: after the restart, wait until the registry answers. */
  local: boolean;
  /** Ctrl-C: no further step that removes anything starts; the registry is still restarted. */
  signal?: AbortSignal;
  /** Progress for people. */
  info?: (message: string) => void;
  debug?: (message: string) => void;
  /**
   * prune on S3 storage: these tags are removed first, under the collection's lock while every
   * registry is read-only, each only while it still names its digest (s3-collect.ts).
   */
  untag?: readonly TagToRemove[];
  /** The filesystem root, when the caller read it from the registry's configuration already (prune, mirror trim): not read again. */
  root?: string;
}

export interface GcReport {
  registry: string;
  container: string;
  dryRun: boolean;
  /** Untagged manifests no tag reaches: removed (or, with dryRun, to be removed). */
  manifests: { repository: string; digest: string }[];
  /** Repositories left with no tag, whose storage was removed. */
  repositories: string[];
  /** Blobs the registry's collection deleted (layers, configs and manifest bodies). */
  blobs: number;
  bytesFreed: number;
  /** The grace period, e.g. "1h", and what it kept that would otherwise have gone. */
  grace: string;
  keptYoung: { manifests: number; blobs: number; bytes: number };
  /** Upload sessions (`_uploads/<uuid>`) last written before the grace period: removed (or to be). */
  uploads: { repository: string; id: string; bytes: number }[];
  uploadBytes: number;
  /** Names in storage that fit no grammar, and symlinks: never touched ("left alone: PATH (WHY)"). */
  leftAlone: string[];
  warnings: string[];
  /** Signature, attestation and SBOM tags whose image no repository holds: removed (or to be). */
  orphanReferrers: OrphanReferrer[];
  /** With options.untag: the tags removed, and those pushed again (or gone) meanwhile, left alone. */
  untagged?: { removed: TagToRemove[]; changed: TagToRemove[] };
}

export function report(
  registry: RegistryContainer,
  dryRun: boolean,
  analysis: Analysis,
  blobs: number,
  bytesFreed: number,
  more: LeftAlone[] = [],
  warnings: string[] = [],
): GcReport {
  const leftAlone = [...analysis.listing.leftAlone, ...more.filter((m) => !analysis.listing.leftAlone.some((l) => l.path === m.path))];
  return {
    registry: registry.registry ?? registry.name,
    container: registry.name,
    dryRun,
    manifests: analysis.plans.flatMap((p) => p.remove.map((digest) => ({ repository: p.name, digest }))),
    repositories: analysis.plans.filter((p) => p.removeRepository).map((p) => p.name),
    blobs,
    bytesFreed,
    grace: analysis.grace,
    keptYoung: {
      manifests: analysis.plans.reduce((n, p) => n + p.young.length, 0),
      blobs: analysis.prediction.young.length,
      bytes: analysis.prediction.youngBytes,
    },
    uploads: analysis.uploads.map(({ repository, id, bytes }) => ({ repository, id, bytes })),
    uploadBytes: analysis.uploads.reduce((n, u) => n + u.bytes, 0),
    leftAlone: leftAlone.map(describeLeftAlone),
    warnings: [...analysis.plans.flatMap((p) => p.warnings), ...warnings],
    orphanReferrers: analysis.orphans,
  };
}
