// du: the bytes each repository uses (unique to it, shared with others), what gc could
// reclaim, and the total with every blob counted once.
import { defineCommand } from '../command.ts';
import { printUsage, usageColumns } from '../output/disk-usage.ts';
import { GRACE_OPTION, graceMs } from '../grace-option.ts';
import { registryClientFor } from '../registry-clients.ts';
import { registryUsage, type UsageReport } from '../../storage/disk-usage.ts';
import { oneRegistry } from '../repository-args.ts';
import { mirrorLimitOf } from '../../mirror/mirror-limit.ts';

export const duCommand = defineCommand<{ repo: string[] | undefined; grace?: string }>({
  command: 'du [repo..]',
  describe: 'Show disk usage per repository: unique, shared with other repositories, reclaimable by gc',
  fields: usageColumns,
  positionals: { repo: { describe: 'Repositories to show (default: all)' } },
  readme:
    'Disk usage per repository: SIZE, UNIQUE (no other repository uses it), SHARED, RECLAIMABLE (what `gc` would remove now, with its ' +
    'grace period), and a TOTAL counting each blob once. See [du](#du-who-uses-the-disk)',
  options: {
    grace: {
      ...GRACE_OPTION,
      readme: 'as `gc`',
      describe: 'RECLAIMABLE as gc --grace DURATION sees it: what was written more recently stays [default: 1h]',
    },
  },
  epilog:
    'UNIQUE: blobs (layers, configs, manifests) no other repository uses; SHARED: blobs other repositories use too; ' +
    'RECLAIMABLE: what gc would remove now (with its grace period). The TOTAL row counts each blob once; ' +
    "upload sessions (pushes under way or abandoned, which gc removes once older than its grace period) are a row of their own. Read from the registry's storage when " +
    'this Docker engine runs it, else from the manifests its tags reach (then RECLAIMABLE is unknown).',
  run: async (args, ctx) => {
    const { registry, repositories } = oneRegistry(args.repo, ctx.registry);
    const client = registryClientFor(ctx, registry);
    let report: UsageReport;
    try {
      report = await registryUsage({
        registry,
        client,
        docker: async () => (await ctx.engine()).docker,
        repositories,
        graceMs: graceMs(args.grace),
        signal: ctx.signal,
      });
    } finally {
      await client.close();
    }
    const max = report.source === 'storage' ? await mirrorLimitOf((await ctx.engine()).docker, registry) : undefined;
    printUsage(ctx, max === undefined ? report : { ...report, maxSize: max });
  },
});
