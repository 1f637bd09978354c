// Deleting images and repositories so that only what was named goes.
//
// The registry deletes manifests by digest, which takes every tag on that digest with
// it, and breaks any index that lists the digest as one of its platforms. So before a
// delete by digest we look at the whole repository: the other tags on the digest, and
// the tags whose index uses it. Either refuses the command (nothing deleted) unless
// --force. Registry 3.x can delete one tag (DELETE /v2/<name>/manifests/<tag>): tried
// first, and when the registry answers that it cannot, we fall back to the digest.
import { NotFoundError, RefusedError, RegistryError } from '../errors.ts';
import type { RegistryApi } from './api.ts';
import { listTags } from './catalog.ts';
import { deleteManifest, deleteTag } from './manifest-delete.ts';
import { fetchManifest, manifestChildren, resolveDigest, type Manifest } from './manifest.ts';
import { forEachHost, type OpenReader } from './per-host.ts';
import type { ImageReference } from './reference.ts';
import { removeReferrersOf, type RemovedReferrer } from './referrer-removal.ts';
import { isReferrerTag } from './referrer-tags.ts';

export interface Removal {
  repository: string;
  /** The tag named, when one was. */
  tag?: string;
  digest: string;
  /** untagged: only the tag went (registry 3.x); deleted: the manifest and every tag on it. */
  action: 'untagged' | 'deleted';
  /** Other tags that went with the digest (only with --force). */
  alsoRemovedTags: string[];
  /** Its signatures, attestations and SBOMs, which went with it (set when there were any). */
  referrers?: RemovedReferrer[];
}

interface Named {
  ref: ImageReference;
  digest: string;
}

interface RepositoryUse {
  /** digest -> tags on it */
  tagsOn: Map<string, string[]>;
  /** digest -> tags whose index lists it */
  usedBy: Map<string, string[]>;
  /** index digest -> its platforms */
  childrenOf: Map<string, string[]>;
}

/** Tags of a repository, the digests they point at, and which indexes use which digests. */
async function repositoryUse(client: RegistryApi, repository: string, signal?: AbortSignal): Promise<RepositoryUse> {
  const tags = await listTags(client, repository, signal);
  const manifests = await Promise.all(
    tags.map((tag) =>
      fetchManifest(client, repository, tag, signal).catch((err: unknown) =>
        err instanceof NotFoundError ? undefined : Promise.reject(err),
      ),
    ),
  );
  const use: RepositoryUse = { tagsOn: new Map(), usedBy: new Map(), childrenOf: new Map() };
  const add = (map: Map<string, string[]>, digest: string, tag: string): void => {
    const list = map.get(digest) ?? [];
    if (!list.includes(tag)) list.push(tag);
    map.set(digest, list);
  };
  tags.forEach((tag, i) => {
    const m: Manifest | undefined = manifests[i];
    if (!m) return;
    add(use.tagsOn, m.digest, tag);
    if (m.parsed.kind === 'index') {
      for (const child of manifestChildren(m.parsed)) add(use.usedBy, child.digest, tag);
      use.childrenOf.set(
        m.digest,
        manifestChildren(m.parsed).map((c) => c.digest),
      );
    }
  });
  return use;
}

/** What deleting `digest` by digest would take along besides the named tags. */
function collateral(use: RepositoryUse, digest: string, named: ReadonlySet<string>): { tags: string[]; indexes: string[] } {
  return {
    tags: (use.tagsOn.get(digest) ?? []).filter((t) => !named.has(t)),
    indexes: (use.usedBy.get(digest) ?? []).filter((t) => !named.has(t)),
  };
}

function refusal(client: RegistryApi, repository: string, digest: string, c: { tags: string[]; indexes: string[] }): string {
  const parts: string[] = [];
  if (c.tags.length > 0)
    parts.push(
      `${c.tags.map((t) => `${repository}:${t}`).join(', ')} ${c.tags.length === 1 ? 'points' : 'point'} at the same digest and would be deleted too`,
    );
  if (c.indexes.length > 0)
    parts.push(
      `${c.indexes.map((t) => `${repository}:${t}`).join(', ')} ${c.indexes.length === 1 ? 'uses' : 'use'} it as a platform image and would break`,
    );
  return `${client.host}/${repository}@${digest.slice(0, 19)}...: ${parts.join('; ')}`;
}

