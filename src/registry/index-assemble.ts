// A multi-platform index assembled from images, pure: which entries it lists, of which
// family, serialised once. Each single-platform source becomes one entry (its own digest,
// size and media type, the platform its config declares); an index source brings its
// entries as they are written in it (attestations included). The family is kept: an OCI
// index of OCI manifests, a Docker manifest list of Docker schema 2 manifests; a mix, or
// two images of one platform, is refused.
import { isJsonObject, parseJson } from '../json-shape.ts';
import { ManifestError } from './errors.ts';
import { RefusedError } from '../errors.ts';
import { MEDIA, digestOf, platformText, type Platform } from './manifest.ts';

export type Family = 'oci' | 'docker';

/** One source as resolved: a single-platform image, or an index with its entries. */
export type IndexSource =
  | { name: string; kind: 'image'; mediaType: string; digest: string; size: number; platform: Platform }
  | { name: string; kind: 'index'; mediaType: string; digest: string; entries: Record<string, unknown>[] };

/** An entry of the index as it will be written, and where it came from. */
export interface IndexEntry {
  descriptor: Record<string, unknown>;
  /** The source's name, or the index's own for the entries an edited index had. */
  source: string;
  /** The entry was in the index being edited. */
  existing?: boolean;
}

export interface AssembledIndex {
  mediaType: string;
  bytes: Buffer;
  digest: string;
  entries: IndexEntry[];
}

export function familyOf(mediaType: string): Family | undefined {
  if (mediaType === MEDIA.ociManifest || mediaType === MEDIA.ociIndex) return 'oci';
  if (mediaType === MEDIA.dockerManifest || mediaType === MEDIA.dockerList) return 'docker';
  return undefined;
}

const FAMILY_NAME: Record<Family, string> = { oci: 'OCI', docker: 'Docker v2s2' };

/** The platform an entry declares, as text ("linux/arm64"); arm64's default variant v8 left out. */
export function entryPlatform(descriptor: Record<string, unknown>): string | undefined {
  const p = descriptor.platform as Record<string, unknown> | undefined;
  if (typeof p !== 'object' || p === null || typeof p.os !== 'string' || typeof p.architecture !== 'string') return undefined;
  const variant = typeof p.variant === 'string' && !(p.architecture === 'arm64' && p.variant === 'v8') ? p.variant : undefined;
  const version = typeof p['os.version'] === 'string' && p['os.version'] !== '' ? `:${p['os.version']}` : '';
  return platformText({ os: p.os, architecture: p.architecture, ...(variant ? { variant } : {}) }) + version;
}

/** Normalises a PLATFORM argument the same way ("linux/arm64/v8" is "linux/arm64"). */
export function normalisePlatform(text: string): string {
  const [os = '', architecture = '', variant] = text.split('/');
  return entryPlatform({ platform: { os, architecture, ...(variant ? { variant } : {}) } }) ?? text;
}

/** buildx's attestation manifests: they belong to the entry whose digest they name. */
function attestationOf(descriptor: Record<string, unknown>): string | undefined {
  const a = descriptor.annotations as Record<string, unknown> | undefined;
  return a?.['vnd.docker.reference.type'] === 'attestation-manifest' && typeof a['vnd.docker.reference.digest'] === 'string'
    ? a['vnd.docker.reference.digest']
    : undefined;
}

function imageDescriptor(s: Extract<IndexSource, { kind: 'image' }>): Record<string, unknown> {
  const platform: Record<string, string> = { architecture: s.platform.architecture, os: s.platform.os };
  if (s.platform.variant) platform.variant = s.platform.variant;
  if (s.platform['os.version']) platform['os.version'] = s.platform['os.version'];
  return { mediaType: s.mediaType, digest: s.digest, size: s.size, platform };
}

/**
 * The index listing `existing` entries (an index being edited) and then every source's.
 * `base` is the edited index's own JSON (its other fields are kept), or undefined for a new one.
 */
