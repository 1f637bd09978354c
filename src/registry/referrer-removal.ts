// Signatures, attestations and SBOMs go with the image they are about: once rmi has removed
// an image (no tag left on its digest), its referrers are removed too: cosign's tags
// (sha256-<hex>.sig/.att/.sbom), the fallback tag sha256-<hex> and the referrers it lists
// (or the referrers API gives), and theirs in turn (referrers.ts finds the tree). A referrer
// an ordinary tag still points at stays. A tag goes by the registry's tag delete (3.x), else
// by deleting its manifest by digest.
import { NotFoundError } from '../errors.ts';
import type { RegistryApi } from './api.ts';
import { listTags } from './catalog.ts';
import { deleteManifest, deleteTag } from './manifest-delete.ts';
import { resolveDigest } from './manifest.ts';
import { referrerTree, type ReferrerKind, type ReferrerNode } from './referrers.ts';
import { isReferrerTag, referrerTagsFor } from './referrer-tags.ts';

export interface RemovedReferrer {
  digest: string;
  kind: ReferrerKind;
  /** The tag it went with (its cosign tag, or the fallback tag that listed it). */
  tag?: string;
  /** The digest it was about. */
  subject: string;
}

function flatten(nodes: readonly ReferrerNode[], subject: string, into: RemovedReferrer[]): void {
  for (const n of nodes) {
    into.push({ digest: n.digest, kind: n.kind, subject, ...(n.tag !== undefined ? { tag: n.tag } : {}) });
    flatten(n.children, n.digest, into);
  }
}

async function ignoreMissing(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}

/**
 * Removes the referrers of `subjects` (digests that no longer have a tag) in `repository`.
 * `keep`: digests ordinary tags still point at (never deleted). Returns what went.
 */
export async function removeReferrersOf(
  client: RegistryApi,
  repository: string,
  subjects: readonly string[],
  keep: ReadonlySet<string>,
  signal?: AbortSignal,
): Promise<RemovedReferrer[]> {
  if (subjects.length === 0) return [];
  // A repository whose last tag just went may be unknown now (distribution on S3 keeps no
  // empty tags folder, so its tag list is NAME_UNKNOWN): it has no referrer tags left then.
  const tags = await listTags(client, repository, signal).catch((err: unknown) =>
    err instanceof NotFoundError ? [] : Promise.reject(err),
  );
  const found: RemovedReferrer[] = [];
  await Promise.all(
    subjects.map(async (subject) => {
      const tree = await referrerTree(client, repository, subject, tags, signal);
      flatten(tree, subject, found);
    }),
  );
  const digests = new Set(found.map((r) => r.digest).filter((d) => !keep.has(d)));
  // Every referrer tag of a subject or of a referrer: cosign's and the fallback ones.
  const referrerTags = new Set<string>();
  for (const d of [...subjects, ...digests]) for (const t of referrerTagsFor(d, tags)) referrerTags.add(t);
  let tagDeletes: boolean | undefined;
  for (const tag of [...referrerTags].sort()) {
    if (!isReferrerTag(tag)) continue;
    const digest = await resolveDigest(client, repository, tag, signal);
    if (digest === undefined || keep.has(digest)) continue;
    if (tagDeletes !== false) {
      tagDeletes = await deleteTag(client, repository, tag, signal).catch((err: unknown) =>
        err instanceof NotFoundError ? true : Promise.reject(err),
      );
      if (tagDeletes) continue;
    }
    digests.add(digest);
  }
  await Promise.all([...digests].map((d) => ignoreMissing(deleteManifest(client, repository, d, signal))));
  return found.filter((r) => !keep.has(r.digest));
}
