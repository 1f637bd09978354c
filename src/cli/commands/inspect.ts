// inspect (ins): what an image reference is made of: the index (or manifest list) with
// one row per platform under it, or the single platform image. --layers adds each
// platform's layers, their sizes and how many other tags in the whole registry use
// each one (what deleting this image would, or would not, free).
import { defineCommand } from '../command.ts';
import { inspectColumns, printInspected } from '../output/inspect.ts';
import { registryReaders } from '../registry-reader.ts';
import { inspectImages } from '../../registry/inspect-images.ts';
import { parseReference } from '../../registry/reference.ts';

export const inspectCommand = defineCommand<{ image: string[]; layers: boolean }>({
  command: 'inspect <image..>',
  aliases: ['ins'],
  describe: 'Show an image: its index and one row per platform, with --layers its layers',
  fields: inspectColumns,
  readme:
    'The index row and one row per platform (IMAGE, TAG, PLATFORM, DIGEST); `--layers` adds each layer, its size and how many other tags share it',
  positionals: { image: { describe: 'IMAGE[:TAG|@DIGEST], in the registry of -r unless it names one' } },
  options: {
    layers: {
      alias: 'l',
      type: 'boolean',
      default: false,
      describe: "Show each platform's layers, sizes, and how many other tags in the registry share each",
    },
  },
  run: async (args, ctx) => {
    const refs = args.image.map((i) => parseReference(i, ctx.registry));
    const images = await inspectImages(registryReaders(ctx), refs, { layers: args.layers, signal: ctx.signal });
    printInspected(ctx, images, args.layers);
  },
});