export function assembleIndex(
  sources: readonly IndexSource[],
  existing: readonly IndexEntry[] = [],
  base?: Record<string, unknown>,
): AssembledIndex {
  const families = new Map<Family, string[]>();
  const note = (family: Family | undefined, name: string): void => {
    if (family) families.set(family, [...new Set([...(families.get(family) ?? []), name])]);
  };
  if (base) note(familyOf(String(base.mediaType)), 'the index itself');
  for (const s of sources) note(familyOf(s.mediaType), s.name);
  if (families.size > 1) {
    const parts = [...families].map(([f, names]) => `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} ${FAMILY_NAME[f]}`);
    throw new RefusedError(
      `cannot mix OCI and Docker manifests in one index: ${parts.join('; ')} (copy them into one format first, e.g. skopeo copy --format oci)`,
    );
  }
  const family: Family = [...families.keys()][0] ?? 'oci';
  const entries: IndexEntry[] = [...existing];
  for (const s of sources) {
    if (s.kind === 'image') entries.push({ descriptor: imageDescriptor(s), source: s.name });
    else for (const d of s.entries) entries.push({ descriptor: d, source: s.name });
  }
  const byPlatform = new Map<string, IndexEntry>();
  const digests = new Set<string>();
  for (const e of entries) {
    if (attestationOf(e.descriptor) !== undefined) continue;
    const platform = entryPlatform(e.descriptor);
    if (platform === undefined) continue;
    const other = byPlatform.get(platform);
    if (other) {
      const hint = other.existing ? ` (remove it first with: docker jindr index rm ${other.source} ${platform})` : '';
      throw new RefusedError(
        `two images for ${platform}: ${other.existing ? `${other.source} already has one` : other.source} and ${e.source}${hint}`,
      );
    }
    byPlatform.set(platform, e);
    digests.add(String(e.descriptor.digest));
  }
  if (byPlatform.size === 0) throw new RefusedError('an index needs at least one image with a platform');
  // Attestations stay with their image, and go when it is not there.
  const kept = entries.filter((e) => {
    const subject = attestationOf(e.descriptor);
    return subject === undefined || digests.has(subject);
  });
  const mediaType = family === 'oci' ? MEDIA.ociIndex : MEDIA.dockerList;
  const document = { ...(base ?? {}), schemaVersion: 2, mediaType, manifests: kept.map((e) => e.descriptor) };
  const bytes = Buffer.from(JSON.stringify(document, null, 2) + '\n');
  return { mediaType, bytes, digest: digestOf(bytes), entries: kept };
}

/** The entries of an index's JSON, as written in it. */
export function indexEntries(bytes: Buffer): Record<string, unknown>[] {
  const doc = parseJson(bytes.toString('utf8'));
  if (!isJsonObject(doc) || !Array.isArray(doc.manifests)) throw new ManifestError('the index lists no manifests');
  return doc.manifests.filter(isJsonObject);
}

/** The entries left once the platforms named go; refuses a platform the index does not have. */
export function withoutPlatforms(entries: readonly IndexEntry[], platforms: readonly string[], target: string): IndexEntry[] {
  const present = entries
    .filter((e) => attestationOf(e.descriptor) === undefined)
    .map((e) => entryPlatform(e.descriptor))
    .filter((p): p is string => p !== undefined);
  const wanted = platforms.map(normalisePlatform);
  const unknown = wanted.filter((p) => !present.includes(p));
  if (unknown.length > 0) throw new RefusedError(`${target} has no ${unknown.join(', ')} (it has ${present.join(', ') || 'no platforms'})`);
  const going = new Set(wanted);
  const left = entries.filter((e) => attestationOf(e.descriptor) !== undefined || !going.has(entryPlatform(e.descriptor) ?? ''));
  if (!left.some((e) => attestationOf(e.descriptor) === undefined && entryPlatform(e.descriptor) !== undefined)) {
    throw new RefusedError(`removing ${wanted.join(', ')} would leave ${target} with no platform: delete it with docker jindr rmi instead`);
  }
  return left;
}
