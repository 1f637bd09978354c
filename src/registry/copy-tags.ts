// Many tags in one copy (cp --all-tags, cp --tags REGEX), as regsync and skopeo sync do,
// on the copy core (copy.ts). The source's tag list, filtered; each tag's digest from a
// HEAD at the source, compared with a HEAD of the same tag at the destination: a tag the
// destination already has at that digest costs that one request there and nothing more.
// The others are copied one tag at a time, in tag order, by digest (what was compared is
// what is copied, even if the source tag moves meanwhile): each tag is written as soon as
// its image is complete, so an interrupted run keeps the tags it finished and, run again,
// compares them as present and finds the blobs it had sent already there.
// Tags that hold referrers (sha256-<hex>, cosign's .sig/.att/.sbom) are never selected:
// they travel with the image they are about (copy.ts), or stay with --no-referrers.
import { NotFoundError } from '../errors.ts';
import { blobExists, type Repo } from './blobs.ts';
import { listTags } from './catalog.ts';
import { pullScope, pushScope } from './client.ts';
import { copyImages, distributable, type BlobOutcome, type CopyEvents } from './copy.ts';
import { headManifest } from './copy-destination.ts';
import { withCopyClients, type CopySessionOptions } from './copy-session.ts';
import type { TagsCopyPlan } from './copy-tags-plan.ts';
import { fetchManifest, manifestChildren, resolveDigest, type Manifest } from './manifest.ts';
import type { OpenClient } from './per-host.ts';
import { isDigest } from './reference.ts';
import { isReferrerTag } from './referrer-tags.ts';

/** present: the destination had it; copied; would copy (--dry-run); gone: deleted at the source while the copy ran. */
export type TagStatus = 'present' | 'copied' | 'would copy' | 'gone';

export interface TagResult {
  tag: string;
  status: TagStatus;
  /** The source's digest ('' for a tag gone meanwhile). */
  digest: string;
  /** Bytes sent to the destination for this tag (--dry-run: that would be sent; blobs another tag sends first count there). */
  bytes: number;
  source: string;
  destination: string;
}

export interface TagsEvents extends CopyEvents {
  /** Every selected tag compared: how many, and how many the destination already has. */
  tagsCompared?(total: number, present: number): void;
  /** One tag finished; done counts the tags finished so far (present ones first). */
  tagFinished?(result: TagResult, done: number, total: number): void;
}

export interface TagsReport {
  tags: TagResult[];
  blobs: Record<BlobOutcome, number>;
  /** Bytes sent to the destination (--dry-run: that would be sent). */
  bytes: number;
  dryRun: boolean;
}

export interface TagsCopyOptions extends Omit<CopySessionOptions, 'events'> {
  /** Compare and size only: nothing is written. */
  dryRun?: boolean;
  events?: TagsEvents;
}

interface Compared {
  tag: string;
  digest: string | undefined;
  present: boolean;
}

