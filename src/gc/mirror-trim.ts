// Keeping a mirror within its size limit (mirror start --max-size): the least recently
// pulled images give up their tags (eviction-plan.ts chooses, from the registry's access
// log and the cache's own dates), and gc's collection (gc-run.ts) then removes what nothing
// needs any more, with every one of its safety rules: children of a kept index, referrers,
// uploads under way and the grace period. No removal of its own but the tags, as `rmi` on a
// mirror does. Runs at `mirror trim`, at `mirror start` and at every `gc` of the mirror.
import type Docker from 'dockerode';
import type { RegistryContainer } from '../server/container.ts';
import { execIn } from '../server/container-exec.ts';
import { listStorage, readListedManifests } from '../storage/storage-listing.ts';
import { readAtStorageRoot } from '../storage/storage-root.ts';
import { notYetOnS3 } from '../server/s3-storage.ts';
import { removeManifestLinks } from '../storage/storage-remove.ts';
import { readMaxSize } from '../mirror/mirror-limit.ts';
import { readPullTimes } from '../mirror/pull-times.ts';
import { planEviction, type CachedImage } from '../mirror/eviction-plan.ts';
import { collectGarbage, type GcOptions, type GcReport } from './gc-run.ts';
import { ResourceError } from '../errors.ts';

export interface TrimReport {
  container: string;
  /** The limit in bytes; null when the mirror has none. */
  maxSize: number | null;
  /** Bytes its storage held before. */
  usage: number | null;
  evicted: { repository: string; digest: string; tags: string[]; lastPulled: string }[];
  /** Images over the limit kept because they were pulled within the grace period. */
  keptRecent: number;
  /** What the collection afterwards did (undefined when nothing was over). */
  gc: GcReport | undefined;
}

/** Untags the least recently pulled images until the rest fits, then collects; nothing when within the limit. */
export async function trimMirror(docker: Docker, c: RegistryContainer, options: Omit<GcOptions, 'dryRun'>): Promise<TrimReport> {
  const maxSize = readMaxSize(c);
  const none: TrimReport = { container: c.name, maxSize: maxSize ?? null, usage: null, evicted: [], keptRecent: 0, gc: undefined };
  if (maxSize === undefined) return none;
  if (c.storage.kind === 's3') throw new ResourceError(notYetOnS3('mirror trim', c.name, c.storage.url, false));
  if (!c.running) throw new ResourceError(`the mirror ${c.name} is not running: start it (docker jindr mirror start) to trim it`);
  const exec = execIn(docker, c);
  const { root, value: listing } = await readAtStorageRoot(exec, c.configPath, c.details.Config.Env ?? [], c.name, listStorage);
  const content = await readListedManifests(exec, root, listing);
  const plan = planEviction(listing, content, await readPullTimes(docker, c, options.debug), maxSize, options.graceMs);
  const report: TrimReport = { ...none, usage: plan.usage, keptRecent: plan.evict.length === 0 ? 0 : plan.recent };
  if (plan.usage <= maxSize) return report;
  options.signal?.throwIfAborted();
  for (const image of plan.evict) {
    options.info?.(`evicting ${describe(image)} (last pulled ${new Date(image.lastPulled).toISOString()})`);
    await removeManifestLinks(exec, root, image.repository, image.tags, []);
  }
  if (plan.after > maxSize)
    options.info?.(
      `warning: ${c.name} stays over its limit: ${plan.recent} image(s) were pulled within the grace period, and what gc's grace period keeps stays`,
    );
  const gc = await collectGarbage(docker, c, { ...options, dryRun: false, root });
  return {
    ...report,
    keptRecent: plan.recent,
    evicted: plan.evict.map((i) => ({ ...i, lastPulled: new Date(i.lastPulled).toISOString() })),
    gc,
  };
}

function describe(i: CachedImage): string {
  return `${i.repository}:${i.tags.join(',')} (${i.digest})`;
}
