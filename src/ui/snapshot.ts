// One walk of the whole registry through its API: every tag, the manifests it reaches and
// the blobs (configs, layers, manifests) those use. The image view asks it which other
// images share a layer, and which tags point at the image.
import { NotFoundError } from '../errors.ts';
import type { RegistryClient } from '../registry/client.ts';
import { listRepositories, listTags } from '../registry/catalog.ts';
import { ManifestError } from '../registry/errors.ts';
import { ImageReader } from '../registry/images.ts';
import { fetchManifest, type Manifest } from '../registry/manifest.ts';

export interface TagUse {
  repository: string;
  tag: string;
  digest: string;
  /** digest -> size of every blob the tag keeps: manifests, configs, layers. */
  blobs: Map<string, number>;
  layers: Set<string>;
}

export interface Snapshot {
  tags: TagUse[];
}

const skippable = (err: unknown): boolean => err instanceof NotFoundError || err instanceof ManifestError;

async function tagUse(
  client: RegistryClient,
  reader: ImageReader,
  repository: string,
  tag: string,
  signal?: AbortSignal,
): Promise<TagUse | undefined> {
  let top: Manifest;
  try {
    top = await fetchManifest(client, repository, tag, signal);
  } catch (err) {
    if (skippable(err)) return undefined; // deleted meanwhile, or unreadable: lsi reports those
    throw err;
  }
  const use: TagUse = { repository, tag, digest: top.digest, blobs: new Map([[top.digest, top.bytes.length]]), layers: new Set() };
  const add = (m: Manifest): void => {
    use.blobs.set(m.digest, m.bytes.length);
    if (m.parsed.kind !== 'image') return;
    use.blobs.set(m.parsed.config.digest, m.parsed.config.size);
    for (const l of m.parsed.layers) {
      use.blobs.set(l.digest, l.size);
      use.layers.add(l.digest);
    }
  };
  add(top);
  if (top.parsed.kind === 'index') {
    await Promise.all(
      top.parsed.manifests.map(async (d) => {
        try {
          add(await reader.manifest(repository, d.digest));
        } catch (err) {
          if (!skippable(err)) throw err;
        }
      }),
    );
  }
  return use;
}

export async function takeSnapshot(client: RegistryClient, signal?: AbortSignal): Promise<Snapshot> {
  const reader = new ImageReader(client, signal);
  const repositories = await listRepositories(client, signal);
  const perRepository = await Promise.all(
    repositories.map(async (repository) => {
      let tags: string[];
      try {
        tags = await listTags(client, repository, signal);
      } catch (err) {
        if (err instanceof NotFoundError) return [];
        throw err;
      }
      return Promise.all(tags.map((tag) => tagUse(client, reader, repository, tag, signal)));
    }),
  );
  return { tags: perRepository.flat().filter((t): t is TagUse => t !== undefined) };
}

/** Images (repo:tag) other than `self` (its repository and digest) that use the layer. */
export function layerSharers(snapshot: Snapshot, layer: string, self: { repository: string; digest: string }): string[] {
  return snapshot.tags
    .filter((t) => t.layers.has(layer) && !(t.repository === self.repository && t.digest === self.digest))
    .map((t) => `${t.repository}:${t.tag}`);
}
