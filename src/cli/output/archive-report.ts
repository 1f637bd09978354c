// What save wrote and load pushed: one row per image (name, digest, platforms, referrers),
// a summary line on stderr; --format json prints the rows as JSON lines.
import type { Context } from '../context.ts';
import type { SaveReport } from '../../registry/save.ts';
import type { SavedImage } from '../../registry/save-plan.ts';
import type { LoadedImage, LoadReport } from '../../registry/load.ts';
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