/**
 * Deletes the named images (all on this client's registry). Checks every name first: an
 * unknown one is a NotFoundError and nothing is deleted; a delete that would take other
 * tags along is a RefusedError unless `force`.
 */
export async function removeImages(
  client: RegistryApi,
  refs: readonly ImageReference[],
  options: { force: boolean; signal?: AbortSignal },
): Promise<Removal[]> {
  const { signal } = options;
  // A bare name means :latest, as everywhere in Docker. A name given twice is one image:
  // deleting its tag twice would fail the second time, after the first had deleted it.
  const withTags = refs.map((r) => (r.tag === undefined && r.digest === undefined ? { ...r, tag: 'latest' } : r));
  const full = [...new Map(withTags.map((r) => [`${r.repository}:${r.tag ?? ''}@${r.digest ?? ''}`, r])).values()];
  const named: Named[] = await Promise.all(
    full.map(async (ref) => {
      const digest = (await fetchManifest(client, ref.repository, ref.digest ?? ref.tag!, signal)).digest;
      // repo:tag@digest: the digest is what gets deleted, so the tag must point at it.
      if (ref.tag !== undefined && ref.digest !== undefined) {
        const tagged = await resolveDigest(client, ref.repository, ref.tag, signal);
        if (tagged === undefined) throw new NotFoundError(`no image ${client.host}/${ref.repository}:${ref.tag}`);
        if (tagged !== ref.digest)
          throw new NotFoundError(`${client.host}/${ref.repository}:${ref.tag} points at ${tagged}, not ${ref.digest}`);
      }
      return { ref, digest };
    }),
  );
  const repositories = [...new Set(named.map((n) => n.ref.repository))];
  const uses = new Map(await Promise.all(repositories.map(async (r) => [r, await repositoryUse(client, r, signal)] as const)));
  const namedTags = (repository: string): Set<string> =>
    new Set(named.filter((n) => n.ref.repository === repository && n.ref.tag !== undefined).map((n) => n.ref.tag!));

  const check = (items: readonly Named[]): void => {
    if (options.force) return;
    const problems = [...new Map(items.map((n) => [`${n.ref.repository}@${n.digest}`, n])).values()]
      .map((n) => ({ n, c: collateral(uses.get(n.ref.repository)!, n.digest, namedTags(n.ref.repository)) }))
      .filter(({ c }) => c.tags.length > 0 || c.indexes.length > 0)
      .map(({ n, c }) => refusal(client, n.ref.repository, n.digest, c));
    if (problems.length > 0) throw new RefusedError(`refusing to delete (use --force to delete anyway): ${problems.join(' | ')}`);
  };

  const byDigest = named.filter((n) => n.ref.digest !== undefined);
  const byTag = named.filter((n) => n.ref.digest === undefined);
  check(byDigest);

  const removals: Removal[] = [];
  let tagDeletes = byTag.length > 0;
  const pending = [...byTag];
  // The first tag tells whether the registry can delete a tag alone; nothing else is
  // deleted before we know, so a refusal below still leaves everything in place.
  if (pending.length > 0) {
    const first = pending[0]!;
    tagDeletes = await deleteTag(client, first.ref.repository, first.ref.tag!, signal);
    if (tagDeletes) {
      pending.shift();
      removals.push({
        repository: first.ref.repository,
        tag: first.ref.tag!,
        digest: first.digest,
        action: 'untagged',
        alsoRemovedTags: [],
      });
    }
  }
  if (tagDeletes) {
    const done = await Promise.all(
      pending.map(async (n) => {
        if (!(await deleteTag(client, n.ref.repository, n.ref.tag!, signal)))
          throw new RegistryError(`${client.host} stopped accepting tag deletes`);
        return { repository: n.ref.repository, tag: n.ref.tag!, digest: n.digest, action: 'untagged' as const, alsoRemovedTags: [] };
      }),
    );
    removals.push(...done);
  } else {
    check(byTag);
  }
  const digestDeletes = tagDeletes ? byDigest : named;
  const distinct = [...new Map(digestDeletes.map((n) => [`${n.ref.repository}@${n.digest}`, n])).values()];
  await Promise.all(distinct.map((n) => deleteManifest(client, n.ref.repository, n.digest, signal)));
  for (const n of digestDeletes) {
    const use = uses.get(n.ref.repository)!;
    const alsoRemovedTags = collateral(use, n.digest, namedTags(n.ref.repository)).tags;
    removals.push({
      repository: n.ref.repository,
      ...(n.ref.tag !== undefined ? { tag: n.ref.tag } : {}),
      digest: n.digest,
      action: 'deleted',
      alsoRemovedTags,
    });
  }
  await removeReferrers(client, removals, uses, signal);
  return removals;
}

