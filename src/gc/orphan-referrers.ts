// gc and referrer tags whose image is gone. cosign's sha256-<hex>.sig/.att/.sbom, the
// fallback tag sha256-<hex> and tagged manifests with a `subject` go when their subject goes;
// a tool other than docker-jindr may have deleted the subject and left them. gc removes such
// a tag only when its subject is certainly absent: no repository of this registry holds the
// digest (no revision link, no tag), nor will once this collection is done (a manifest it
// removes), and the tag's manifest was not written within the grace period (a push under
// way). Every one is reported. The subjects are sought in this registry only: signatures kept
// here for images in another registry (cosign's COSIGN_REPOSITORY) would be taken for orphans.
// Pure: the storage listing in, the tags out.
import { referrerTagOf } from '../registry/referrer-tags.ts';
import { planRepository, type ManifestContent, type RepositoryState } from '../storage/reachability.ts';
import type { YoungContent } from '../storage/grace-period.ts';
import { youngIn } from '../storage/grace-period.ts';

export interface OrphanReferrer {
  repository: string;
  tag: string;
  /** The digest the tag points at. */
  digest: string;
  /** The digest it is about, which no repository holds. */
  subject: string;
}

/** The referrer tags whose subject no repository holds, once they and what only they reach are gone. */
export function orphanReferrers(
  repositories: readonly RepositoryState[],
  content: (digest: string) => ManifestContent,
  young: YoungContent,
): OrphanReferrer[] {
  const found: OrphanReferrer[] = [];
  let state = [...repositories];
  // Each round: what the remaining state holds; a tag whose subject it lacks goes; then what the
  // collection would remove is absent too (a signature of an SBOM only an orphan tag reached).
  for (let round = 0; round < 4; round++) {
    const going = new Set(state.flatMap((r) => planRepository(r, content, youngIn(young, r.name)).remove.map((d) => `${r.name}@${d}`)));
    const held = new Set<string>();
    for (const r of state) {
      for (const d of r.manifests) if (!going.has(`${r.name}@${d}`)) held.add(d);
      for (const d of r.tags.values()) held.add(d);
    }
    const more: OrphanReferrer[] = [];
    for (const r of state) {
      const fresh = youngIn(young, r.name).manifests;
      for (const [tag, digest] of r.tags) {
        const read = content(digest);
        const subject = referrerTagOf(tag)?.subject ?? (read.kind === 'ok' ? read.subject : undefined);
        if (subject === undefined || held.has(subject) || fresh.has(digest)) continue;
        more.push({ repository: r.name, tag, digest, subject });
      }
    }
    if (more.length === 0) break;
    found.push(...more);
    const gone = new Set(more.map((o) => `${o.repository}:${o.tag}`));
    state = state.map((r) => ({ ...r, tags: new Map([...r.tags].filter(([tag]) => !gone.has(`${r.name}:${tag}`))) }));
  }
  return found;
}

/** The repositories without those tags: what the collection then plans on. */
export function withoutOrphans(repositories: readonly RepositoryState[], orphans: readonly OrphanReferrer[]): RepositoryState[] {
  if (orphans.length === 0) return [...repositories];
  const gone = new Set(orphans.map((o) => `${o.repository}:${o.tag}`));
  return repositories.map((r) => ({ ...r, tags: new Map([...r.tags].filter(([tag]) => !gone.has(`${r.name}:${tag}`))) }));
}
