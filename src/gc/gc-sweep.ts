// The blob sweep of a garbage collection, with the grace period (storage/grace-period.ts).
//
// The registry's own `garbage-collect` deletes every blob that no manifest references,
// and from 3.0 the repositories' links to them too: that includes what a push under way
// has uploaded and not yet referenced, which breaks the push. It cannot be told to spare
// young blobs. So it runs with --dry-run only, as the judge of what is unreferenced (its
// own marking of every manifest), and we delete, of the blobs it lists, only those our
// plan also finds unreferenced and that are older than the grace period, with their layer
// links as 3.x does. Nothing is moved aside and put back, so an interrupted sweep leaves
// nothing half-done but some garbage for the next run. The registry is stopped meanwhile.
import { lastLine } from '../storage/storage-exec.ts';
import type { Exec } from '../server/container-exec.ts';
import { blobTargets, layerLinkTargets, removeTargets, type Removal } from '../storage/storage-remove.ts';
import { v2 } from '../storage/storage-layout.ts';
import type { StorageListing } from '../storage/storage-listing.ts';
import { ResourceError } from '../errors.ts';

const PREPARE_FAILED = 'jindr: cannot make the repositories directory';

/** The digests a `garbage-collect --dry-run` lists as "blob eligible for deletion: DIGEST". */
export function parseEligible(output: string): Set<string> {
  return new Set([...output.matchAll(/^blob eligible for deletion: (\S+)\s*$/gm)].map((m) => m[1]!));
}

// Its marking fails on a storage nothing was ever pushed to ("Path not found:
// .../repositories"); the registry makes that directory at the first push anyway. Made in
// the same exec as the collection's: one exec, not two. A failed mkdir says so on its own line.
const PREPARED_DRY_RUN = `
mkdir -p -- "$1" || { echo "${PREPARE_FAILED}" >&2; exit 1; }
exec registry garbage-collect --dry-run "$2"
`;

/** What the registry's collection would delete (nothing is deleted). */
export async function eligibleBlobs(exec: Exec, root: string, configPath: string): Promise<Set<string>> {
  const result = await exec(['sh', '-c', PREPARED_DRY_RUN, 'sh', `${v2(root)}/repositories`, configPath]);
  if (result.exitCode !== 0) {
    const lines = result.stderr.trim().split('\n');
    if (lines.at(-1) === PREPARE_FAILED)
      throw new ResourceError(`preparing the registry storage failed in the registry container: ${lines.at(-2) ?? ''}`);
    throw new ResourceError(
      `registry garbage-collect --dry-run failed (exit ${result.exitCode}): ${lastLine(result.stderr) || lastLine(result.stdout.toString())}`,
    );
  }
  return parseEligible(result.stdout.toString('utf8'));
}

/**
 * Why the registry's own collection cannot walk this storage, when it cannot: distribution's
 * filesystem driver refuses a path with a name outside [A-Za-z0-9._-] ("invalid path").
 */
export async function collectionBlocked(exec: Exec, root: string, configPath: string): Promise<string | undefined> {
  try {
    await eligibleBlobs(exec, root, configPath);
    return undefined;
  } catch (err) {
    if (err instanceof ResourceError) return err.message;
    throw err;
  }
}

export interface Sweep {
  /** Deleted: listed by the registry, predicted by our plan, and old enough. */
  deleted: string[];
  /** Predicted by our plan but not listed by the registry (kept). */
  notListed: string[];
  /** Symlinks met on the way, not followed. */
  leftAlone: Removal;
}

/**
 * Deletes the blobs in `allowed` (our prediction, young blobs already left out) that the
 * registry's collection also finds unreferenced, and the layer links to them.
 */
export async function sweepBlobs(
  exec: Exec,
  root: string,
  configPath: string,
  listing: StorageListing,
  allowed: readonly string[],
): Promise<Sweep> {
  const eligible = await eligibleBlobs(exec, root, configPath);
  const deleted = allowed.filter((d) => eligible.has(d));
  const notListed = allowed.filter((d) => !eligible.has(d));
  const gone = new Set(deleted);
  const links = [...listing.times.layers.keys()]
    .map((key) => ({ repository: key.slice(0, key.lastIndexOf('@')), digest: key.slice(key.lastIndexOf('@') + 1) }))
    .filter((l) => gone.has(l.digest));
  // Blobs first: a link left by an interruption is harmless (the registry answers 404 for
  // a link to no blob), a blob left without its links would only be garbage again.
  // In one exec, in this order.
  const leftAlone = await removeTargets(
    exec,
    root,
    [...blobTargets(deleted), ...layerLinkTargets(links)],
    'removing blobs and layer links',
  );
  return { deleted, notListed, leftAlone };
}
