// gc: remove untagged manifests no image needs, and the blobs only they used.
import { defineCommand } from '../command.ts';
import type { Context } from '../context.ts';
import { formatBytes } from '../output/table.ts';
import { printRows } from '../output/print.ts';
import { findRegistryContainer } from '../../server/container.ts';
import { collectGarbage, describeKeptYoung, type GcReport } from '../../storage/gc-run.ts';
import { GRACE_HELP, parseGrace } from '../../storage/gc-grace.ts';
import { InterruptedError, NotFoundError, errorMessage } from '../../errors.ts';

/**
 * Collects garbage in the registry ctx.registry names. With restart false (from `stop`), a
 * running registry is left stopped. Inside ctx.critical: once stopped, the registry must be
 * started again even on Ctrl-C.
 */
export async function runGc(ctx: Context, options: { dryRun: boolean; restart: boolean; graceMs: number; force?: boolean }): Promise<GcReport> {
  const { docker, local } = await ctx.engine();
  const registry = await findRegistryContainer(docker, ctx.registry);
  if (!registry) {
    throw new NotFoundError(`no registry container for ${ctx.registry} (start one with: docker jindr start -r ${ctx.registry})`);
  }
  ctx.signal.throwIfAborted();
  return ctx.critical(() =>
    collectGarbage(docker, registry, { ...options, local, signal: ctx.signal, info: (m) => ctx.info(m), debug: (m) => ctx.debugLog(m) }),
  );
}

export function printGcReport(ctx: Context, report: GcReport): void {
  for (const w of report.warnings) ctx.info(`warning: ${w}`);
  if (ctx.format === 'table') {
    const verb = report.dryRun ? 'would remove' : 'removed';
    for (const m of report.manifests) ctx.info(`${verb} untagged manifest ${m.repository}@${m.digest}`);
    for (const r of report.repositories) ctx.info(`${verb} repository ${r} (no tags left)`);
    const young = describeKeptYoung(report, formatBytes);
    if (young) ctx.info(young);
    if (report.dryRun) ctx.info('dry run: nothing was removed');
    if (report.manifests.length + report.repositories.length + report.blobs === 0) {
      ctx.stdout.write(`nothing to collect in ${report.container}\n`);
      return;
    }
  }
  printRows(
    ctx,
    [
      { header: report.dryRun ? 'MANIFESTS TO REMOVE' : 'MANIFESTS REMOVED', value: (r: GcReport) => String(r.manifests.length) },
      { header: report.dryRun ? 'REPOSITORIES TO REMOVE' : 'REPOSITORIES REMOVED', value: (r: GcReport) => String(r.repositories.length) },
      { header: report.dryRun ? 'BLOBS TO REMOVE' : 'BLOBS REMOVED', value: (r: GcReport) => String(r.blobs) },
      { header: report.dryRun ? 'SPACE TO FREE' : 'SPACE FREED', value: (r: GcReport) => formatBytes(r.bytesFreed) },
    ],
    [report],
    report,
  );
}

/**
 * For `stop`: collect, leaving the registry stopped. A failed collection is reported and
 * the stop goes on (the user asked to stop); Ctrl-C ends the command.
 */
export async function collectBeforeStop(ctx: Context, graceMs: number): Promise<void> {
  let report: GcReport;
  try {
    report = await runGc(ctx, { dryRun: false, restart: false, graceMs });
  } catch (err) {
    if (err instanceof InterruptedError || ctx.signal.aborted) throw err;
    ctx.info(`warning: garbage collection failed, stopping without it: ${errorMessage(err)}`);
    return;
  }
  for (const w of report.warnings) ctx.info(`warning: ${w}`);
  for (const m of report.manifests) ctx.info(`removed untagged manifest ${m.repository}@${m.digest}`);
  for (const r of report.repositories) ctx.info(`removed repository ${r} (no tags left)`);
  const young = describeKeptYoung(report, formatBytes);
  if (young) ctx.info(young);
  ctx.info(
    `garbage collected: ${report.manifests.length} manifest(s), ${report.repositories.length} repository(ies), ` +
      `${report.blobs} blob(s), ${formatBytes(report.bytesFreed)} freed`,
  );
}

export const gcCommand = defineCommand<{ 'dry-run': boolean; grace?: string; force: boolean }>({
  command: 'gc',
  describe: 'Remove untagged manifests no tag needs and the blobs only they used (the registry restarts briefly)',
  builder: (yargs) =>
    yargs.option('dry-run', {
      alias: 'n',
      type: 'boolean',
      default: false,
      describe: 'Report what would be removed, remove nothing (the registry keeps running)',
    })
      .option('grace', { type: 'string', describe: GRACE_HELP })
      .option('force', { alias: 'f', type: 'boolean', default: false, describe: 'Collect in a registry container docker jindr did not create' }),
  run: async (args, ctx) => {
    const report = await runGc(ctx, { dryRun: args.dryRun, restart: true, graceMs: parseGrace(args.grace), force: args.force });
    printGcReport(ctx, report);
  },
});
