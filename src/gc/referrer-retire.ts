// Referrer tags go with their subject. Given a repository's tags, the ones a plan removes and
// what each manifest reaches, which referrer tags lose their subject: cosign's
// sha256-<hex>.sig/.att/.sbom and the fallback tag sha256-<hex> whose <hex> no remaining
// ordinary tag reaches (as its digest, or a platform of its index), and tagged manifests whose
// `subject` is such a digest; then the same for the referrers of those (a signature of an
// SBOM), until nothing more goes. Pure: names and digests in, tags out.
import { referrerTagOf } from '../registry/referrer-tags.ts';

export interface TagPoint {
  tag: string;
  digest: string;
  /** The manifest's `subject`, for a tagged referrer. */
  subject?: string;
}

/** Whether a tag holds a referrer (by its name, or its manifest's subject) rather than an image. */
export function isReferrerTagged(t: TagPoint): boolean {
  return referrerTagOf(t.tag) !== undefined || t.subject !== undefined;
}

/**
 * The referrer tags that go because their subject goes. `reaches(digest)`: the manifests
 * `digest` points to (an index's platforms, a referrers index's referrers); [] when unknown.
 */
export function retiringReferrers<T extends TagPoint>(
  tags: readonly T[],
  removed: ReadonlySet<string>,
  reaches: (digest: string) => readonly string[],
): { tag: T; subject: string }[] {
  const reach = (digest: string, into: Set<string>): void => {
    if (into.has(digest)) return;
    into.add(digest);
    for (const d of reaches(digest)) into.add(d);
  };
  const kept = new Set<string>();
  for (const t of tags) if (!removed.has(t.tag) && !isReferrerTagged(t)) reach(t.digest, kept);
  const gone = new Set<string>();
  for (const t of tags) if (removed.has(t.tag) && !isReferrerTagged(t)) reach(t.digest, gone);
  for (const d of kept) gone.delete(d);

  const out: { tag: T; subject: string }[] = [];
  const taken = new Set<string>();
  let more = true;
  while (more) {
    more = false;
    for (const t of tags) {
      if (removed.has(t.tag) || taken.has(t.tag)) continue;
      const subject = referrerTagOf(t.tag)?.subject ?? t.subject;
      if (subject === undefined || !gone.has(subject)) continue;
      taken.add(t.tag);
      out.push({ tag: t, subject });
      // What it held goes too: its referrers (a fallback index's entries) may have referrers of their own.
      const before = gone.size;
      const own = new Set<string>();
      reach(t.digest, own);
      for (const d of own) if (!kept.has(d)) gone.add(d);
      more ||= gone.size > before;
    }
  }
  return out;
}
