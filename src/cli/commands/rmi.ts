// rmi (delimage): delete images from the registry, only what was named: a delete that
// would take other tags along (the registry deletes by digest) is refused without --force.
import { defineCommand } from '../command.ts';
import { printRows } from '../output/print.ts';
import { registryReaderFor } from '../registry-reader.ts';
import { removeImages, type Removal } from '../../registry/remove-images.ts';
import { parseReference, type ImageReference } from '../../registry/reference.ts';

type Row = Removal & { registry: string };

export const rmiCommand = defineCommand<{ image: string[]; force: boolean }>({
  command: 'rmi <image..>',
  aliases: ['delimage'],
  describe: 'Delete images (tags or digests) from the registry',
  builder: (yargs) =>
    yargs
      .positional('image', { type: 'string', array: true, demandOption: true, describe: 'IMAGE[:TAG|@DIGEST], in the registry of -r unless it names one' })
      .option('force', { alias: 'f', type: 'boolean', default: false, describe: 'Delete even when other tags share the digest (they go too) or an index uses it' }),
  run: async (args, ctx) => {
    const refs = args.image.map((i) => parseReference(i, ctx.registry));
    const byHost = new Map<string, ImageReference[]>();
    for (const r of refs) byHost.set(r.registry, [...(byHost.get(r.registry) ?? []), r]);
    const rows: Row[] = [];
    for (const [host, list] of byHost) {
      const client = registryReaderFor(ctx, host);
      try {
        const removed = await removeImages(client, list, { force: args.force, signal: ctx.signal });
        rows.push(...removed.map((r) => ({ registry: host, ...r })));
      } finally {
        await client.close();
      }
    }
    if (ctx.format === 'json') {
      printRows(ctx, [], rows);
      return;
    }
    for (const r of rows) {
      const name = `${r.registry}/${r.repository}`;
      if (r.action === 'untagged') ctx.stdout.write(`Untagged: ${name}:${r.tag}\n`);
      else {
        for (const t of r.tag !== undefined ? [r.tag, ...r.alsoRemovedTags] : r.alsoRemovedTags) ctx.stdout.write(`Untagged: ${name}:${t}\n`);
        ctx.stdout.write(`Deleted: ${name}@${r.digest}\n`);
      }
    }
  },
});
