// The engine side of a garbage collection. A running registry is first read in place
// (enough for --dry-run, and for finding there is nothing to do). The collection itself
// works in one window in which nothing can write to the registry's storage: the registry
// container is stopped, and a helper container from the same image and env, with the
// storage tree of its data directory and no secret of it (helper-mounts.ts), no network and
// no registry process, does the work by exec:
//   1. list storage (tags, revisions, blobs) and read the manifests      (storage-listing.ts)
//   2. work out what is unreachable, and which referrer tags lost their image
//      (gc-analysis.ts: reachability.ts, orphan-referrers.ts); those tags go first
//   3. remove those manifests' revision links, repositories left with no tag, and upload
//      sessions older than the grace period                             (storage-remove.ts)
//   4. ask the registry's own `garbage-collect --dry-run` (never --delete-untagged) which
//      blobs are unreferenced, and delete those older than the grace period (gc-sweep.ts)
//   5. list the blobs again: what is gone is what was freed
// Nothing written within the grace period (storage/grace-period.ts: blobs, manifests,
// uploads) is removed, so a push under way keeps what it has sent; the restart ends its
// upload sessions, which clients start again (docker push does, and so does our cp).
// Then the registry container is started again if it ran: a fresh process also forgets the
// blobs its in-memory descriptor cache still believed in ("layer already exists").
// On S3 storage, which other registries may share, the collection is s3-collect.ts's.
import type Docker from 'dockerode';
import { engineErrorMessage } from '../engine/engine.ts';
import { mirrorOf, type RegistryContainer } from '../server/container.ts';
import { startRegistryContainer, stopRegistryContainer, waitUntilServing } from '../server/container-control.ts';
import { listStorage } from '../storage/storage-listing.ts';
import { readAtStorageRoot, storageRoot } from '../storage/storage-root.ts';
import { planTargets, removeTargets, uploadTargets } from '../storage/storage-remove.ts';
import { execIn, type Exec } from '../server/container-exec.ts';
import { HELPER_LABEL, helperContainerOptions } from './helper-mounts.ts';
import { describeOffline, restartMirror } from '../mirror/mirror-offline.ts';
import { upstreamOf } from '../mirror/mirrors.ts';
import { collectionBlocked, sweepBlobs } from './gc-sweep.ts';
import { refuseForeign } from '../storage/ownership.ts';
import { filesystemReader } from '../storage/storage-reader.ts';
import { untagInStorage } from '../storage/untag.ts';
import { analyse, nothingToDo, type Analysis } from './gc-analysis.ts';
import { report, type GcOptions, type GcReport } from './gc-report.ts';
import { ResourceError } from '../errors.ts';

export type { GcOptions, GcReport } from './gc-report.ts';

/** The registry's data must be in a volume or bind mount, or a second container cannot see it. */
function checkStorageShared(registry: RegistryContainer, root: string): void {
  const shared = registry.details.Mounts.some((m) => root === m.Destination || root.startsWith(m.Destination.replace(/\/$/, '') + '/'));
  if (!shared) {
    throw new ResourceError(
      `cannot collect garbage in ${registry.name}: its storage ${root} is inside the container, not in a volume or bind mount`,
    );
  }
}

/**
 * Collects garbage in the registry container. Call it inside ctx.critical: once the
 * registry is stopped, it must be started again whatever happens.
 */
