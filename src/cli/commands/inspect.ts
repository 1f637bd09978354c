// inspect (ins): what an image reference is made of: the index (or manifest list) with
// one row per platform under it, or the single platform image. --layers adds each
// platform's layers, their sizes and how many other tags in the whole registry use
// each one (what deleting this image would, or would not, free).
import { defineCommand } from '../command.ts';
import { printRows } from '../output/print.ts';
import { formatBytes } from '../output/table.ts';
import { registryReaderFor } from '../registry-reader.ts';
import type { RegistryApi } from '../../registry/api.ts';
import { ImageReader, listImages, type TagSummary } from '../../registry/images.ts';
import { parseReference, type ImageReference } from '../../registry/reference.ts';

interface Row {
  image: string;
  tag: string;
  platform: string;
  digest: string;
  size: string;
  shared: string;
}

interface LayerJson {
  digest: string;
  mediaType: string;
  size: number;
  /** Other tags in the registry whose images use this layer. */
  sharedWith?: number;
}

/** layer digest -> the tags (repo:tag) whose images use it, across the whole registry. */
async function layerUsage(client: RegistryApi, signal: AbortSignal): Promise<Map<string, Set<string>>> {
  const usage = new Map<string, Set<string>>();
  for (const summary of await listImages(client, undefined, signal, { layers: true })) {
    for (const entry of summary.entries) {
      for (const layer of entry.layers ?? []) {
        const set = usage.get(layer.digest) ?? new Set<string>();
        set.add(`${summary.repository}:${summary.tag}`);
        usage.set(layer.digest, set);
      }
    }
  }
  return usage;
}

export const inspectCommand = defineCommand<{ image: string[]; layers: boolean }>({
  command: 'inspect <image..>',
  aliases: ['ins'],
  describe: 'Show an image: its index and one row per platform, with --layers its layers',
  builder: (yargs) =>
    yargs
      .positional('image', { type: 'string', array: true, demandOption: true, describe: 'IMAGE[:TAG|@DIGEST], in the registry of -r unless it names one' })
      .option('layers', { alias: 'l', type: 'boolean', default: false, describe: 'Show each platform\'s layers, sizes, and how many other tags in the registry share each' }),
  run: async (args, ctx) => {
    const refs: ImageReference[] = args.image.map((i) => parseReference(i, ctx.registry));
    const clients = new Map<string, RegistryApi>();
    const clientFor = (host: string): RegistryApi => {
      let c = clients.get(host);
      if (!c) clients.set(host, (c = registryReaderFor(ctx, host)));
      return c;
    };
    try {
      const summaries = await Promise.all(refs.map(async (ref) => {
        const tag = ref.tag ?? (ref.digest ? '' : 'latest');
        const reader = new ImageReader(clientFor(ref.registry), ctx.signal);
        return { ref, tag, summary: await reader.describe(ref.repository, ref.digest ?? tag, tag, args.layers) };
      }));
      const usage = new Map<string, Map<string, Set<string>>>();
      if (args.layers) {
        for (const host of new Set(refs.map((r) => r.registry))) usage.set(host, await layerUsage(clientFor(host), ctx.signal));
      }
      const sharedWith = (host: string, s: TagSummary, layer: string): number => {
        const users = usage.get(host)?.get(layer);
        if (!users) return 0;
        return users.size - (users.has(`${s.repository}:${s.tag}`) ? 1 : 0);
      };
      const rows: Row[] = [];
      const json = summaries.map(({ ref, tag, summary }) => {
        const image = `${ref.registry}/${ref.repository}`;
        const head = { image, tag, shared: '' };
        if (summary.kind === 'index') rows.push({ ...head, platform: '(index)', digest: summary.digest, size: args.layers ? formatBytes(summary.size) : '' });
        summary.entries.forEach((e, i) => {
          const first = summary.kind !== 'index' && i === 0;
          rows.push({ image: first ? image : '', tag: first ? tag : '', platform: e.error ? `${e.platform} (missing)` : e.platform, digest: e.digest, size: args.layers && e.size !== undefined ? formatBytes(e.size) : '', shared: '' });
          if (args.layers) {
            (e.layers ?? []).forEach((l, n) => rows.push({ image: '', tag: '', platform: `  layer ${n + 1}`, digest: l.digest, size: formatBytes(l.size), shared: String(sharedWith(ref.registry, summary, l.digest)) }));
          }
        });
        return {
          image, tag, digest: summary.digest, mediaType: summary.mediaType, kind: summary.kind, size: summary.size,
          platforms: summary.entries.map((e) => ({
            ...e,
            ...(e.layers ? { layers: e.layers.map((l): LayerJson => ({ digest: l.digest, mediaType: l.mediaType, size: l.size, sharedWith: sharedWith(ref.registry, summary, l.digest) })) } : {}),
          })),
        };
      });
      const columns = [
        { header: 'IMAGE', value: (r: Row) => r.image },
        { header: 'TAG', value: (r: Row) => r.tag },
        { header: 'PLATFORM', value: (r: Row) => r.platform },
        { header: 'DIGEST', value: (r: Row) => r.digest },
      ];
      if (args.layers) columns.push({ header: 'SIZE', value: (r: Row) => r.size }, { header: 'SHARED WITH', value: (r: Row) => r.shared });
      printRows(ctx, columns, rows, json);
    } finally {
      await Promise.all([...clients.values()].map((c) => c.close()));
    }
  },
});
