// gc on S3 storage (up --storage s3://BUCKET[/PREFIX]), where several registries, on this
// engine and others, may share the bucket and prefix:
//   1. read the bucket in place (a dry run ends here, and so does "nothing to collect")
//   2. take the lock object (s3-lock.ts): a second gc refuses in one line
//   3. every registry recorded on the storage (server/s3-records.ts) on this engine, and the
//      one gc runs for, is made read-only (s3-readonly.ts); one recorded on another engine
//      cannot be reached: refused, unless --force
//   4. read the bucket again, now that nothing writes, and plan as on a file system
//      (gc-analysis.ts: tagged indexes' children, referrers, the grace period); the
//      registry's own `garbage-collect --dry-run` judges which blobs are unreferenced
//   5. delete exactly the plan's keys (s3-removal.ts), one DeleteObject each
//   6. every registry read-write again, then the lock released: also on error and Ctrl-C
//      (the caller runs this inside ctx.critical).
// Imported on demand by gc-run.ts: it brings the SDK's signer.
import type Docker from 'dockerode';
import { ResourceError } from '../errors.ts';
import { execIn } from '../server/container-exec.ts';
import type { RegistryContainer } from '../server/container.ts';
import type { S3RegistryConfig } from '../server/s3-storage.ts';
import { refuseForeign } from '../storage/ownership.ts';
import { s3StorageReader } from '../storage/s3-storage-reader.ts';
import { s3ConfigOf } from '../storage/storage-access.ts';
import { lastLine } from '../storage/storage-exec.ts';
import { storagePath, V2 } from '../storage/storage-layout.ts';
import type { TagToRemove } from '../storage/untag.ts';
import { analyse, nothingToDo } from './gc-analysis.ts';
import { report, type GcOptions, type GcReport } from './gc-report.ts';
import { parseEligible } from './gc-sweep.ts';
import { s3RemovalKeys } from './s3-removal.ts';
import { inReadOnlyWindow, storeUrl } from './s3-window.ts';

/** The registry's own collection, as judge of which blobs are unreferenced; a reason when it cannot say. */
async function judge(docker: Docker, c: RegistryContainer): Promise<Set<string> | string> {
  const result = await execIn(docker, c)(['registry', 'garbage-collect', '--dry-run', c.configPath]);
  if (result.exitCode === 0) return parseEligible(result.stdout.toString('utf8'));
  return `registry garbage-collect --dry-run failed (exit ${result.exitCode}): ${lastLine(result.stderr) || lastLine(result.stdout.toString())}`;
}

/** prune's tags: each tag's objects (`_manifests/tags/<tag>/`) go while its current link still names the planned digest. */
async function untagObjects(
  config: S3RegistryConfig,
  tags: readonly TagToRemove[],
  keys: readonly string[],
  remove: (keys: readonly string[]) => Promise<void>,
): Promise<{ removed: TagToRemove[]; changed: TagToRemove[] }> {
  const listing = await s3StorageReader(config).list();
  const now = new Map(listing.repositories.map((r) => [r.name, r.tags]));
  const removed: TagToRemove[] = [];
  const changed: TagToRemove[] = [];
  for (const t of tags) (now.get(t.repository)?.get(t.tag) === t.digest ? removed : changed).push(t);
  const prefixes = removed.map((t) => `${storagePath.tag(t.repository, t.tag).slice(V2.length + 1)}/`);
  await remove(keys.filter((k) => prefixes.some((p) => k.startsWith(p))));
  return { removed, changed };
}

export async function collectOnS3(docker: Docker, registry: RegistryContainer, options: GcOptions): Promise<GcReport> {
  if (!registry.running) throw new ResourceError(`${registry.name} is not running: start it, then run gc again`);
  const info = options.info ?? (() => {});
  const config = await s3ConfigOf(execIn(docker, registry), registry);
  const first = await analyse(s3StorageReader(config), options.graceMs);
  const untag = options.untag ?? [];
  if (options.dryRun || (nothingToDo(first) && untag.length === 0)) {
    return report(registry, options.dryRun, first, first.prediction.blobs.length, first.prediction.bytes);
  }
  refuseForeign(registry, 'gc', 'make it read-only and start it again', options.force === true);
  options.signal?.throwIfAborted();
  const window = { force: options.force === true, local: options.local, info, signal: options.signal };
  return inReadOnlyWindow(docker, registry, config, window, async ({ target, listKeys, remove }) => {
    const untagged = untag.length > 0 ? await untagObjects(config, untag, await listKeys(), remove) : undefined;
    options.signal?.throwIfAborted();
    const analysis = await analyse(s3StorageReader(config), options.graceMs);
    const keys = await listKeys();
    // Tags, manifests' links, repositories and uploads first; then the registry's collection judges the blobs, as on a file system.
    const links = s3RemovalKeys(analysis, keys, []).links;
    options.debug?.(`deleting ${links.length} link object(s) from ${storeUrl(config)}`);
    await remove(links);
    const judged = analysis.prediction.blobs.length === 0 ? new Set<string>() : await judge(docker, target);
    const warnings: string[] = [];
    if (typeof judged === 'string') warnings.push(`no blob was collected: ${judged}`);
    const allowed = typeof judged === 'string' ? [] : analysis.prediction.blobs.filter((d) => judged.has(d));
    const kept = analysis.prediction.blobs.length - allowed.length;
    if (typeof judged !== 'string' && kept > 0) {
      options.debug?.(`kept ${kept} blob(s) the registry's collection does not find unreferenced`);
    }
    const removal = s3RemovalKeys(analysis, keys, allowed);
    options.debug?.(`deleting ${removal.blobs.length} blob(s) and ${removal.layerLinks.length} layer link(s) from ${storeUrl(config)}`);
    for (const phase of [removal.blobs, removal.layerLinks]) await remove(phase);
    const bytes = allowed.reduce((n, d) => n + (analysis.listing.blobs.get(d) ?? 0), 0);
    return { ...report(target, false, analysis, allowed.length, bytes, [], warnings), ...(untagged ? { untagged } : {}) };
  });
}
