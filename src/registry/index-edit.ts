// `index create|add|rm`: a multi-platform index made from tags or digests of one registry.
// Sources are read first (each image's platform from its config); nothing is written
// until the index is known to be valid. Then the children that live in other
// repositories are copied into the target repository by digest (blobs mounted across
// repositories, manifests PUT as their own bytes), and the index, serialised once, is
// PUT last with its own Content-Type: children before the index, the tag last.
import { isJsonObject, parseJson } from '../json-shape.ts';
import { NotFoundError, RefusedError, UsageError } from '../errors.ts';
import { header, pushScope, type RegistryClient } from './client.ts';
import { copyImages } from './copy.ts';
import { DigestMismatchError } from './blobs.ts';
import { fetchImageConfig } from './image-config.ts';
import {
  assembleIndex,
  entryPlatform,
  indexEntries,
  withoutPlatforms,
  type AssembledIndex,
  type IndexEntry,
  type IndexSource,
} from './index-assemble.ts';
import { fetchManifest, isIndexMediaType, manifestKind, type Manifest } from './manifest.ts';
import { formatReference, type ImageReference } from './reference.ts';

export interface IndexResult {
  /** HOST/REPO:TAG written. */
  reference: string;
  digest: string;
  mediaType: string;
  /** source: where an entry came from; existing: it was in the index before. */
  entries: { platform: string; digest: string; mediaType: string; source: string; existing: boolean }[];
  /** index create --force: the digest the tag pointed at before, when it was another one. */
  replaced?: string;
}

const refText = (r: ImageReference): string => formatReference(r);

/** The target with its tag (latest when none is named); a digest is refused: an index is written under a tag. */
function checkTarget(target: ImageReference, sources: readonly ImageReference[]): ImageReference & { tag: string } {
  if (target.digest !== undefined) throw new UsageError(`the index needs a tag to be written to, not a digest (got ${refText(target)})`);
  const elsewhere = sources.filter((s) => s.registry !== target.registry);
  if (elsewhere.length > 0) {
    throw new UsageError(
      `sources must be in ${target.registry}, as the index is: ${elsewhere.map(refText).join(', ')} (copy them there first with docker jindr cp)`,
    );
  }
  return { ...target, tag: target.tag ?? 'latest' };
}

/** A source read: its manifest, and for an image the platform its config declares. */
async function readSource(
  client: RegistryClient,
  ref: ImageReference,
  signal?: AbortSignal,
): Promise<{ ref: ImageReference; manifest: Manifest; source: IndexSource }> {
  const name = refText(ref);
  const manifest = await fetchManifest(client, ref.repository, ref.digest ?? ref.tag ?? 'latest', signal);
  const { parsed } = manifest;
  if (parsed.kind === 'index')
    return {
      ref,
      manifest,
      source: { name, kind: 'index', mediaType: manifest.mediaType, digest: manifest.digest, entries: indexEntries(manifest.bytes) },
    };
  if (manifestKind(parsed) === 'artifact') throw new RefusedError(`${name} is an artifact, not an image: an index lists images`);
  const { platform } = await fetchImageConfig(client, ref.repository, parsed.config, signal);
  if (!platform) throw new RefusedError(`${name}: its config declares no platform (os and architecture)`);
  return {
    ref,
    manifest,
    source: { name, kind: 'image', mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.bytes.length, platform },
  };
}

/** Copies into the target repository every child that lives in another repository. */
async function bringChildren(
  client: RegistryClient,
  target: ImageReference,
  read: Awaited<ReturnType<typeof readSource>>[],
  signal?: AbortSignal,
): Promise<void> {
  const byRepository = new Map<string, Set<string>>();
  for (const { ref, source } of read) {
    if (ref.repository === target.repository) continue;
    const digests = source.kind === 'image' ? [source.digest] : source.entries.map((e) => String(e.digest));
    byRepository.set(ref.repository, new Set([...(byRepository.get(ref.repository) ?? []), ...digests]));
  }
  for (const [repository, digests] of byRepository) {
    const items = [...digests].map((digest) => ({ source: digest, tag: undefined }));
    await copyImages({ client, repository }, { client, repository: target.repository }, items, signal ? { signal } : {});
  }
}

