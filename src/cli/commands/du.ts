// du: the bytes each repository uses (unique to it, shared with others), what gc could
// reclaim, and the total with every blob counted once.
import { defineCommand } from '../command.ts';
import { GRACE_OPTION, graceMs } from '../grace-option.ts';
import { printRows } from '../output/print.ts';
import { formatBytes } from '../output/table.ts';
import { registryClientFor } from '../registry-clients.ts';
import { registryUsage, type UsageReport } from '../../storage/disk-usage.ts';
import { oneRegistry } from '../repository-args.ts';

type Row = { repository: string; size: number; unique: number; shared: number; reclaimable?: number | undefined };

export const duCommand = defineCommand<{ repo: string[] | undefined; grace?: string }>({
  command: 'du [repo..]',
  describe: 'Show disk usage per repository: unique, shared with other repositories, reclaimable by gc',
  builder: (yargs) =>
    yargs
      .positional('repo', { type: 'string', array: true, describe: 'Repositories to show (default: all)' })
      .option('grace', { ...GRACE_OPTION, describe: 'RECLAIMABLE as gc --grace DURATION sees it: what was written more recently stays [default: 1h]' })
      .epilog(
        'UNIQUE: blobs (layers, configs, manifests) no other repository uses; SHARED: blobs other repositories use too; ' +
          'RECLAIMABLE: what gc would remove now (with its grace period). The TOTAL row counts each blob once. Read from the registry\'s storage when ' +
          'this Docker engine runs it, else from the manifests its tags reach (then RECLAIMABLE is unknown).',
      ),
  run: async (args, ctx) => {
    const { registry, repositories } = oneRegistry(args.repo, ctx.registry);
    const client = registryClientFor(ctx, registry);
    let report: UsageReport;
    try {
      report = await registryUsage({ registry, client, docker: async () => (await ctx.engine()).docker, repositories, graceMs: graceMs(args.grace), signal: ctx.signal });
    } finally {
      await client.close();
    }
    if (report.source === 'manifests') ctx.info(`sizes from the manifests of ${registry}'s tags (${report.note ?? 'storage not readable'}); untagged manifests and unreferenced blobs are not seen`);
    const bytes = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '-' : formatBytes(n));
    const orphans: Row[] = report.total.unreferenced > 0 ? [{ repository: '(unreferenced blobs)', size: report.total.unreferenced, unique: NaN, shared: NaN }] : [];
    const total: Row = { ...report.total, repository: 'TOTAL' };
    printRows(
      ctx,
      [
        { header: 'REPOSITORY', value: (r: Row) => r.repository },
        { header: 'SIZE', value: (r: Row) => bytes(r.size) },
        { header: 'UNIQUE', value: (r: Row) => bytes(r.unique) },
        { header: 'SHARED', value: (r: Row) => bytes(r.shared) },
        { header: 'RECLAIMABLE', value: (r: Row) => bytes(r.reclaimable) },
      ],
      [...report.repositories, ...orphans, total],
      report,
    );
  },
});
