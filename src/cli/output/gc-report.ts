// What a garbage collection removed (or, with --dry-run, would remove): a line per
// manifest and repository on stderr, the counts as a table or JSON; for stop, one summary line.
import type { Context } from '../context.ts';
import type { GcReport } from '../../storage/gc-run.ts';
import { printRows } from './print.ts';
import { formatBytes } from './table.ts';

export function printGcReport(ctx: Context, report: GcReport): void {
  for (const w of report.warnings) ctx.info(`warning: ${w}`);
  if (ctx.format === 'table') {
    const verb = report.dryRun ? 'would remove' : 'removed';
    for (const m of report.manifests) ctx.info(`${verb} untagged manifest ${m.repository}@${m.digest}`);
    for (const r of report.repositories) ctx.info(`${verb} repository ${r} (no tags left)`);
    const young = describeKeptYoung(report);
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

/** stop's notes on the collection it ran first (stderr only: stop's output is its own line). */
export function printGcBeforeStop(ctx: Context, report: GcReport): void {
  for (const w of report.warnings) ctx.info(`warning: ${w}`);
  for (const m of report.manifests) ctx.info(`removed untagged manifest ${m.repository}@${m.digest}`);
  for (const r of report.repositories) ctx.info(`removed repository ${r} (no tags left)`);
  const young = describeKeptYoung(report);
  if (young) ctx.info(young);
  ctx.info(
    `garbage collected: ${report.manifests.length} manifest(s), ${report.repositories.length} repository(ies), ` +
      `${report.blobs} blob(s), ${formatBytes(report.bytesFreed)} freed`,
  );
}

/** What the grace period kept, in a sentence; undefined when it kept nothing. */
export function describeKeptYoung(report: GcReport): string | undefined {
  const { manifests, blobs, bytes } = report.keptYoung;
  if (manifests === 0 && blobs === 0) return undefined;
  return `kept ${manifests} untagged manifest(s) and ${blobs} unreferenced blob(s) (${formatBytes(bytes)}) written within the last ${report.grace} (--grace), as a push under way may need them`;
}