export async function collectGarbage(docker: Docker, registry: RegistryContainer, options: GcOptions): Promise<GcReport> {
  // On S3 storage the bucket is shared: its own path, under a lock, every registry on it read-only (s3-collect.ts).
  if (registry.storage.kind === 's3') return (await import('./s3-collect.ts')).collectOnS3(docker, registry, options);
  // A dry run only reads; a collection stops the container, edits its storage and restarts it.
  if (!options.dryRun) refuseForeign(registry, 'gc', 'stop it, edit its storage and start it again', options.force === true);
  const env = registry.details.Config.Env ?? [];
  const info = options.info ?? (() => {});
  const read = (x: Exec, at: string) => analyse(filesystemReader(x, at), options.graceMs);

  // A running registry is read in place first, without interrupting its clients (pushes
  // meanwhile only make this a snapshot). That is all a dry run needs; and when there is
  // nothing to collect, the registry is not stopped at all.
  let root: string | undefined;
  if (registry.running) {
    const exec = execIn(docker, registry);
    // The configuration is read in the listing's exec (readAtStorageRoot), unless the caller knows the root.
    const { root: at, value: analysis } =
      options.root === undefined
        ? await readAtStorageRoot(exec, registry.configPath, env, registry.name, read)
        : { root: options.root, value: await read(exec, options.root) };
    root = at;
    const { prediction } = analysis;
    if (options.dryRun || nothingToDo(analysis))
      return report(registry, options.dryRun, analysis, prediction.blobs.length, prediction.bytes);
    checkStorageShared(registry, root);
  } else {
    // Before a helper exists: one without the data mounted would only see an empty volume.
    checkStorageShared(registry, storageRoot(env));
  }

  // Ctrl-C while it was read: the registry's clients are not interrupted for nothing.
  options.signal?.throwIfAborted();
  await checkNoOtherCollection(docker, registry);
  const wasRunning = registry.running;
  if (wasRunning) {
    info(`stopping ${registry.name} so nothing writes while garbage is collected`);
    await stopRegistryContainer(docker, registry);
  }
  let helper: Docker.Container | undefined;
  try {
    // Stopped, the root is read from its configuration in a helper made for the root env names.
    const guess = root ?? storageRoot(env);
    helper = await startHelper(docker, registry, guess);
    let exec = execIn(docker, helper);
    let analysis: Analysis | undefined;
    if (root === undefined) {
      // The configuration is read in the listing's exec; read at the guessed root only (this helper sees no other).
      const first = await readAtStorageRoot(exec, registry.configPath, env, registry.name, (x, at) =>
        at === guess ? read(x, at) : Promise.resolve(undefined),
      );
      root = first.root;
      analysis = first.value;
      checkStorageShared(registry, root);
      if (root !== guess) {
        // Its configuration names another root: the helper sees only the storage, so one for that root.
        await helper.remove({ force: true, v: false });
        helper = undefined;
        helper = await startHelper(docker, registry, root);
        exec = execIn(docker, helper);
      }
    }
    analysis ??= await read(exec, root);
    const { prediction } = analysis;
    // Nothing to do (a storage nothing was ever pushed to, say): the registry's collection is not run.
    if (options.dryRun || nothingToDo(analysis))
      return report(registry, options.dryRun, analysis, prediction.blobs.length, prediction.bytes);

    options.signal?.throwIfAborted();
    // Names left alone may stop the registry's own collection (the judge of the blob sweep):
    // asked first, so that what needs no judge (manifests, uploads) still goes and the blobs wait.
    const blocked = analysis.listing.leftAlone.length > 0 ? await collectionBlocked(exec, root, registry.configPath) : undefined;
    if (analysis.orphans.length > 0) await untagInStorage(exec, root, analysis.orphans);
    // The manifests and the old upload sessions in one exec.
    const targets = [...planTargets(analysis.plans), ...uploadTargets(analysis.uploads)];
    const skipped = await removeTargets(exec, root, targets, 'removing manifests and upload sessions');
    if (blocked !== undefined) {
      const why = `no blob was collected: ${blocked}; move the names left alone out of the storage and run gc again`;
      return report(registry, false, analysis, 0, 0, skipped, [why]);
    }
    options.signal?.throwIfAborted();
    const sweep = await sweepBlobs(exec, root, registry.configPath, analysis.listing, prediction.blobs);
    if (sweep.notListed.length > 0)
      options.debug?.(
        `kept ${sweep.notListed.length} blob(s) the registry's collection does not find unreferenced: ${sweep.notListed.join(', ')}`,
      );
    const after = await listStorage(exec, root);
    let blobs = 0;
    let bytes = 0;
    for (const [digest, size] of analysis.listing.blobs) {
      if (!after.blobs.has(digest)) {
        blobs += 1;
        bytes += size;
      }
    }
    if (blobs !== prediction.blobs.length) {
      options.debug?.(`predicted ${prediction.blobs.length} blobs to go, the registry removed ${blobs}`);
    }
    return report(registry, false, analysis, blobs, bytes, [...skipped, ...sweep.leftAlone]);
  } finally {
    if (helper) await helper.remove({ force: true, v: false }).catch(() => {});
    if (wasRunning && options.restart) {
      info(`starting ${registry.name} again`);
      if (mirrorOf(registry) === undefined) {
        await startRegistryContainer(docker, registry);
        await waitUntilServing(docker, registry, { local: options.local });
      } else {
        // A mirror whose upstream cannot be reached comes back offline, serving its cache.
        const upstream = upstreamOf(registry);
        const { offline } = await restartMirror({ docker, local: options.local }, upstream, registry);
        if (offline) for (const line of describeOffline(upstream, offline)) info(line);
      }
    }
  }
}

/** A helper still there means another gc is at work, or one was killed mid-way. */
async function checkNoOtherCollection(docker: Docker, registry: RegistryContainer): Promise<void> {
  const helpers = await docker.listContainers({ all: true, filters: { label: [`${HELPER_LABEL}=${registry.name}`] } });
  const other = helpers[0];
  if (other) {
    const name = other.Names[0]?.replace(/^\//, '') ?? other.Id.slice(0, 12);
    throw new ResourceError(
      `another garbage collection is at work on ${registry.name} (its helper container ${name} exists); if none is, remove it with: docker rm -f ${name}`,
    );
  }
}

/**
 * A container that sees the registry's storage under root and can run its tools, and
 * nothing else: same image and env, no network, and an idle shell instead of the registry.
 */
async function startHelper(docker: Docker, registry: RegistryContainer, root: string): Promise<Docker.Container> {
  let helper: Docker.Container | undefined;
  try {
    const name = `${registry.name}-gc-${process.getBuiltinModule('node:crypto').randomBytes(3).toString('hex')}`;
    helper = await docker.createContainer(helperContainerOptions(registry, name, root));
    await helper.start();
    return helper;
  } catch (err) {
    if (helper) await helper.remove({ force: true, v: false }).catch(() => {});
    throw new ResourceError(`cannot start a helper container from ${registry.image} to collect garbage: ${engineErrorMessage(err)}`, {
      cause: err,
    });
  }
}
