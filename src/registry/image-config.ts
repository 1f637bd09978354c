// An image's config blob, read for the one thing a manifest does not say: its
// platform (a single-platform tag has no index entry to carry one).
import { ManifestError } from './errors.ts';
import { pullScope } from './client.ts';
import type { RegistryApi } from './api.ts';
import { digestOf, type Descriptor, type Platform } from './manifest.ts';

/** Configs bigger than this are not images' configs; refuse rather than buffer them. */
const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

/** The platform an image config declares, or undefined when it declares none (artifacts). */
export async function fetchConfigPlatform(client: RegistryApi, repository: string, config: Descriptor, signal?: AbortSignal): Promise<Platform | undefined> {
  if (config.size > MAX_CONFIG_BYTES) return undefined;
  // ManifestErrors: the image cannot be read, which lsi reports on its row and goes on.
  const response = await client.request({ path: `/v2/${repository}/blobs/${config.digest}`, scopes: [pullScope(repository)], accept: [404], signal });
  if (response.status === 404) throw new ManifestError(`${client.host}/${repository}: config blob ${config.digest} is missing from the registry`);
  const algorithm = config.digest.startsWith('sha512:') ? 'sha512' : 'sha256';
  if (digestOf(response.body, algorithm) !== config.digest) {
    throw new ManifestError(`${client.host}/${repository}: config blob ${config.digest} does not match its digest (corrupt storage?)`);
  }
  return platformOfConfig(response.body);
}

export function platformOfConfig(bytes: Buffer): Platform | undefined {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  const c = json as Record<string, unknown> | null;
  if (typeof c !== 'object' || c === null || typeof c.os !== 'string' || typeof c.architecture !== 'string') return undefined;
  const platform: Platform = { os: c.os, architecture: c.architecture };
  if (typeof c.variant === 'string' && c.variant !== '') platform.variant = c.variant;
  return platform;
}
