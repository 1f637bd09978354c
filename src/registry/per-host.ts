// One client per registry host: how the commands that take references on several
// registries (lsi, rmi, rmr, inspect) reach them. How a client is made (Docker's logins,
// certs.d, timeouts, Ctrl-C) is the opener's business: src/docker/registry-clients.ts.
import type { RegistryApi } from './api.ts';
import type { RegistryClient, RegistryClientOptions } from './client.ts';

/** What a caller may ask of one client on top of the opener's defaults. */
export type ClientOptions = Pick<
  RegistryClientOptions,
  'insecure' | 'concurrency' | 'connections' | 'timeoutMs' | 'connectTimeoutMs' | 'minRate' | 'retries' | 'credentials'
>;

/** Opens a client for a registry host (HOST[:PORT]); the caller closes it. */
export type OpenClient = (host: string, options?: ClientOptions) => RegistryClient;

/**
 * Opens what reading and deleting need of a registry host: its HTTP client, or for a mirror
 * docker-jindr runs, a view of its storage (src/cli/registry-reader.ts chooses).
 */
export type OpenReader = (host: string) => RegistryApi;

/** Items grouped by their registry host, hosts in the order they first appear. */
export function groupByHost<T extends { registry: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(item.registry, [...(groups.get(item.registry) ?? []), item]);
  return groups;
}

/**
 * For each registry host among items, one host after another: opens a client, hands it that
 * host's items, and closes it (even when fn fails). What fn returns for each host is joined,
 * hosts in the order they first appear.
 */
export async function forEachHost<T extends { registry: string }, R, C extends RegistryApi = RegistryApi>(
  open: (host: string) => C,
  items: readonly T[],
  fn: (client: C, items: T[], host: string) => Promise<readonly R[]>,
): Promise<R[]> {
  const results: R[] = [];
  for (const [host, group] of groupByHost(items)) {
    const client = open(host);
    try {
      results.push(...(await fn(client, group, host)));
    } finally {
      await client.close();
    }
  }
  return results;
}
