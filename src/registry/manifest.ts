// Manifests: the four media types (Docker schema 2 manifest and manifest list, OCI
// manifest and index), plus what rides on them (OCI artifacts, buildx attestation
// manifests, referrers' `subject`). A manifest is kept as the bytes the registry sent:
// its digest is the sha256 of those bytes, never of a re-serialisation.
//
// The pure part (parseManifest, manifestChildren, manifestSubject, platformText,
// describeDescriptor) is what reachability (gc) reuses: an index reaches its
// manifests, a manifest reaches its config and layers, and a referrer reaches
// whatever its `subject` names.
import { createHash } from 'node:crypto';
import { NotFoundError } from '../errors.ts';
import { header, pullScope } from './client.ts';
import type { RegistryApi } from './api.ts';
import { ManifestError, RegistryApiError } from './errors.ts';
import { isDigest } from './reference.ts';

export const MEDIA = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

/** One Accept header asking for all four, so a registry never converts or guesses. */
export const MANIFEST_ACCEPT = [MEDIA.ociIndex, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.dockerManifest].join(', ');

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  artifactType?: string;
}

interface Common {
  mediaType: string;
  artifactType?: string;
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface IndexManifest extends Common {
  kind: 'index';
  manifests: Descriptor[];
}

export interface ImageManifest extends Common {
  kind: 'image';
  config: Descriptor;
  layers: Descriptor[];
}

export type ParsedManifest = IndexManifest | ImageManifest;

/** A manifest as fetched: the raw bytes, their digest, and what they say. */
export interface Manifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  parsed: ParsedManifest;
}

export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList;
}

