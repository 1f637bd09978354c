// du's table: a row per repository, blobs no manifest uses, and the TOTAL (each blob
// once); --format json: the report in bytes.
import type { Context } from '../context.ts';
import type { UsageReport } from '../../storage/disk-usage.ts';
import { printRows } from './print.ts';
import { formatBytes, type Column } from './table.ts';

type Row = { repository: string; size: number; unique: number; shared: number; reclaimable?: number | undefined };

const bytes = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '-' : formatBytes(n));

export const usageColumns: readonly Column<Row>[] = [
  { header: 'REPOSITORY', value: (r) => r.repository },
  { header: 'SIZE', value: (r) => bytes(r.size) },
  { header: 'UNIQUE', value: (r) => bytes(r.unique) },
  { header: 'SHARED', value: (r) => bytes(r.shared) },
  { header: 'RECLAIMABLE', value: (r) => bytes(r.reclaimable) },
];

export function printUsage(ctx: Context, report: UsageReport): void {
  if (report.source === 'manifests') {
    ctx.info(
      `sizes from the manifests of ${report.registry}'s tags (${report.note ?? 'storage not readable'}); untagged manifests and unreferenced blobs are not seen`,
    );
  }
  if (report.maxSize !== undefined)
    ctx.info(
      `a mirror kept under ${formatBytes(report.maxSize)} (mirror start --max-size; mirror trim, gc and mirror start evict the least recently pulled): ${formatBytes(report.total.size)} used`,
    );
  const orphans: Row[] =
    report.total.unreferenced > 0
      ? [{ repository: '(unreferenced blobs)', size: report.total.unreferenced, unique: NaN, shared: NaN }]
      : [];
  const u = report.uploads;
  const uploads: Row[] =
    u && u.sessions > 0
      ? [
          {
            repository: `(${u.sessions} upload session${u.sessions === 1 ? '' : 's'})`,
            size: u.bytes,
            unique: NaN,
            shared: NaN,
            reclaimable: u.reclaimable,
          },
        ]
      : [];
  printRows(ctx, usageColumns, [...report.repositories, ...orphans, ...uploads, { ...report.total, repository: 'TOTAL' }], report);
}
