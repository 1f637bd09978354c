// What a garbage collection may remove, worked out from a snapshot of a registry's
// storage: gc's plan (src/gc/gc-run.ts runs it), du's RECLAIMABLE and prune's prediction.
// Pure: no engine, no HTTP. The rule that keeps images intact:
//   reachable = tags -> (index/list -> child manifests)* -> config and layers,
//               plus referrers (manifests whose `subject` is reachable), transitively;
// and only manifests that are untagged AND unreachable are removed. The registry's own
// `garbage-collect --delete-untagged` removes every untagged manifest, including the
// per-platform children of a tagged index: that is the corruption this avoids.

import { ShapeError, isArray, isJsonObject, isString, object, parseJson, type JsonObject } from '../json-shape.ts';

/** One repository as storage holds it. */
export interface RepositoryState {
  name: string;
  /** tag -> manifest digest (`_manifests/tags/<tag>/current/link`). */
  tags: ReadonlyMap<string, string>;
  /** Every manifest digest with a revision link (`_manifests/revisions/sha256/<hex>`). */
  manifests: readonly string[];
}

/** What a manifest's bytes say, or why they could not be read. */
export type ManifestContent =
  { kind: 'ok'; references: readonly string[]; subject: string | undefined } | { kind: 'missing' } | { kind: 'invalid'; reason: string };

export interface RepositoryPlan {
  name: string;
  /** Manifests that stay: reachable, or kept because we could not be sure. */
  keep: string[];
  /** Untagged manifests no tag reaches, directly or as a referrer. */
  remove: string[];
  /** No tag left: the repository's storage goes too, so `_catalog` stops listing it. */
  removeRepository: boolean;
  /** Why something was kept that might otherwise have gone. */
  warnings: string[];
  /** Kept only because they (or manifests reaching them) are younger than the grace period. */
  young: string[];
}

/** What the grace period protects in a repository (grace-period.ts). */
export interface RepositoryYoung {
  /** Manifests written within the grace period: kept, with all they reach, as if tagged. */
  manifests: ReadonlySet<string>;
  /** An upload, link or revision within the grace period: the repository's storage stays. */
  busy: boolean;
}

const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/**
 * Every digest a manifest refers to: any `digest` of any object in it (config, layers,
 * manifests, subject, blobs of artifacts) and schema 1's `blobSum`. Taking every one,
 * rather than the fields of the formats we know, can only keep more, never less.
 */
export function readManifest(bytes: Uint8Array | undefined): ManifestContent {
  if (bytes === undefined) return { kind: 'missing' };
  let doc: JsonObject;
  try {
    doc = object(parseJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes)), '');
  } catch (err) {
    if (err instanceof ShapeError) return { kind: 'invalid', reason: err.message };
    return { kind: 'invalid', reason: 'not JSON' }; // not UTF-8
  }
  const references = new Set<string>();
  const walk = (value: unknown): void => {
    if (isArray(value)) {
      for (const item of value) walk(item);
    } else if (isJsonObject(value)) {
      for (const key of ['digest', 'blobSum']) {
        const d = value[key];
        if (isString(d) && DIGEST.test(d)) references.add(d);
      }
      for (const item of Object.values(value)) walk(item);
    }
  };
  walk(doc);
  const subjectField = doc['subject'];
  const subject = isJsonObject(subjectField) && isString(subjectField['digest']) ? subjectField['digest'] : undefined;
  return { kind: 'ok', references: [...references], subject };
}

/** The manifests a repository's tags (and extra roots) reach, following children and referrers. */
export function reachableManifests(
  repo: RepositoryState,
  content: (digest: string) => ManifestContent,
  roots: Iterable<string> = [],
): Set<string> {
  const present = new Set(repo.manifests);
  const referrersOf = new Map<string, string[]>();
  for (const digest of repo.manifests) {
    const c = content(digest);
    if (c.kind === 'ok' && c.subject !== undefined) {
      const list = referrersOf.get(c.subject) ?? [];
      list.push(digest);
      referrersOf.set(c.subject, list);
    }
  }
  const reachable = new Set<string>();
  const queue: string[] = [];
  const reach = (digest: string): void => {
    if (reachable.has(digest)) return;
    reachable.add(digest);
    queue.push(digest);
  };
  for (const digest of repo.tags.values()) reach(digest);
  for (const digest of roots) if (present.has(digest)) reach(digest);
  while (queue.length > 0) {
    const digest = queue.pop()!;
    const c = content(digest);
    if (c.kind === 'ok') {
      for (const ref of c.references) if (present.has(ref)) reach(ref);
    }
    for (const referrer of referrersOf.get(digest) ?? []) reach(referrer);
  }
  return reachable;
}

