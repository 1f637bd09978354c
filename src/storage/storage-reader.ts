// What the commands that read a registry's storage need of it, whichever the driver: the
// listing (storage-listing.ts's structure), the manifests it names, and the tags' push
// times. On the filesystem driver, through an exec in the container (storage-listing.ts,
// push-dates.ts); on S3, through the bucket's API (s3-storage-reader.ts). Each consumer
// (du, lsi's dates, prune, gc) works on either unchanged.
import type { Exec } from '../server/container-exec.ts';
import type { ManifestContent } from './reachability.ts';
import { listStorage, readListedManifests, type StorageListing } from './storage-listing.ts';
import { readPushDates, type PushDates } from './push-dates.ts';

export interface StorageReader {
  /** Every repository, tag, revision, blob and upload, with their times (storage-listing.ts). */
  list(): Promise<StorageListing>;
  /** What each manifest the listing names holds (`missing` when the storage does not hold it). */
  manifests(listing: StorageListing): Promise<(digest: string) => ManifestContent>;
  /** repository -> tag -> when it was last pushed. */
  pushDates(): Promise<PushDates>;
}

/** The filesystem driver's files, read in the container (exec) under its root. */
export function filesystemReader(exec: Exec, root: string): StorageReader {
  return {
    list: () => listStorage(exec, root),
    manifests: (listing) => readListedManifests(exec, root, listing),
    pushDates: () => readPushDates(exec, root),
  };
}
