// What a garbage collection removed (or, with --dry-run, would remove): a line per
// manifest and repository on stderr, the counts as a table or JSON; for stop, one summary line.
import type { Context } from '../context.ts';
import type { GcReport } from '../../gc/gc-run.ts';
import { printRows } from './print.ts';
import { formatBytes, renderTable, type Column } from './table.ts';

export const gcColumns: readonly Column<GcReport>[] = [
  { header: 'MANIFESTS', value: (r) => String(r.manifests.length) },
  { header: 'REPOSITORIES', value: (r) => String(r.repositories.length) },
  { header: 'BLOBS', value: (r) => String(r.blobs) },
  { header: 'SPACE', value: (r) => formatBytes(r.bytesFreed + r.uploadBytes) },
];

/** The signature, attestation and SBOM tags whose image no repository holds, a line each. */
function describeOrphans(report: GcReport, verb: string): string[] {
  return report.orphanReferrers.map(
    (o) => `${verb} tag ${o.repository}:${o.tag}: the image it is about (${o.subject}) is in no repository of this registry`,
  );
}

/** Upload sessions in a sentence; undefined when there were none. */
function describeUploads(report: GcReport, verb: string): string | undefined {
  const n = report.uploads.length;
  if (n === 0) return undefined;
  return `${verb} ${n} upload session${n === 1 ? '' : 's'} (${formatBytes(report.uploadBytes)}) last written more than ${report.grace} ago (--grace)`;
}

export function printGcReport(ctx: Context, report: GcReport): void {
  for (const l of report.leftAlone) ctx.info(l);
  for (const w of report.warnings) ctx.info(`warning: ${w}`);
  if (ctx.format === 'table') {
    const verb = report.dryRun ? 'would remove' : 'removed';
    for (const m of report.manifests) ctx.info(`${verb} untagged manifest ${m.repository}@${m.digest}`);
    for (const r of report.repositories) ctx.info(`${verb} repository ${r} (no tags left)`);
    for (const line of describeOrphans(report, verb)) ctx.info(line);
    const uploads = describeUploads(report, verb);
    if (uploads) ctx.info(uploads);
    const young = describeKeptYoung(report);
    if (young) ctx.info(young);
    if (report.dryRun) ctx.info('dry run: nothing was removed');
    if (report.manifests.length + report.repositories.length + report.blobs + report.uploads.length + report.orphanReferrers.length === 0) {
      ctx.stdout.write(`nothing to collect in ${report.container}\n`);
      return;
    }
  }
  // The default table says what the numbers are: removed, or to remove.
  const headers = report.dryRun
    ? ['MANIFESTS TO REMOVE', 'REPOSITORIES TO REMOVE', 'BLOBS TO REMOVE', 'SPACE TO FREE']
    : ['MANIFESTS REMOVED', 'REPOSITORIES REMOVED', 'BLOBS REMOVED', 'SPACE FREED'];
  const table = gcColumns.map((c, i) => ({ ...c, header: headers[i]! }));
  printRows(ctx, gcColumns, [report], report, () => ctx.stdout.write(renderTable(table, [report])));
}

/** stop's notes on the collection it ran first (stderr only: stop's output is its own line); nothing when there was nothing to collect. */
export function printGcBeforeStop(ctx: Context, report: GcReport): void {
  for (const l of report.leftAlone) ctx.info(l);
  for (const w of report.warnings) ctx.info(`warning: ${w}`);
  for (const m of report.manifests) ctx.info(`removed untagged manifest ${m.repository}@${m.digest}`);
  for (const r of report.repositories) ctx.info(`removed repository ${r} (no tags left)`);
  for (const line of describeOrphans(report, 'removed')) ctx.info(line);
  const uploads = describeUploads(report, 'removed');
  if (uploads) ctx.info(uploads);
  const young = describeKeptYoung(report);
  if (young) ctx.info(young);
  const counts: Array<[number, string]> = [
    [report.manifests.length, 'manifest'],
    [report.repositories.length, 'repository'],
    [report.blobs, 'blob'],
  ];
  const parts = counts
    .filter(([n]) => n > 0)
    .map(([n, what]) => `${n} ${n === 1 ? what : what === 'repository' ? 'repositories' : `${what}s`}`);
  if (report.uploads.length > 0) parts.push(`${report.uploads.length} upload session${report.uploads.length === 1 ? '' : 's'}`);
  if (parts.length === 0 && report.bytesFreed === 0) return;
  ctx.info(`garbage collected: ${[...parts, `${formatBytes(report.bytesFreed + report.uploadBytes)} freed`].join(', ')}`);
}

/** What the grace period kept, in a sentence; undefined when it kept nothing. */
export function describeKeptYoung(report: GcReport): string | undefined {
  const { manifests, blobs, bytes } = report.keptYoung;
  if (manifests === 0 && blobs === 0) return undefined;
  return `kept ${manifests} untagged manifest(s) and ${blobs} unreferenced blob(s) (${formatBytes(bytes)}) written within the last ${report.grace} (--grace), as a push under way may need them`;
}
