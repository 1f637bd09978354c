// What save wrote and load pushed: one row per image (name, digest, platforms, referrers),
// a summary line on stderr; --format json prints the rows as JSON lines.
import type { Context } from '../context.ts';
import type { SaveReport } from '../../registry/save.ts';
import type { SavedImage } from '../../registry/save-plan.ts';
import type { LoadedImage, LoadReport } from '../../registry/load.ts';
import type { BlobEvents } from '../../registry/copy-blobs.ts';
import { copyProgress } from './copy-progress.ts';
import { printRows } from './print.ts';
import { formatBytes, type Column } from './table.ts';

export const saveColumns: readonly Column<SavedImage>[] = [
  { header: 'IMAGE', value: (r) => r.name },
  { header: 'DIGEST', value: (r) => r.digest },
  { header: 'PLATFORMS', value: (r) => r.platforms.join(',') || '-' },
  { header: 'REFERRERS', value: (r) => String(r.referrers) },
];

export const loadColumns: readonly Column<LoadedImage>[] = [
  { header: 'IMAGE', value: (r) => r.name },
  { header: 'DIGEST', value: (r) => r.digest },
];

const entries = (n: number): string => (n === 0 ? '' : `, ${n} referrer ${n === 1 ? 'entry' : 'entries'}`);
const images = (n: number): string => `${n} image${n === 1 ? '' : 's'}`;

/** On a terminal, a live line per blob (as cp shows); piped, nothing until the summary (as docker save and load). */
export async function withBlobProgress<T>(ctx: Context, run: (events: BlobEvents) => Promise<T>): Promise<T> {
  const progress = copyProgress(ctx.stderr, ctx.stderr.isTTY ? 'tty' : 'quiet', { tags: false });
  try {
    return await run(progress.events);
  } finally {
    progress.finish();
  }
}

export function printSaved(ctx: Context, report: SaveReport, where: string): void {
  ctx.info(
    `saved ${images(report.images.length)}${entries(report.entries)}: ${report.blobs} blobs, ${formatBytes(report.bytes)} to ${where}`,
  );
  // The archive itself may be what stdout carries.
  if (where !== 'standard output') printRows(ctx, saveColumns, report.images);
}

export function printLoaded(ctx: Context, report: LoadReport): void {
  ctx.info(
    `loaded ${images(report.images.length)}${entries(report.referrers)}: blobs: ${report.pushed} pushed (${formatBytes(report.bytes)}), ${report.present} already there; ${report.manifests} manifests`,
  );
  printRows(ctx, loadColumns, report.images);
}
