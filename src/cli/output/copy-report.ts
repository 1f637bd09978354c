// A copy's progress on stderr while it runs (copy-progress.ts), then what arrived: a
// table (or JSON, or a template) of source, destination and digest; with --quiet only
// the destinations.
import type { Context } from '../context.ts';
import type { CopiedImage, CopyEvents, CopyReport } from '../../registry/copy.ts';
import { copyProgress, progressMode } from './copy-progress.ts';
import { printRows, writeJsonLines } from './print.ts';
import { formatBytes, type Column } from './table.ts';

export const copyColumns: readonly Column<CopiedImage>[] = [
  { header: 'SOURCE', value: (r) => r.source },
  { header: 'DESTINATION', value: (r) => r.destination },
  { header: 'DIGEST', value: (r) => r.digest },
];

/** Runs copy with a progress display for its events, then prints its report. */
export async function showCopy(ctx: Context, quiet: boolean, copy: (events: CopyEvents) => Promise<CopyReport>): Promise<CopyReport> {
  // The table goes to the same terminal: the progress does not say each tag a second time.
  const progress = copyProgress(ctx.stderr, progressMode(ctx.stderr, quiet), { tags: !ctx.stdout.isTTY });
  let report: CopyReport;
  try {
    report = await copy(progress.events);
  } finally {
    progress.finish();
  }
  printCopyReport(ctx, report, quiet);
  return report;
}

/** "2 signatures, 1 sbom": what travelled with the images. */
function referrerCount(report: CopyReport): string {
  const counts = new Map<string, number>();
  for (const r of report.referrers) counts.set(r.kind, (counts.get(r.kind) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : 's'}`)
    .join(', ');
}

/** JSON: an image with the referrers that travelled with it (its own, and theirs); none: as before. */
function withReferrers(image: CopiedImage, report: CopyReport): CopiedImage & { referrers?: CopyReport['referrers'] } {
  const reach = new Set([image.digest]);
  // In order: a subject comes before its referrers. A platform's (cosign --recursive) have an unknown subject here: left out.
  const mine = report.referrers.filter((r) => reach.has(r.subject) && reach.add(r.digest));
  return mine.length > 0 ? { ...image, referrers: mine } : image;
}

function printCopyReport(ctx: Context, report: CopyReport, quiet: boolean): void {
  if (quiet) {
    if (ctx.format === 'json') writeJsonLines(ctx.stdout, report.images);
    else for (const image of report.images) ctx.stdout.write(`${image.destination}\n`);
    return;
  }
  const { copied, mounted, exists } = report.blobs;
  ctx.info(`blobs: ${copied} copied (${formatBytes(report.bytes)}), ${mounted} mounted, ${exists} already there`);
  if (report.referrers.length > 0) ctx.info(`with them: ${referrerCount(report)}`);
  printRows(
    ctx,
    copyColumns,
    report.images,
    report.images.map((image) => withReferrers(image, report)),
  );
}
