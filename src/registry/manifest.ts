// Manifests: the four media types (Docker schema 2 manifest and manifest list, OCI
// manifest and index), plus what rides on them (OCI artifacts, buildx attestation
// manifests, referrers' `subject`). A manifest is kept as the bytes the registry sent:
// its digest is the sha256 of those bytes, never of a re-serialisation.
//
// The pure part (parseManifest, manifestChildren, manifestSubject, platformText,
// describeDescriptor) is what reachability (gc) reuses: an index reaches its
// manifests, a manifest reaches its config and layers, and a referrer reaches
// whatever its `subject` names.
import { NotFoundError } from '../errors.ts';
import { header, MANIFEST_LIMIT, pullScope } from './client.ts';
import type { RegistryApi } from './api.ts';
import { ManifestError, RegistryApiError, describeErrorBody } from './errors.ts';
import { isDigest } from './reference.ts';
import { sha256Hex } from './sha256.ts';
import * as shape from '../json-shape.ts';

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

/** Bytes a command hashes in plain JavaScript before it loads node:crypto (sha256.ts). */
let plainBudget = 64 * 1024;

/**
 * (node:crypto on demand: listing repositories hashes nothing, and loading it is start-up
 * time; a warm copy's two or three small manifests are hashed without it.)
 */
export function digestOf(bytes: Buffer, algorithm = 'sha256'): string {
  if (algorithm === 'sha256' && bytes.length <= plainBudget) {
    plainBudget -= bytes.length;
    return `sha256:${sha256Hex(bytes)}`;
  }
  plainBudget = 0; // node:crypto is loaded now: it is the faster one from here on
  // The one-shot hash: no Hash object per call (a listing hashes thousands of small manifests).
  return `${algorithm}:${process.getBuiltinModule('node:crypto').hash(algorithm, bytes, 'hex')}`;
}

/** Parses manifest bytes; the Content-Type wins over the body's own mediaType when both exist. */
export function parseManifest(bytes: Buffer, contentType?: string): ParsedManifest {
  return shape.readJson(
    bytes.toString('utf8'),
    (json) => readManifest(json, contentType),
    (problem) => new ManifestError(`the registry sent a malformed manifest: ${problem}`),
  );
}

function readManifest(json: unknown, contentType: string | undefined): ParsedManifest {
  const body = new shape.Fields(json);
  if (body.raw.schemaVersion === 1)
    throw new ManifestError('Docker schema 1 manifests are not supported (re-push the image with a current Docker)');
  const declared = body.optional('mediaType', shape.string);
  const type =
    contentType && contentType !== 'application/json' && contentType !== 'application/octet-stream'
      ? contentType.split(';')[0]!.trim()
      : declared;
  const manifests = body.optional('manifests', shape.arrayOf(descriptor));
  const common: Common = { mediaType: type ?? (manifests ? MEDIA.ociIndex : MEDIA.ociManifest) };
  const artifactType = body.optional('artifactType', shape.string);
  if (artifactType !== undefined) common.artifactType = artifactType;
  const subject = body.optional('subject', descriptor);
  if (subject !== undefined) common.subject = subject;
  const annotations = body.optional('annotations', shape.stringMap);
  if (annotations !== undefined) common.annotations = annotations;
  if (manifests && (type === undefined || isIndexMediaType(type) || !('config' in body.raw))) {
    return { kind: 'index', ...common, manifests };
  }
  const config = body.optional('config', descriptor);
  if (config !== undefined) {
    return { kind: 'image', ...common, config, layers: body.optional('layers', shape.arrayOf(descriptor)) ?? [] };
  }
  throw new ManifestError(`the registry sent a manifest of unknown shape (media type ${type ?? 'not given'})`);
}

const digest: shape.Read<string> = (value, path) => {
  if (!isDigest(shape.string(value, path))) throw new shape.ShapeError(path, 'not a digest (algorithm:hex)');
  return value as string;
};

/** A descriptor: digest and size must be right; mediaType, platform, annotations and artifactType may be absent. */
function descriptor(value: unknown, where: string): Descriptor {
  const d = new shape.Fields(value, where);
  const out: Descriptor = {
    mediaType: d.optional('mediaType', shape.string) ?? '',
    digest: d.get('digest', digest),
    size: d.get('size', shape.size),
  };
  const p = d.fields('platform');
  const os = p?.optional('os', shape.string);
  const architecture = p?.optional('architecture', shape.string);
  if (p && os !== undefined && architecture !== undefined) {
    out.platform = { os, architecture };
    const variant = p.optional('variant', shape.string);
    if (variant !== undefined && variant !== '') out.platform.variant = variant;
    const osVersion = p.optional('os.version', shape.string);
    if (osVersion !== undefined) out.platform['os.version'] = osVersion;
  }
  const annotations = d.optional('annotations', shape.stringMap);
  if (annotations !== undefined) out.annotations = annotations;
  const artifactType = d.optional('artifactType', shape.string);
  if (artifactType !== undefined) out.artifactType = artifactType;
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
    limit: MANIFEST_LIMIT,
    signal,
  });
  if (response.status === 404)
    throw notFound(
      client,
      repository,
      reference,
      new RegistryApiError('', { status: 404, codes: describeErrorBody(404, header(response, 'content-type'), response.body).codes }),
    );
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
export async function resolveDigest(
  client: RegistryApi,
  repository: string,
  reference: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
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
