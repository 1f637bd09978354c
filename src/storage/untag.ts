// Removing tags and nothing else. Registry 3.x deletes one tag through the API (DELETE
// /v2/<name>/manifests/<tag>); 2.x has no such request (its DELETE takes a digest, and
// with it every tag on that digest), so there the tag's directory is removed from storage
// (_manifests/tags/<tag>), which is what 3.x's tag delete does. The first tag tells which
// way the registry goes. Either way a tag is removed only while it still points at the
// digest the plan saw: a tag pushed again meanwhile stays.
import { NotFoundError, ResourceError } from '../errors.ts';
import type { RegistryClient } from '../registry/client.ts';
import { deleteTag } from '../registry/manifest-delete.ts';
import { resolveDigest } from '../registry/manifest.ts';
import type { Exec } from '../server/container-exec.ts';
import { REAL_PATH_SH } from './storage-remove.ts';
import { isDigest, isRepositoryName, isTagName, storagePath } from './storage-layout.ts';

export interface TagToRemove {
  repository: string;
  tag: string;
  digest: string;
}

export interface UntagResult {
  /** api: the registry's own tag delete (3.x); storage: the tag's directory removed. */
  how: 'api' | 'storage';
  removed: TagToRemove[];
  /** Tags that no longer pointed at the planned digest (pushed again, or gone): left alone. */
  changed: TagToRemove[];
}

// Arguments come in pairs: a tag's directory (built by storage-layout.ts) and the digest
// it must still name. It goes only then, and only when no component of its path is a symlink.
const UNTAG_SCRIPT = `${REAL_PATH_SH}
cd "$1" 2>/dev/null || exit 0
shift
i=0
while [ $# -ge 2 ]; do
  d="$1"; want="$2"; shift 2
  c=
  if real "$d/current/link"; then IFS= read -r c < "$d/current/link" 2>/dev/null; fi
  if [ -n "$c" ] && [ "$c" = "$want" ]; then rm -rf -- "$d" || exit 1; echo "removed $i"; else echo "changed $i"; fi
  i=$((i + 1))
done
`;

/** Removes the tags' directories from storage; names are checked first, as they become paths. */
export async function untagInStorage(exec: Exec, root: string, tags: readonly TagToRemove[]): Promise<Omit<UntagResult, 'how'>> {
  for (const t of tags) {
    if (!isRepositoryName(t.repository) || !isTagName(t.tag) || !isDigest(t.digest)) {
      throw new ResourceError(
        `refusing to remove the tag ${JSON.stringify(`${t.repository}:${t.tag}`)} from storage: not a repository name, tag and digest`,
      );
    }
  }
  const result: Omit<UntagResult, 'how'> = { removed: [], changed: [] };
  for (let i = 0; i < tags.length; i += 300) {
    const batch = tags.slice(i, i + 300);
    const out = await exec([
      'sh',
      '-c',
      UNTAG_SCRIPT,
      'sh',
      root,
      ...batch.flatMap((t) => [storagePath.tag(t.repository, t.tag), t.digest]),
    ]);
    if (out.exitCode !== 0)
      throw new ResourceError(
        `removing tags from the registry storage failed (exit ${out.exitCode}): ${out.stderr.trim().split('\n').pop() ?? ''}`,
      );
    const lines = new Set(out.stdout.toString('utf8').split('\n'));
    batch.forEach((t, k) => (lines.has(`removed ${k}`) ? result.removed : result.changed).push(t));
  }
  return result;
}

/** One tag through the API, if it still points at its digest: undefined when the registry cannot delete tags. */
async function untagByApi(client: RegistryClient, t: TagToRemove, signal?: AbortSignal): Promise<'removed' | 'changed' | undefined> {
  if ((await resolveDigest(client, t.repository, t.tag, signal)) !== t.digest) return 'changed';
  try {
    return (await deleteTag(client, t.repository, t.tag, signal)) ? 'removed' : undefined;
  } catch (err) {
    if (err instanceof NotFoundError) return 'changed';
    throw err;
  }
}

/** Removes the tags: through the API where the registry can (3.x), else from storage. */
export async function untag(
  client: RegistryClient,
  storage: { exec: Exec; root: string },
  tags: readonly TagToRemove[],
  signal?: AbortSignal,
): Promise<UntagResult> {
  const result: UntagResult = { how: 'api', removed: [], changed: [] };
  // One at a time until the registry has deleted a tag (or shown it cannot), then the rest at once.
  let i = 0;
  let apiWorks = false;
  while (i < tags.length && !apiWorks) {
    signal?.throwIfAborted();
    const outcome = await untagByApi(client, tags[i]!, signal);
    if (outcome === undefined) break;
    result[outcome].push(tags[i]!);
    apiWorks = outcome === 'removed';
    i += 1;
  }
  let rest = tags.slice(i);
  if (apiWorks) {
    const outcomes = await Promise.all(rest.map((t) => untagByApi(client, t, signal)));
    outcomes.forEach((o, k) => (o === undefined ? undefined : result[o].push(rest[k]!)));
    rest = rest.filter((_, k) => outcomes[k] === undefined);
  }
  if (rest.length === 0) return result;
  signal?.throwIfAborted();
  const stored = await untagInStorage(storage.exec, storage.root, rest);
  return { how: 'storage', removed: [...result.removed, ...stored.removed], changed: [...result.changed, ...stored.changed] };
}
