// gc: remove untagged manifests no image needs, and the blobs only they used.
import { defineCommand } from '../command.ts';
import { gcColumns, printGcReport } from '../output/gc-report.ts';
import { session } from '../session.ts';
import { parseLocalRegistry } from '../../server/address.ts';
import { collectIn } from '../../storage/collect.ts';

export const gcCommand = defineCommand<{ 'dry-run': boolean }>({
  command: 'gc',
  describe: 'Remove untagged manifests no tag needs and the blobs only they used (the registry restarts briefly)',
  fields: gcColumns,
  builder: (yargs) =>
    yargs.option('dry-run', {
      alias: 'n',
      type: 'boolean',
      default: false,
      describe: 'Report what would be removed, remove nothing (the registry keeps running)',
    }),
  run: async (args, ctx) => {
    const address = parseLocalRegistry(ctx.registry);
    const report = await collectIn(await ctx.engine(), address, { ...session(ctx), dryRun: args.dryRun, restart: true });
    printGcReport(ctx, report);
  },
});