export function digestOf(bytes: Buffer, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Parses manifest bytes; the Content-Type wins over the body's own mediaType when both exist. */
export function parseManifest(bytes: Buffer, contentType?: string): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ManifestError('the registry sent a manifest that is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ManifestError('the registry sent a manifest that is not a JSON object');
  const body = json as Record<string, unknown>;
  if (body.schemaVersion === 1) throw new ManifestError('Docker schema 1 manifests are not supported (re-push the image with a current Docker)');
  const declared = typeof body.mediaType === 'string' ? body.mediaType : undefined;
  const type = contentType && contentType !== 'application/json' && contentType !== 'application/octet-stream' ? contentType.split(';')[0]!.trim() : declared;
  const common: Common = { mediaType: type ?? (Array.isArray(body.manifests) ? MEDIA.ociIndex : MEDIA.ociManifest) };
  if (typeof body.artifactType === 'string') common.artifactType = body.artifactType;
  if (body.subject !== undefined) common.subject = descriptor(body.subject, 'subject');
  if (isStringMap(body.annotations)) common.annotations = body.annotations;
  if (Array.isArray(body.manifests) && (type === undefined || isIndexMediaType(type) || !('config' in body))) {
    return { kind: 'index', ...common, manifests: body.manifests.map((d, i) => descriptor(d, `manifests[${i}]`)) };
  }
  if (body.config !== undefined) {
    const layers = Array.isArray(body.layers) ? body.layers.map((d, i) => descriptor(d, `layers[${i}]`)) : [];
    return { kind: 'image', ...common, config: descriptor(body.config, 'config'), layers };
  }
  throw new ManifestError(`the registry sent a manifest of unknown shape (media type ${type ?? 'not given'})`);
}

function isStringMap(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

function descriptor(value: unknown, where: string): Descriptor {
  const d = value as Record<string, unknown> | null;
  if (typeof d !== 'object' || d === null || typeof d.digest !== 'string' || !isDigest(d.digest) || typeof d.size !== 'number') {
    throw new ManifestError(`the registry sent a manifest with a malformed descriptor (${where})`);
  }
  const out: Descriptor = { mediaType: typeof d.mediaType === 'string' ? d.mediaType : '', digest: d.digest, size: d.size };
  const p = d.platform as Record<string, unknown> | undefined;
  if (typeof p === 'object' && p !== null && typeof p.os === 'string' && typeof p.architecture === 'string') {
    out.platform = { os: p.os, architecture: p.architecture };
    if (typeof p.variant === 'string' && p.variant !== '') out.platform.variant = p.variant;
    if (typeof p['os.version'] === 'string') out.platform['os.version'] = p['os.version'];
  }
  if (isStringMap(d.annotations)) out.annotations = d.annotations;
  if (typeof d.artifactType === 'string') out.artifactType = d.artifactType;
  return out;
}

/** What a manifest points at: an index's manifests; a manifest's config and layers. */
export function manifestChildren(parsed: ParsedManifest): Descriptor[] {
  return parsed.kind === 'index' ? parsed.manifests : [parsed.config, ...parsed.layers];
}

/** The manifest a referrer (signature, SBOM, attestation) is about, if it is one. */
export function manifestSubject(parsed: ParsedManifest): Descriptor | undefined {
  return parsed.subject;
}

/** "linux/arm64", "linux/arm/v7", "unknown/unknown" as the manifest says it; "unknown" when absent. */
export function platformText(platform: Platform | undefined): string {
  if (!platform) return 'unknown';
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

export type EntryKind = 'image' | 'attestation' | 'artifact';

const ATTESTATION_TYPE = 'vnd.docker.reference.type';
const ATTESTATION_SUBJECT = 'vnd.docker.reference.digest';
/** OCI's empty config marks an artifact manifest without its own artifactType. */
const EMPTY_CONFIG = 'application/vnd.oci.empty.v1+json';

/** Whether an index entry is a runnable image, a buildx attestation or another artifact. */
export function entryKind(d: Descriptor): EntryKind {
  if (d.annotations?.[ATTESTATION_TYPE] === 'attestation-manifest') return 'attestation';
  if (d.artifactType !== undefined) return 'artifact';
  return 'image';
}

/** The same question for a manifest itself (a tag may point straight at an artifact). */
export function manifestKind(parsed: ParsedManifest): EntryKind {
  if (parsed.kind === 'image' && (parsed.artifactType !== undefined || parsed.config.mediaType === EMPTY_CONFIG)) return 'artifact';
  return 'image';
}

/** The PLATFORM cell of an index entry: its platform, or what it is when it is not an image. */
export function describeEntry(d: Descriptor, siblings: readonly Descriptor[] = []): string {
  const kind = entryKind(d);
  if (kind === 'attestation') {
    const subject = siblings.find((s) => s.digest === d.annotations?.[ATTESTATION_SUBJECT]);
    return subject ? `attestation for ${platformText(subject.platform)}` : 'attestation';
  }
  if (kind === 'artifact') return `artifact ${d.artifactType}`;
  return platformText(d.platform);
}

/** Config plus layers: what pulling this one platform downloads (compressed sizes). */
export function imageSize(parsed: ImageManifest): number {
  return parsed.config.size + parsed.layers.reduce((sum, l) => sum + l.size, 0);
}

// ---- requests ------------------------------------------------------------------

function referencePath(repository: string, reference: string): string {
  return `/v2/${repository}/manifests/${reference}`;
}

function notFound(client: RegistryApi, repository: string, reference: string, err: RegistryApiError): NotFoundError {
  const name = `${client.host}/${repository}${isDigest(reference) ? '@' : ':'}${reference}`;
  if (err.codes.includes('NAME_UNKNOWN')) return new NotFoundError(`no repository ${client.host}/${repository}`);
  return new NotFoundError(`no image ${name}`);
}

/**
 * GETs a manifest by tag or digest, asking for all four types. The digest is checked:
 * against the reference when it is one, else against Docker-Content-Digest.
 * Throws NotFoundError when the registry has no such repository or manifest.
 */
export async function fetchManifest(client: RegistryApi, repository: string, reference: string, signal?: AbortSignal): Promise<Manifest> {
  const response = await client.request({
    path: referencePath(repository, reference),
    scopes: [pullScope(repository)],
    headers: { accept: MANIFEST_ACCEPT },
    accept: [404],
    signal,
  });
  if (response.status === 404) throw notFound(client, repository, reference, new RegistryApiError('', { status: 404, codes: errorCodes(response.body) }));
  const bytes = response.body;
  const expected = isDigest(reference) ? reference : header(response, 'docker-content-digest');
  const algorithm = expected?.split(':')[0] === 'sha512' ? 'sha512' : 'sha256';
  const digest = digestOf(bytes, algorithm);
  if (expected !== undefined && expected !== digest) {
    throw new ManifestError(
      `${client.host}/${repository}@${expected}: the registry sent a manifest whose digest is ${digest} (corrupt storage or a proxy rewriting it)`,
    );
  }
  const contentType = header(response, 'content-type');
  let parsed: ParsedManifest;
  try {
    parsed = parseManifest(bytes, contentType);
  } catch (err) {
    // Name the image and the registry: "a manifest that is not JSON" alone says neither.
    if (!(err instanceof ManifestError)) throw err;
    const name = `${client.host}/${repository}${isDigest(reference) ? '@' : ':'}${reference}`;
    const hint = /schema 1/.test(err.message) ? '' : ` (check that the registry at ${client.host} is a Docker registry)`;
    throw new ManifestError(`${name}: ${err.message}${hint}`, { cause: err });
  }
  return { digest, mediaType: parsed.mediaType, bytes, parsed };
}

/** HEAD: the digest a tag points at, or undefined when there is no such manifest. */
export async function resolveDigest(client: RegistryApi, repository: string, reference: string, signal?: AbortSignal): Promise<string | undefined> {
  const response = await client.request({
    method: 'HEAD',
    path: referencePath(repository, reference),
    scopes: [pullScope(repository)],
    headers: { accept: MANIFEST_ACCEPT },
    accept: [404],
    signal,
  });
  if (response.status === 404) return undefined;
  const digest = header(response, 'docker-content-digest');
  if (digest !== undefined && isDigest(digest)) return digest;
  return (await fetchManifest(client, repository, reference, signal)).digest;
}

function errorCodes(body: Buffer): string[] {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: unknown }> };
    return (parsed.errors ?? []).map((e) => e.code).filter((c): c is string => typeof c === 'string');
  } catch {
    return [];
  }
}
