// What reading and deleting images asks of a registry: requests and their answers. A
// RegistryClient is one (HTTP); a view of a mirror's storage is another
// (src/mirror/mirror-view.ts), so ls, lsi, inspect, rmi and rmr work on either.
import type { RegistryRequest, RegistryResponse } from './client.ts';

export interface RegistryApi {
  /** The registry as the user names it (messages). */
  readonly host: string;
  /** Where what was learned about this registry is kept (manifest-cache.ts); none: nothing is. */
  readonly cacheDir?: string | undefined;
  /** As RegistryClient.request: statuses outside 2xx that `accept` does not list throw. */
  request(req: RegistryRequest): Promise<RegistryResponse>;
  close(): Promise<void>;
}