/**
 * The referrers of each image that went (no ordinary tag left on its digest, nor on an index
 * using it as a platform) go too; each removal row says which went with it.
 */
async function removeReferrers(
  client: RegistryApi,
  removals: Removal[],
  uses: ReadonlyMap<string, RepositoryUse>,
  signal?: AbortSignal,
): Promise<void> {
  for (const [repository, use] of uses) {
    const rows = removals.filter((r) => r.repository === repository);
    const gone = new Set(rows.flatMap((r) => [r.tag, ...r.alsoRemovedTags]).filter((t): t is string => t !== undefined));
    const remaining = new Map<string, string[]>();
    for (const [digest, tags] of use.tagsOn) {
      const left = tags.filter((t) => !gone.has(t) && !isReferrerTag(t));
      if (left.length > 0) remaining.set(digest, left);
    }
    const kept = new Set(remaining.keys());
    for (const digest of remaining.keys()) for (const child of use.childrenOf.get(digest) ?? []) kept.add(child);
    const subjectsOf = new Map<Removal, string[]>();
    for (const r of rows) {
      if (r.tag !== undefined && isReferrerTag(r.tag)) continue;
      const candidates = [r.digest, ...(use.childrenOf.get(r.digest) ?? [])].filter((d) => !kept.has(d));
      if (candidates.length > 0) subjectsOf.set(r, candidates);
    }
    const subjects = [...new Set([...subjectsOf.values()].flat())];
    const removed = await removeReferrersOf(client, repository, subjects, kept, signal);
    for (const [r, own] of subjectsOf) {
      const reach = new Set(own);
      // Its referrers, and theirs: the removed list is in tree order, a subject before its referrers.
      const mine = removed.filter((x) => reach.has(x.subject) && (reach.add(x.digest), true));
      if (mine.length > 0) r.referrers = mine;
    }
  }
}

/** rmi: removeImages on each registry the references name, host by host; each row names its registry. */
export async function removeImagesOn(
  open: OpenReader,
  refs: readonly ImageReference[],
  options: { force: boolean; signal?: AbortSignal },
): Promise<Array<Removal & { registry: string }>> {
  return forEachHost(open, refs, async (client, group, host) =>
    (await removeImages(client, group, options)).map((r) => ({ registry: host, ...r })),
  );
}

export interface RepositoryRemoval {
  repository: string;
  /** Manifests deleted through the API: the tags' and, for indexes, their platforms'. */
  manifests: number;
}

/**
 * Deletes every manifest the tags of each repository reach. Unknown repositories are a
 * NotFoundError before anything is deleted. The repository itself stays listed by the
 * registry until its storage is removed (no API does that; see src/storage/remove-repository.ts).
 */
export async function removeRepositories(
  client: RegistryApi,
  repositories: readonly string[],
  signal?: AbortSignal,
): Promise<RepositoryRemoval[]> {
  const plans = await Promise.all(
    repositories.map(async (repository) => {
      const tags = await listTags(client, repository, signal);
      const digests = new Set<string>();
      await Promise.all(
        tags.map(async (tag) => {
          try {
            const m = await fetchManifest(client, repository, tag, signal);
            digests.add(m.digest);
            if (m.parsed.kind === 'index') for (const child of m.parsed.manifests) digests.add(child.digest);
          } catch (err) {
            if (!(err instanceof NotFoundError)) throw err;
          }
        }),
      );
      return { repository, digests: [...digests] };
    }),
  );
  return Promise.all(
    plans.map(async ({ repository, digests }) => {
      let deleted = 0;
      await Promise.all(
        digests.map(async (digest) => {
          try {
            await deleteManifest(client, repository, digest, signal);
            deleted += 1;
          } catch (err) {
            if (!(err instanceof NotFoundError)) throw err; // a child already gone
          }
        }),
      );
      return { repository, manifests: deleted };
    }),
  );
}
