// Which tags a prune removes. Pure: tags, their digests and push times, and the rules in;
// the tags to remove out. The rules, per repository:
//   1. the tags a prune may touch: those matching --match (any, when none is given), not
//      matching --exclude, and not protected (--protect, default "latest"); with --semver,
//      only the ones that are semantic versions;
//   2. ordered newest first: by push time, or by version with --semver;
//   3. --keep N keeps the first N of them; --older-than D keeps those pushed within D;
//      with both, a tag goes only when both let it go.
// Removing a tag removes only the tag: an image another tag points to, an index's
// children and referrers stay (the collection that follows keeps what is reachable).
// Referrer tags (cosign's sha256-<hex>.sig/.att/.sbom, the fallback tag sha256-<hex>,
// tagged manifests with a subject) are never counted among the tags: they go when their
// image goes (referrer-retire.ts).
import { isReferrerTagged, retiringReferrers } from './referrer-retire.ts';
import { compareVersions, parseVersion } from './semver.ts';
import { matchesAny } from './tag-pattern.ts';

export interface PruneRules {
  /** Keep the newest N tags of each repository (of those the patterns select). */
  keep?: number;
  /** Order by semantic version rather than push time. */
  semver?: boolean;
  /** Remove only tags pushed longer ago than this many milliseconds. */
  olderThanMs?: number;
  match?: readonly string[];
  exclude?: readonly string[];
  /** Never removed. The caller supplies the default (latest). */
  protect?: readonly string[];
}

export interface TagFacts {
  tag: string;
  digest: string;
  /** Push time, RFC 3339; undefined when unknown (such a tag is never removed by date). */
  pushed?: string;
  /** The manifest's `subject` (a tagged referrer). */
  subject?: string;
}

export interface RepositoryTags {
  name: string;
  tags: readonly TagFacts[];
}

export interface PrunedTag extends TagFacts {
  repository: string;
  /** Other tags that stay on the same digest: only the tag goes, the image stays. */
  sharedWith: string[];
  /** A signature, attestation or SBOM tag going with the image it is about: that image's digest. */
  referrerOf?: string;
}

export interface PrunePlan {
  remove: PrunedTag[];
  /** Tags that stay, per repository. */
  kept: Map<string, TagFacts[]>;
}

const byNameDescending = (a: TagFacts, b: TagFacts): number => b.tag.localeCompare(a.tag, 'en', { numeric: true });

/** Newest first: push time (unknown last), ties by name, higher first. */
function byPushed(a: TagFacts, b: TagFacts): number {
  const x = a.pushed === undefined ? -Infinity : Date.parse(a.pushed);
  const y = b.pushed === undefined ? -Infinity : Date.parse(b.pushed);
  return y - x || byNameDescending(a, b);
}

function byVersion(a: TagFacts, b: TagFacts): number {
  return compareVersions(parseVersion(b.tag)!, parseVersion(a.tag)!) || byNameDescending(a, b);
}

/**
 * `reaches(digest)`: the manifests a manifest points to (an index's platforms), for the
 * referrers of a platform; without it only the referrers of the tagged digests go.
 */
export function planPrune(
  repositories: readonly RepositoryTags[],
  rules: PruneRules,
  now: number,
  reaches: (digest: string) => readonly string[] = () => [],
): PrunePlan {
  const plan: PrunePlan = { remove: [], kept: new Map() };
  for (const repo of repositories) {
    const selected = repo.tags.filter(
      (t) =>
        !isReferrerTagged(t) &&
        (!rules.match?.length || matchesAny(t.tag, rules.match)) &&
        !matchesAny(t.tag, rules.exclude ?? []) &&
        !matchesAny(t.tag, rules.protect ?? []) &&
        (!rules.semver || parseVersion(t.tag) !== undefined),
    );
    const ordered = [...selected].sort(rules.semver ? byVersion : byPushed);
    const beyondKeep = rules.keep === undefined ? ordered : ordered.slice(rules.keep);
    const cutoff = rules.olderThanMs === undefined ? undefined : now - rules.olderThanMs;
    const goes = new Set(beyondKeep.filter((t) => cutoff === undefined || (t.pushed !== undefined && Date.parse(t.pushed) < cutoff)));
    const retiring = retiringReferrers(repo.tags, new Set([...goes].map((t) => t.tag)), reaches);
    for (const r of retiring) goes.add(r.tag);
    const kept = repo.tags.filter((t) => !goes.has(t));
    plan.kept.set(repo.name, kept);
    for (const t of ordered) {
      if (!goes.has(t)) continue;
      const sharedWith = kept.filter((k) => k.digest === t.digest).map((k) => k.tag);
      plan.remove.push({ repository: repo.name, ...t, sharedWith });
    }
    for (const { tag, subject } of retiring) plan.remove.push({ repository: repo.name, ...tag, sharedWith: [], referrerOf: subject });
  }
  return plan;
}
