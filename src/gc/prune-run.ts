// prune: remove the tags the rules let go (prune-plan.ts), then collect garbage with gc's
// rules (gc-run.ts), which keep every manifest a remaining tag reaches: images other tags
// point to, the children of an index, referrers. Works on a registry this engine runs: tags
// and push times come from its storage, and so does the collection. On S3 storage the tags
// are removed inside the collection's lock and read-only window (s3-collect.ts).
//   1. list storage (tags, revisions, blobs) and the tags' push times
//   2. plan; predict what the collection would then free (reachability.ts on the pruned state)
//   3. dry run: stop here. Otherwise ask (confirm), remove the tags (untag.ts), collect.
import type Docker from 'dockerode';
import { NotFoundError, ResourceError, UsageError } from '../errors.ts';
import type { RegistryClient } from '../registry/client.ts';
import { planRepository, predictBlobRemoval } from '../storage/reachability.ts';
import { collectGarbage, type GcOptions, type GcReport } from './gc-run.ts';
import { youngContent, youngIn } from '../storage/grace-period.ts';
import { planPrune, type PrunedTag, type PruneRules } from './prune-plan.ts';
import { storageAccess } from '../storage/storage-access.ts';
import { untag, type TagToRemove } from '../storage/untag.ts';
import { refuseForeign } from '../storage/ownership.ts';

export interface PruneRequest {
  /** HOST:PORT of a registry this engine runs. */
  registry: string;
  /** Repositories to prune; none: all. */
  repositories: readonly string[];
  rules: PruneRules;
  dryRun: boolean;
  client: RegistryClient;
  /** The engine is on this machine (the collection waits for the registry to answer again). */
  local: boolean;
  /** Asked once the plan is known and before anything is removed; false: nothing is. */
  confirm?: (plan: PruneReport) => Promise<boolean>;
  signal?: AbortSignal;
  info?: (message: string) => void;
  debug?: (message: string) => void;
  /** The collection's grace period (grace-period.ts): what was written more recently stays. */
  graceMs: number;
  /** More of gc's options, passed on to the collection. */
  gc?: Partial<GcOptions>;
  now?: number;
}

export interface PruneReport {
  registry: string;
  dryRun: boolean;
  /** The user said no: nothing was removed. */
  cancelled: boolean;
  /** The tags removed (with dryRun or cancelled: that would be removed). */
  tags: PrunedTag[];
  /** Tags pushed again (or removed) since they were planned: left alone. */
  changed: TagToRemove[];
  /** How the tags went: the registry's tag delete (3.x) or from storage (2.x). */
  how?: 'api' | 'storage';
  /** Untagged manifests the collection removes (predicted for a dry run). */
  manifests: number;
  /** Blobs freed and their bytes, each blob once (predicted for a dry run). */
  blobs: number;
  bytes: number;
  gc?: GcReport;
}

export async function prune(docker: Docker, request: PruneRequest): Promise<PruneReport> {
  const { rules } = request;
  if (rules.keep === undefined && rules.olderThanMs === undefined) {
    throw new UsageError('prune needs a rule: --keep N, --older-than DURATION, or both');
  }
  const lookup = await storageAccess(docker, request.registry, 'list');
  if (!lookup.ok) {
    throw new ResourceError(
      `prune works on a registry this Docker engine runs (push times and garbage collection come from its storage): ${lookup.reason}`,
    );
  }
  const { access } = lookup;
  const { reader, container } = access;
  const [listing, dates] = await Promise.all([reader.list(), reader.pushDates()]);
  const missing = request.repositories.filter((n) => !listing.repositories.some((r) => r.name === n));
  if (missing.length > 0) throw new NotFoundError(`no repository ${missing.map((n) => `${request.registry}/${n}`).join(', ')}`);
  const chosen = listing.repositories.filter((r) => request.repositories.length === 0 || request.repositories.includes(r.name));
  const content = await reader.manifests(listing);
  const plan = planPrune(
    chosen.map((r) => ({
      name: r.name,
      tags: [...r.tags].map(([tag, digest]) => {
        const pushed = dates.get(r.name)?.get(tag);
        const read = content(digest);
        const subject = read.kind === 'ok' ? read.subject : undefined;
        return { tag, digest, ...(pushed !== undefined ? { pushed } : {}), ...(subject !== undefined ? { subject } : {}) };
      }),
    })),
    rules,
    request.now ?? Date.now(),
    (digest) => {
      const read = content(digest);
      return read.kind === 'ok' ? read.references : [];
    },
  );

  // What the collection frees once these tags are gone: gc's own plan on that state.
  const going = new Set(plan.remove.map((t) => `${t.repository}:${t.tag}`));
  const after = listing.repositories.map((r) => ({ ...r, tags: new Map([...r.tags].filter(([tag]) => !going.has(`${r.name}:${tag}`))) }));
  const young = youngContent(listing, request.graceMs);
  const plans = after.map((r) => planRepository(r, content, youngIn(young, r.name)));
  const prediction = predictBlobRemoval(plans, content, listing.blobs, young.blobs);
  const report: PruneReport = {
    registry: request.registry,
    dryRun: request.dryRun,
    cancelled: false,
    tags: plan.remove,
    changed: [],
    manifests: plans.reduce((n, p) => n + p.remove.length, 0),
    blobs: prediction.blobs.length,
    bytes: prediction.bytes,
  };
  if (request.dryRun || plan.remove.length === 0) return report;
  // A registry container docker-jindr did not create is not edited, stopped and restarted unless forced (ownership.ts).
  refuseForeign(container, 'prune', 'remove tags in its storage, stop it and start it again', request.gc?.force === true);
  if (request.confirm && !(await request.confirm(report))) return { ...report, cancelled: true };

  request.signal?.throwIfAborted();
  // On S3 storage the tags go inside gc's window (lock, every registry read-only: s3-collect.ts); else first, here.
  const toRemove = plan.remove.map(({ repository, tag, digest }) => ({ repository, tag, digest }));
  const here = access.kind === 's3' ? undefined : await untag(request.client, access, toRemove, request.signal);
  request.signal?.throwIfAborted();
  const gc = await collectGarbage(docker, container, {
    dryRun: false,
    restart: true,
    local: request.local,
    graceMs: request.graceMs,
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.info ? { info: request.info } : {}),
    ...(request.debug ? { debug: request.debug } : {}),
    ...request.gc,
    ...(access.kind === 's3' ? { untag: toRemove } : { root: access.root }),
  });
  const untagged = here ?? { how: 'storage' as const, removed: [], changed: [], ...gc.untagged };
  const removed = new Set(untagged.removed.map((t) => `${t.repository}:${t.tag}`));
  return {
    ...report,
    how: untagged.how,
    changed: untagged.changed,
    gc,
    tags: plan.remove.filter((t) => removed.has(`${t.repository}:${t.tag}`)),
    manifests: gc.manifests.length,
    blobs: gc.blobs,
    bytes: gc.bytesFreed,
  };
}
