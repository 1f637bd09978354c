// The blobs each repository's tags use, read through the API: for `du` on a registry
// whose storage we cannot read. Tags -> manifests (an index's children too) -> configs
// and layers, sizes as the descriptors give them; a manifest's own bytes count as well,
// since the registry stores them as blobs. Untagged manifests are invisible here.
import { NotFoundError } from '../errors.ts';
import type { RegistryClient } from './client.ts';
import { listTags } from './catalog.ts';
import { ManifestError } from './errors.ts';
import { ImageReader } from './images.ts';
import { fetchManifest, type Manifest } from './manifest.ts';

export interface RepositoryBlobSizes {
  name: string;
  /** digest -> size: manifests, configs and layers its tags reach. */
  blobs: Map<string, number>;
}

/** Layers a registry does not store (Windows base layers): not counted. */
const foreign = (mediaType: string): boolean => /\.foreign\.|\.nondistributable\./.test(mediaType);

export async function repositoryBlobs(
  client: RegistryClient,
  repositories: readonly string[],
  signal?: AbortSignal,
): Promise<RepositoryBlobSizes[]> {
  const reader = new ImageReader(client, signal);
  return Promise.all(
    repositories.map(async (name) => {
      const blobs = new Map<string, number>();
      const add = async (repository: string, m: Manifest, depth: number): Promise<void> => {
        blobs.set(m.digest, m.bytes.length);
        if (m.parsed.kind === 'image') {
          for (const d of [m.parsed.config, ...m.parsed.layers]) if (!foreign(d.mediaType)) blobs.set(d.digest, d.size);
          return;
        }
        if (depth > 4) return;
        await Promise.all(
          m.parsed.manifests.map(async (d) => {
            const child = await reader.manifest(repository, d.digest).catch(gone);
            if (child) await add(repository, child, depth + 1);
          }),
        );
      };
      let tags: string[];
      try {
        tags = await listTags(client, name, signal);
      } catch (err) {
        if (err instanceof NotFoundError) return { name, blobs }; // removed since the catalog
        throw err;
      }
      await Promise.all(
        tags.map(async (tag) => {
          const top = await fetchManifest(client, name, tag, signal).catch(gone);
          if (top) await add(name, top, 0);
        }),
      );
      return { name, blobs };
    }),
  );
}

/** A manifest deleted meanwhile, or unreadable: it uses nothing we can count. */
function gone(err: unknown): undefined {
  if (err instanceof NotFoundError || err instanceof ManifestError) return undefined;
  throw err;
}
