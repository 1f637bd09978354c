// An image's config blob, read for what a manifest does not say: its platform (a
// single-platform tag has no index entry to carry one) and when it was created.
import { isJsonObject, isNonEmptyString, isString, parseJson } from '../json-shape.ts';
import { ManifestError } from './errors.ts';
import { CONFIG_LIMIT, pullScope } from './client.ts';
import type { RegistryApi } from './api.ts';
import { digestOf, type Descriptor, type Platform } from './manifest.ts';

/** Configs bigger than this are not images' configs; refuse rather than buffer them. */
const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

/** What lsi and index need from an image's config. */
export interface ImageConfigFacts {
  /** Undefined when the config declares none (artifacts). */
  platform: Platform | undefined;
  /** The config's `created`, as RFC 3339 in UTC; undefined when absent or not a date. */
  created: string | undefined;
}

/** The platform an image config declares, or undefined when it declares none (artifacts). */
export async function fetchConfigPlatform(
  client: RegistryApi,
  repository: string,
  config: Descriptor,
  signal?: AbortSignal,
): Promise<Platform | undefined> {
  return (await fetchImageConfig(client, repository, config, signal)).platform;
}

/** The config's platform and creation time (nothing for a config too big to be an image's). */
export async function fetchImageConfig(
  client: RegistryApi,
  repository: string,
  config: Descriptor,
  signal?: AbortSignal,
): Promise<ImageConfigFacts> {
  if (config.size > MAX_CONFIG_BYTES) return { platform: undefined, created: undefined };
  // ManifestErrors: the image cannot be read, which lsi reports on its row and goes on.
  const response = await client.request({
    path: `/v2/${repository}/blobs/${config.digest}`,
    scopes: [pullScope(repository)],
    accept: [404],
    limit: CONFIG_LIMIT,
    signal,
  });
  if (response.status === 404)
    throw new ManifestError(`${client.host}/${repository}: config blob ${config.digest} is missing from the registry`);
  const algorithm = config.digest.startsWith('sha512:') ? 'sha512' : 'sha256';
  if (digestOf(response.body, algorithm) !== config.digest) {
    throw new ManifestError(`${client.host}/${repository}: config blob ${config.digest} does not match its digest (corrupt storage?)`);
  }
  // Parsed once for both (lsi reads thousands of configs).
  const json = parseConfig(response.body);
  return { platform: platformOf(json), created: createdOf(json) };
}

const GO_ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

/** The config's `created` (RFC 3339), normalised to UTC with milliseconds; undefined when absent. */
export function createdOfConfig(bytes: Buffer): string | undefined {
  return createdOf(parseConfig(bytes));
}

/** A config's JSON; undefined when it is not JSON. */
function parseConfig(bytes: Buffer): unknown {
  try {
    return parseJson(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

function createdOf(json: unknown): string | undefined {
  const created = isJsonObject(json) ? json.created : undefined;
  if (!isString(created) || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(created)) return undefined;
  const ms = Date.parse(created);
  // Go's zero time (0001-01-01) is what a builder writes when it knows no date.
  return Number.isNaN(ms) || ms <= GO_ZERO_TIME ? undefined : new Date(ms).toISOString();
}

/**
 * The platform of an image config: its os and architecture (and variant). Not every
 * config is an image's (an artifact's may be anything): one that is not JSON, or has
 * no os and architecture strings, declares no platform.
 */
export function platformOfConfig(bytes: Buffer): Platform | undefined {
  return platformOf(parseConfig(bytes));
}

function platformOf(c: unknown): Platform | undefined {
  if (!isJsonObject(c) || !isString(c.os) || !isString(c.architecture)) return undefined;
  const platform: Platform = { os: c.os, architecture: c.architecture };
  if (isNonEmptyString(c.variant)) platform.variant = c.variant;
  return platform;
}