async function putIndex(client: RegistryClient, target: ImageReference, index: AssembledIndex, signal?: AbortSignal): Promise<void> {
  const response = await client.request({
    method: 'PUT',
    path: `/v2/${target.repository}/manifests/${target.tag}`,
    scopes: [pushScope(target.repository)],
    headers: { 'content-type': index.mediaType },
    body: index.bytes,
    signal,
  });
  const stored = header(response, 'docker-content-digest');
  if (stored && stored !== index.digest)
    throw new DigestMismatchError(`${client.host} stored the index ${index.digest} as ${stored}: it rewrote it`);
}

function result(target: ImageReference, index: AssembledIndex): IndexResult {
  return {
    reference: refText(target),
    digest: index.digest,
    mediaType: index.mediaType,
    entries: index.entries.map((e) => {
      const d = e.descriptor as { digest: string; mediaType?: string; annotations?: Record<string, string> };
      const attestation = d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest';
      const platform = attestation ? 'attestation' : (entryPlatform(e.descriptor) ?? 'unknown');
      return { platform, digest: d.digest, mediaType: d.mediaType ?? '', source: e.source, existing: e.existing === true };
    }),
  };
}

/** The target as an index being edited: its entries and JSON; refused when it is not an index. */
async function readTarget(
  client: RegistryClient,
  target: ImageReference & { tag: string },
  signal?: AbortSignal,
): Promise<{ entries: IndexEntry[]; base: Record<string, unknown> }> {
  let manifest: Manifest;
  try {
    manifest = await fetchManifest(client, target.repository, target.tag, signal);
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new NotFoundError(`no index ${refText(target)} (make one with: docker jindr index create ${refText(target)} SOURCE...)`);
    throw err;
  }
  if (!isIndexMediaType(manifest.mediaType))
    throw new RefusedError(`${refText(target)} is a single-platform image, not an index (make one with: docker jindr index create)`);
  const parsed = parseJson(manifest.bytes.toString('utf8'));
  const base = isJsonObject(parsed) ? parsed : {};
  return { entries: indexEntries(manifest.bytes).map((descriptor) => ({ descriptor, source: refText(target), existing: true })), base };
}

/**
 * What index create would replace: the digest the target tag names now, when it names
 * another manifest than the new index. Refused unless force: the platforms the tag had
 * and create leaves out would be untagged, garbage for the next gc.
 */
async function replacedBy(
  client: RegistryClient,
  target: ImageReference & { tag: string },
  index: AssembledIndex,
  force: boolean,
  signal?: AbortSignal,
): Promise<string | undefined> {
  let manifest: Manifest;
  try {
    manifest = await fetchManifest(client, target.repository, target.tag, signal);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
  if (manifest.digest === index.digest || force) return manifest.digest === index.digest ? undefined : manifest.digest;
  const what =
    manifest.parsed.kind === 'index'
      ? `an index of ${
          indexEntries(manifest.bytes)
            .map(entryPlatform)
            .filter((p) => p !== undefined)
            .join(', ') || 'no platforms'
        }`
      : 'an image';
  throw new RefusedError(
    `${refText(target)} already exists (${what}, ${manifest.digest}): add platforms to it with docker jindr index add ${refText(target)} SOURCE..., or replace it with --force`,
  );
}

/** index create / index add: sources read, checked, children brought over, the index PUT. */
export async function writeIndex(
  client: RegistryClient,
  targetRef: ImageReference,
  sources: readonly ImageReference[],
  mode: 'create' | 'add',
  options: { force?: boolean; signal?: AbortSignal } = {},
): Promise<IndexResult> {
  const { signal } = options;
  const target = checkTarget(targetRef, sources);
  const edited = mode === 'add' ? await readTarget(client, target, signal) : undefined;
  const read = await Promise.all(sources.map((s) => readSource(client, s, signal)));
  const index = assembleIndex(
    read.map((r) => r.source),
    edited?.entries,
    edited?.base,
  );
  const replaced = mode === 'create' ? await replacedBy(client, target, index, options.force === true, signal) : undefined;
  await bringChildren(client, target, read, signal);
  await putIndex(client, target, index, signal);
  return { ...result(target, index), ...(replaced ? { replaced } : {}) };
}

/** index rm: the named platforms (and their attestations) leave the index. */
export async function removeFromIndex(
  client: RegistryClient,
  targetRef: ImageReference,
  platforms: readonly string[],
  signal?: AbortSignal,
): Promise<IndexResult> {
  const target = checkTarget(targetRef, []);
  const edited = await readTarget(client, target, signal);
  const index = assembleIndex([], withoutPlatforms(edited.entries, platforms, refText(target)), edited.base);
  await putIndex(client, target, index, signal);
  return result(target, index);
}
