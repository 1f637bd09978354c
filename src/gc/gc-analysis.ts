// What a garbage collection would do, read from a registry's storage (storage-reader.ts): the listing, the
// manifests' contents, the orphaned referrer tags (orphan-referrers.ts), each repository's
// plan (reachability.ts) and the blobs that then go. gc-run.ts acts on it (or, for a dry run,
// reports it).
import type { LeftAlone, StorageListing, UploadSession } from '../storage/storage-listing.ts';
import type { StorageReader } from '../storage/storage-reader.ts';
import {
  planRepository,
  predictBlobRemoval,
  type BlobPrediction,
  type ManifestContent,
  type RepositoryPlan,
} from '../storage/reachability.ts';
import { formatGrace, oldUploads, youngContent, youngIn } from '../storage/grace-period.ts';
import { orphanReferrers, withoutOrphans, type OrphanReferrer } from './orphan-referrers.ts';

export interface Analysis {
  listing: StorageListing;
  plans: RepositoryPlan[];
  content: (digest: string) => ManifestContent;
  prediction: BlobPrediction;
  grace: string;
  uploads: UploadSession[];
  orphans: OrphanReferrer[];
}

export async function analyse(reader: StorageReader, graceMs: number): Promise<Analysis> {
  const listing = await reader.list();
  const content = await reader.manifests(listing);
  const young = youngContent(listing, graceMs);
  const orphans = orphanReferrers(listing.repositories, content, young); // their tags go first: the plans count on it
  const plans = withoutOrphans(listing.repositories, orphans).map((r) =>
    keepHostile(planRepository(r, content, youngIn(young, r.name)), listing.leftAlone),
  );
  const prediction = predictBlobRemoval(plans, content, listing.blobs, young.blobs);
  return { listing, plans, content, prediction, grace: formatGrace(graceMs), uploads: oldUploads(listing, graceMs), orphans };
}

/** A repository holding names left alone is not removed whole (they would go with it): only its manifests go. */
function keepHostile(plan: RepositoryPlan, leftAlone: readonly LeftAlone[]): RepositoryPlan {
  if (!plan.removeRepository || !leftAlone.some((l) => l.path.startsWith(`repositories/${plan.name}/`))) return plan;
  return {
    ...plan,
    removeRepository: false,
    warnings: [...plan.warnings, `${plan.name} has no tags left but holds names left alone: its storage stays`],
  };
}

export const nothingToDo = (a: Analysis): boolean =>
  a.orphans.length === 0 &&
  a.prediction.blobs.length === 0 &&
  a.uploads.length === 0 &&
  a.plans.every((p) => p.remove.length === 0 && !p.removeRepository);