/** Copies the tags of plan.from that plan.pattern matches (every tag without one) to plan.to. */
export async function copyTags(open: OpenClient, plan: TagsCopyPlan, options: TagsCopyOptions): Promise<TagsReport> {
  return withCopyClients(open, plan, options, async (from, to) => {
    const { signal, events } = options;
    const listed = await listTags(from.client, from.repository, signal);
    const tags = listed.filter((t) => !isReferrerTag(t) && (plan.pattern === undefined || plan.pattern.test(t))).sort();
    if (tags.length === 0) {
      const what = plan.pattern === undefined ? 'has no tags' : `has no tag matching ${plan.pattern.source} (of ${listed.length})`;
      throw new NotFoundError(`${from.client.host}/${from.repository} ${what}: nothing to copy`);
    }
    // A dry run asks the destination only what pulling asks, so it works with a read-only login.
    const scope = options.dryRun ? pullScope(to.repository) : pushScope(to.repository);
    const compared = await Promise.all(
      tags.map(async (tag): Promise<Compared> => {
        const digest = await resolveDigest(from.client, from.repository, tag, signal);
        const present = digest !== undefined && (await destinationDigest(to, tag, scope, signal)) === digest;
        return { tag, digest, present };
      }),
    );
    const total = compared.length;
    events?.tagsCompared?.(total, compared.filter((c) => c.present).length);

    const report: TagsReport = { tags: [], blobs: { exists: 0, mounted: 0, copied: 0 }, bytes: 0, dryRun: options.dryRun === true };
    const finish = (result: TagResult): void => {
      report.tags.push(result);
      report.bytes += result.bytes;
      events?.tagFinished?.(result, report.tags.length, total);
    };
    const row = (c: Compared, status: TagStatus, bytes = 0): TagResult => ({
      tag: c.tag,
      status,
      digest: c.digest ?? '',
      bytes,
      source: `${from.client.host}/${from.repository}:${c.tag}`,
      destination: `${to.client.host}/${to.repository}:${c.tag}`,
    });
    for (const c of compared) if (c.present) finish(row(c, 'present'));
    const sizes = options.dryRun ? new DryRunSizes(from, to, signal) : undefined;
    for (const c of compared) {
      if (c.present) continue;
      if (c.digest === undefined) finish(row(c, 'gone'));
      else if (sizes) finish(row(c, 'would copy', await sizes.wouldSend(c.digest)));
      else {
        const copied = await copyImages(from, to, [{ source: c.digest, tag: c.tag }], {
          jobs: options.jobs,
          signal,
          events,
          countPresent: options.countPresent,
          referrers: options.referrers !== false,
        });
        for (const outcome of ['exists', 'mounted', 'copied'] as const) report.blobs[outcome] += copied.blobs[outcome];
        finish(row(c, 'copied', copied.bytes));
      }
    }
    report.tags.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
    return report;
  });
}

/** HEAD of reference at the destination: the digest it names there, or undefined (none, or not said). */
async function destinationDigest(to: Repo, reference: string, scope: string, signal?: AbortSignal): Promise<string | undefined> {
  const { digest } = await headManifest(to, reference, signal, scope);
  return digest !== undefined && isDigest(digest) ? digest : undefined;
}

/**
 * --dry-run: the bytes each tag would send, its blobs the destination lacks (each counted
 * for the first tag that needs it; none within one registry, where they are mounted). A
 * manifest the destination has comes with its blobs: not looked into. Blobs a cross-
 * repository mount from the copy's memory (blob-memory.ts) would save are counted as sent.
 */
class DryRunSizes {
  private readonly seen = new Set<string>();
  private readonly from: Repo;
  private readonly to: Repo;
  private readonly signal: AbortSignal | undefined;

  constructor(from: Repo, to: Repo, signal?: AbortSignal) {
    this.from = from;
    this.to = to;
    this.signal = signal;
  }

  async wouldSend(digest: string): Promise<number> {
    if (this.seen.has(digest)) return 0;
    this.seen.add(digest);
    if ((await destinationDigest(this.to, digest, pullScope(this.to.repository), this.signal)) === digest) return 0;
    return this.below(await fetchManifest(this.from.client, this.from.repository, digest, this.signal));
  }

  private async below(manifest: Manifest): Promise<number> {
    const children = manifestChildren(manifest.parsed);
    if (manifest.parsed.kind === 'index') return sum(await Promise.all(children.map((child) => this.wouldSend(child.digest))));
    const sameRegistry = this.from.client.host === this.to.client.host;
    const sizes = children.filter(distributable).map(async (blob) => {
      if (this.seen.has(blob.digest)) return 0;
      this.seen.add(blob.digest);
      return sameRegistry || (await blobExists(this.to, blob.digest, this.signal)) ? 0 : blob.size;
    });
    return sum(await Promise.all(sizes));
  }
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
