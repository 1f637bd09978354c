// Listing a registry: GET /v2/_catalog and /v2/<name>/tags/list, following the Link
// header page by page to the end. Pages are n=1000: the largest distribution (since
// 2.8.2) and ECR accept; without n a registry answers 100 at a time.
import { NotFoundError, RegistryError } from '../errors.ts';
import { Fields, readJson, stringArray } from '../json-shape.ts';
import { CATALOG_SCOPE, header, pullScope } from './client.ts';
import type { RegistryApi } from './api.ts';

export const PAGE_SIZE = 1000;

/** The next page's URL from a Link header (`<url>; rel="next"`), resolved against the request URL. */
export function nextLink(link: string | undefined, requestUrl: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!match) continue;
    const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(match[2]!)?.[1];
    if (rel?.split(/\s+/).includes('next')) return new URL(match[1]!, requestUrl).href;
  }
  return undefined;
}

async function* pages(
  client: RegistryApi,
  first: string,
  scope: string,
  key: 'repositories' | 'tags',
  signal?: AbortSignal,
): AsyncGenerator<string[], void> {
  let path: string | undefined = first;
  const seen = new Set<string>();
  while (path !== undefined) {
    // A registry that links back to a page it already sent would loop forever.
    if (seen.has(path)) return;
    seen.add(path);
    const response = await client.request({ path, scopes: [scope], accept: [404], signal });
    if (response.status === 404) throw new NotFoundError(path);
    const where = new URL(response.url).pathname;
    // {"repositories": [...]} or {"name": ..., "tags": [...]}; a list that is absent or null is empty.
    yield readJson(
      response.body.toString('utf8'),
      (json) => new Fields(json).optional(key, stringArray) ?? [],
      (problem) =>
        new RegistryError(
          `${client.host} answered ${where} with a malformed body: ${problem} (check that the registry at ${client.host} is a Docker registry)`,
        ),
    );
    path = nextLink(header(response, 'link'), response.url);
  }
}

/** Every repository in the registry, in the registry's order. */
export async function listRepositories(client: RegistryApi, signal?: AbortSignal): Promise<string[]> {
  const all: string[] = [];
  try {
    for await (const page of pages(client, `/v2/_catalog?n=${PAGE_SIZE}`, CATALOG_SCOPE, 'repositories', signal)) all.push(...page);
  } catch (err) {
    // Docker Hub and some registries have no catalog: say so rather than print a bare path.
    if (err instanceof NotFoundError) {
      throw new RegistryError(`${client.host} does not list its repositories (no /v2/_catalog): name the repositories instead`, {
        status: 404,
      });
    }
    throw err;
  }
  return all;
}

/** Every tag of a repository; NotFoundError when the registry has no such repository. */
export async function listTags(client: RegistryApi, repository: string, signal?: AbortSignal): Promise<string[]> {
  const all: string[] = [];
  try {
    for await (const page of pages(client, `/v2/${repository}/tags/list?n=${PAGE_SIZE}`, pullScope(repository), 'tags', signal))
      all.push(...page);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    if (await catalogLists(client, repository, signal)) return [];
    throw new NotFoundError(`no repository ${client.host}/${repository}`);
  }
  return all;
}

/**
 * Whether the catalog lists the repository. Distribution answers the tag list of a repository
 * whose last tag went with NAME_UNKNOWN on S3 (a bucket keeps no empty tags folder) and with
 * no tags on a file system, while its catalog lists it on both: the catalog decides that it
 * exists, with no tags. Asked only after a 404; a registry without a catalog says no.
 */
async function catalogLists(client: RegistryApi, repository: string, signal?: AbortSignal): Promise<boolean> {
  try {
    return (await listRepositories(client, signal)).includes(repository);
  } catch (err) {
    if (signal?.aborted) throw err;
    return false;
  }
}