/**
 * Decides, per repository, which manifests go and whether the repository goes. Young
 * manifests are roots like tags: a push under way writes a multi-platform image's
 * manifests before its index, and the tag last.
 */
export function planRepository(
  repo: RepositoryState,
  content: (digest: string) => ManifestContent,
  young?: RepositoryYoung,
): RepositoryPlan {
  const tagged = reachableManifests(repo, content);
  const reachable = young && young.manifests.size > 0 ? reachableManifests(repo, content, young.manifests) : tagged;
  const warnings: string[] = [];
  const plan: RepositoryPlan = {
    name: repo.name,
    keep: [],
    remove: [],
    removeRepository: false,
    warnings,
    young: [...reachable].filter((d) => !tagged.has(d)).sort(),
  };
  // A reachable manifest we cannot read may have children or referrers we cannot see:
  // remove nothing from this repository rather than guess.
  const blind = [...reachable].filter((d) => repo.manifests.includes(d) && content(d).kind !== 'ok');
  if (blind.length > 0) {
    warnings.push(`${repo.name}: kept every manifest, ${blind.length} reachable manifest(s) could not be read (${blind.join(', ')})`);
    plan.keep = [...repo.manifests];
    return plan;
  }
  for (const digest of repo.manifests) {
    if (reachable.has(digest)) {
      plan.keep.push(digest);
      continue;
    }
    const c = content(digest);
    if (c.kind === 'invalid') {
      // It could be a referrer of a reachable manifest: we cannot read its subject.
      warnings.push(`${repo.name}@${digest}: kept, its manifest is unreadable (${c.reason})`);
      plan.keep.push(digest);
    } else {
      // 'ok' and unreachable; or 'missing': a revision link to no content, which the
      // registry can never serve and whose presence makes its garbage-collect fail.
      plan.remove.push(digest);
    }
  }
  plan.removeRepository = repo.tags.size === 0 && plan.keep.length === 0 && !young?.busy;
  return plan;
}

export interface BlobPrediction {
  /** Blobs no kept manifest refers to, older than the grace period: what the sweep deletes. */
  blobs: string[];
  bytes: number;
  /** Blobs no kept manifest refers to but younger than the grace period: kept. */
  young: string[];
  youngBytes: number;
}

/**
 * The blobs a collection deletes once the plan's manifests are gone: the registry marks
 * every remaining manifest and everything the manifest refers to, and the rest is
 * unreferenced; of that, the blobs younger than the grace period stay (gc-sweep.ts).
 * Used for --dry-run, to decide whether there is anything to do, and to bound the sweep.
 */
export function predictBlobRemoval(
  plans: readonly RepositoryPlan[],
  content: (digest: string) => ManifestContent,
  blobSizes: ReadonlyMap<string, number>,
  youngBlobs: ReadonlySet<string> = new Set(),
): BlobPrediction {
  const marked = new Set<string>();
  for (const plan of plans) {
    for (const digest of plan.keep) {
      marked.add(digest);
      const c = content(digest);
      if (c.kind === 'ok') for (const ref of c.references) marked.add(ref);
    }
  }
  const unmarked = [...blobSizes.keys()].filter((d) => !marked.has(d)).sort();
  const blobs = unmarked.filter((d) => !youngBlobs.has(d));
  const young = unmarked.filter((d) => youngBlobs.has(d));
  const sum = (list: string[]) => list.reduce((total, d) => total + blobSizes.get(d)!, 0);
  return { blobs, bytes: sum(blobs), young, youngBytes: sum(young) };
}
