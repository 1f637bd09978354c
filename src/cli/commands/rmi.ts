// rmi (delimage): delete images from the registry, only what was named: a delete that
// would take other tags along (the registry deletes by digest) is refused without --force.
import { defineCommand } from '../command.ts';
import { printRemovals, removalColumns } from '../output/removals.ts';
import { registryReaders } from '../registry-reader.ts';
import { removeImagesOn } from '../../registry/remove-images.ts';
import { parseReference } from '../../registry/reference.ts';

export const rmiCommand = defineCommand<{ image: string[]; force: boolean }>({
  command: 'rmi <image..>',
  aliases: ['delimage'],
  describe: 'Delete images (tags or digests) from the registry',
  fields: removalColumns,
  readme:
    'Deletes tags or digests; refuses (without `--force`) when other tags share the digest or an index uses it, since the registry deletes by digest. ' +
    "An image's signatures, attestations and SBOMs go with it, each named: see [Signatures, attestations and SBOMs](#signatures-attestations-and-sboms)",
  positionals: { image: { describe: 'IMAGE[:TAG|@DIGEST], in the registry of -r unless it names one' } },
  options: {
    force: {
      alias: 'f',
      type: 'boolean',
      default: false,
      describe: 'Delete even when other tags share the digest (they go too) or an index uses it',
    },
  },
  run: async (args, ctx) => {
    const refs = args.image.map((i) => parseReference(i, ctx.registry));
    printRemovals(ctx, await removeImagesOn(registryReaders(ctx), refs, { force: args.force, signal: ctx.signal }));
  },
});
