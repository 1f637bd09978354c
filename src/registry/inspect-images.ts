// What inspect shows: each image reference resolved (its index and platforms, or its one
// platform image) and, with layers, how many other tags in the whole registry use each
// layer: what deleting this image would, or would not, free.
import type { RegistryApi } from './api.ts';
import { ImageReader, listImages, type TagSummary } from './images.ts';
import { forEachHost, type OpenReader } from './per-host.ts';
import type { ImageReference } from './reference.ts';

export interface InspectedImage {
  registry: string;
  repository: string;
  /** The tag asked for ("latest" when none was), or '' for a digest alone. */
  tag: string;
  summary: TagSummary;
  /** With layers: for each layer digest, how many other tags of the registry use it. */
  sharedWith: Map<string, number>;
}

/** layer digest -> the tags (repo:tag) whose images use it, across the whole registry. */
async function layerUsage(client: RegistryApi, signal?: AbortSignal): Promise<Map<string, Set<string>>> {
  const usage = new Map<string, Set<string>>();
  for (const summary of await listImages(client, undefined, signal, { layers: true })) {
    for (const entry of summary.entries) {
      for (const layer of entry.layers ?? []) {
        const users = usage.get(layer.digest) ?? new Set<string>();
        users.add(`${summary.repository}:${summary.tag}`);
        usage.set(layer.digest, users);
      }
    }
  }
  return usage;
}

/** Other tags than the summary's own that use each of its layers. */
function sharing(summary: TagSummary, usage: Map<string, Set<string>>): Map<string, number> {
  const shared = new Map<string, number>();
  for (const entry of summary.entries) {
    for (const layer of entry.layers ?? []) {
      const users = usage.get(layer.digest);
      shared.set(layer.digest, users ? users.size - (users.has(`${summary.repository}:${summary.tag}`) ? 1 : 0) : 0);
    }
  }
  return shared;
}

/** Each reference, in the order given; host by host, one client each. */
export async function inspectImages(
  open: OpenReader,
  refs: readonly ImageReference[],
  options: { layers: boolean; signal?: AbortSignal },
): Promise<InspectedImage[]> {
  const { layers, signal } = options;
  const numbered = refs.map((ref, index) => ({ ...ref, index }));
  const found = await forEachHost(open, numbered, async (client, group) => {
    const settled = await Promise.allSettled(
      group.map(async (ref) => {
        const tag = ref.tag ?? (ref.digest ? '' : 'latest');
        // A reader per reference: a platform missing from one repository is not found in another's cache.
        const summary = await new ImageReader(client, signal).describe(ref.repository, ref.digest ?? tag, tag, layers);
        return { index: ref.index, registry: ref.registry, repository: ref.repository, tag, summary };
      }),
    );
    // Several failing (two missing images, say): the first in the order given is the one said, whichever answered first.
    const described = settled.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value;
    });
    const usage = layers ? await layerUsage(client, signal) : new Map<string, Set<string>>();
    return described.map((d) => ({ ...d, sharedWith: layers ? sharing(d.summary, usage) : new Map<string, number>() }));
  });
  return found.sort((a, b) => a.index - b.index).map(({ index: _index, ...image }) => image);
}
