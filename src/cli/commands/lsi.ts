// lsi (images): every tag of the registry (or of the named repositories) with its
// digest, platforms and size. All requests start at once; the client bounds them.
import { defineCommand } from '../command.ts';
import { printImages } from '../output/images.ts';
import { registryClients } from '../registry-clients.ts';
import { imagesOf } from '../../registry/listings.ts';
import { parseRepositoryName } from '../../registry/reference.ts';

export const lsiCommand = defineCommand<{ repo: string[] | undefined; quiet: boolean }>({
  command: 'lsi [repo..]',
  aliases: ['images'],
  describe: 'List images (tags) with their digests, platforms and sizes',
  builder: (yargs) =>
    yargs
      .positional('repo', { type: 'string', array: true, describe: 'Repositories to list (default: all)' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Only print image references (HOST/REPOSITORY:TAG)' })
      .epilog(
        'IMAGE ID is the first 12 hex digits of the digest the tag points at (the index for a multi-platform image). ' +
          'SIZE is config + layers as stored (compressed); for a multi-platform image, every distinct config and layer of all its platforms, each counted once.',
      ),
  run: async (args, ctx) => {
    const names = (args.repo ?? []).map((r) => parseRepositoryName(r, ctx.registry));
    const rows = await imagesOf(registryClients(ctx), names, ctx.registry.name, ctx.signal);
    printImages(ctx, rows, args.quiet);
  },
});
