// What ls and lsi list: the repositories of a registry, and the tags of repositories
// named on any registry (every repository of the default one when none is named).
import { listRepositories } from './catalog.ts';
import { compareTags, forEachTagList, listImages, type TagSummary } from './images.ts';
import { forEachHost, type OpenReader } from './per-host.ts';
import type { RepositoryName } from './reference.ts';

/** ls: the registry's repositories, every page of its catalog, in a human order (app2 before app10). */
export async function repositoriesOf(open: OpenReader, registry: string, signal?: AbortSignal): Promise<RepositoryName[]> {
  return forEachHost(open, [{ registry }], async (client) =>
    (await listRepositories(client, signal)).sort(compareTags).map((repository) => ({ registry, repository })),
  );
}

export type ImageRow = TagSummary & { registry: string };

/** lsi -q: HOST/REPOSITORY:TAG of every tag of the named repositories (of defaultRegistry's when none), from the tag lists alone. */
export async function tagNamesOf(
  open: OpenReader,
  names: readonly RepositoryName[],
  defaultRegistry: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const wanted: ReadonlyArray<{ registry: string; repository?: string }> = names.length > 0 ? names : [{ registry: defaultRegistry }];
  return forEachHost(open, wanted, async (client, group, host) => {
    const repositories = group.flatMap((n) => (n.repository === undefined ? [] : [n.repository]));
    const named = repositories.length > 0 ? [...new Set(repositories)] : undefined;
    return (await forEachTagList(client, named, signal, (repository, tags) => tags.map((tag) => `${host}/${repository}:${tag}`))).flat();
  });
}

/**
 * lsi: the tags of the named repositories, host by host; of every repository of
 * defaultRegistry when none is named, and the untagged referrers the OCI referrers API
 * names (referrer-rows.ts: tag ''). onTags(host) runs when a host's first tag is seen.
 */
export async function imagesOf(
  open: OpenReader,
  names: readonly RepositoryName[],
  defaultRegistry: string,
  signal?: AbortSignal,
  onTags?: (host: string) => void,
): Promise<ImageRow[]> {
  const wanted: ReadonlyArray<{ registry: string; repository?: string }> = names.length > 0 ? names : [{ registry: defaultRegistry }];
  return forEachHost(open, wanted, async (client, group, host) => {
    const repositories = group.flatMap((n) => (n.repository === undefined ? [] : [n.repository]));
    const found = await listImages(client, repositories.length > 0 ? [...new Set(repositories)] : undefined, signal, {
      referrers: true,
      ...(onTags ? { onTags: () => onTags(host) } : {}),
    });
    return found.map((r) => ({ registry: host, ...r }));
  });
}
