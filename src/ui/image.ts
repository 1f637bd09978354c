// The image view's data: the image (a tag or digest) with each platform's config and
// layers, which other images share each layer, the tags on its digest, and its referrers.
import type { RegistryClient } from '../registry/client.ts';
import { listTags } from '../registry/catalog.ts';
import { ImageReader, type PlatformEntry } from '../registry/images.ts';
import { platformText } from '../registry/manifest.ts';
import { isDigest } from '../registry/reference.ts';
import type { ImageAnswer, PlatformView, ReferrerNode } from './api-types.ts';
import type { ConfigCache } from './config.ts';
import { referrerTree } from '../registry/referrers.ts';
import { layerSharers, type Snapshot } from './snapshot.ts';

const ATTESTATION_SUBJECT = 'vnd.docker.reference.digest';

export interface ImageSources {
  client: RegistryClient;
  configs: ConfigCache;
  snapshot(): Promise<Snapshot>;
  signal?: AbortSignal;
}

async function platformView(
  src: ImageSources,
  reader: ImageReader,
  repository: string,
  self: { repository: string; digest: string },
  e: PlatformEntry,
  snapshot: Snapshot,
): Promise<PlatformView> {
  const view: PlatformView = { platform: e.platform, kind: e.kind, digest: e.digest, mediaType: e.mediaType, layers: [] };
  if (e.size !== undefined) view.size = e.size;
  if (e.error !== undefined) view.error = e.error;
  if (e.error !== undefined || e.kind === 'index') return view;
  const m = await reader.manifest(repository, e.digest);
  if (m.parsed.kind !== 'image') return view;
  if (e.kind === 'image') {
    const config = await src.configs.get(repository, m.parsed.config, src.signal);
    if (config) view.config = config;
  }
  view.layers = m.parsed.layers.map((l) => ({
    digest: l.digest,
    mediaType: l.mediaType,
    size: l.size,
    sharedWith: layerSharers(snapshot, l.digest, self),
  }));
  return view;
}

/** buildx's attestations ride in the index itself, each naming the platform manifest it is about. */
async function indexAttestations(reader: ImageReader, repository: string, digest: string): Promise<ReferrerNode[]> {
  const top = await reader.manifest(repository, digest);
  if (top.parsed.kind !== 'index') return [];
  const entries = top.parsed.manifests;
  return entries
    .filter((d) => d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest')
    .map((d) => {
      const subject = entries.find((s) => s.digest === d.annotations?.[ATTESTATION_SUBJECT]);
      const n: ReferrerNode = { digest: d.digest, mediaType: d.mediaType, kind: 'attestation', size: d.size, via: 'index', children: [] };
      if (subject) n.about = platformText(subject.platform);
      if (d.annotations) n.annotations = d.annotations;
      return n;
    });
}

export async function imageView(src: ImageSources, repository: string, reference: string): Promise<ImageAnswer> {
  const reader = new ImageReader(src.client, src.signal);
  const tag = isDigest(reference) ? '' : reference;
  const [summary, snapshot, repositoryTags] = await Promise.all([
    reader.describe(repository, reference, tag),
    src.snapshot(),
    listTags(src.client, repository, src.signal),
  ]);
  const self = { repository, digest: summary.digest };
  const [platforms, attestations, referrers] = await Promise.all([
    Promise.all(summary.entries.map((e) => platformView(src, reader, repository, self, e, snapshot))),
    indexAttestations(reader, repository, summary.digest),
    referrerTree(src.client, repository, summary.digest, repositoryTags, src.signal),
  ]);
  const tags = snapshot.tags.filter((t) => t.repository === repository && t.digest === summary.digest).map((t) => t.tag);
  if (tag !== '' && !tags.includes(tag)) tags.unshift(tag); // pushed after the snapshot
  return {
    repository,
    reference,
    digest: summary.digest,
    mediaType: summary.mediaType,
    kind: summary.kind,
    size: summary.size,
    tags: tags.sort(),
    platforms,
    referrers: [...referrers, ...attestations],
  };
}
