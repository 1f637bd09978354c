// lsi's table, its -q lines, its JSON and its template fields; a tag that could not be
// read is also a warning. A row with no tag (an untagged referrer, --all) says <none>, as
// docker images does, and -q names it by digest.
import type { Context } from '../context.ts';
import type { ImageRow } from '../../registry/listings.ts';
import { referrerSummary, type Grouped } from '../../registry/referrer-groups.ts';
import { printRows } from './print.ts';
import { formatBytes, type Column } from './table.ts';
import { timeAgo } from './human-duration.ts';
import { shortDigest } from '../../human-format.ts';

type Row = Grouped<ImageRow & { pushed?: string }>;

function platforms(r: Row): string {
  if (r.error) return '(unreadable)';
  return r.platforms.join(',') || (r.kind === 'artifact' ? `(${r.entries[0]?.platform ?? 'artifact'})` : 'unknown');
}

export const imageColumns: readonly Column<Row>[] = [
  { header: 'REPOSITORY', value: (r) => `${r.registry}/${r.repository}` },
  { header: 'TAG', value: (r) => r.tag || '<none>' },
  { header: 'IMAGE ID', field: 'ID', value: (r) => (r.digest ? shortDigest(r.digest) : '?') },
  { header: 'PLATFORMS', value: platforms },
  { header: 'CREATED', value: (r) => timeAgo(r.created) },
  { header: 'SIZE', value: (r) => (r.error ? '?' : formatBytes(r.size)) },
  { header: 'REFERRERS', value: (r) => (r.referrerOf !== undefined ? `(of ${shortDigest(r.referrerOf)})` : referrerSummary(r.referrers)) },
  { header: 'DIGEST', value: (r) => r.digest, hidden: true },
  { header: 'CREATED AT', value: (r) => r.created ?? '', hidden: true },
  { header: 'PUSHED AT', value: (r) => r.pushed ?? '', hidden: true },
];

export function printImages(ctx: Context, rows: readonly Row[], quiet: boolean): void {
  for (const r of rows) if (r.error) ctx.info(`warning: ${r.registry}/${r.repository}:${r.tag}: ${r.error}`);
  if (quiet && ctx.format !== 'json') {
    // An untagged referrer (--all) by its digest.
    ctx.stdout.write(rows.map((r) => `${r.registry}/${r.repository}${r.tag ? `:${r.tag}` : `@${r.digest}`}\n`).join(''));
    return;
  }
  printRows(
    ctx,
    imageColumns,
    rows,
    rows.map((r) => ({
      registry: r.registry,
      repository: r.repository,
      tag: r.tag,
      digest: r.digest,
      mediaType: r.mediaType,
      kind: r.kind,
      platforms: r.platforms,
      size: r.size,
      created: r.created,
      pushed: r.pushed,
      ...(r.error ? { error: r.error } : {}),
      ...(r.referrers ? { referrers: r.referrers } : {}),
      ...(r.referrerOf !== undefined ? { referrerOf: r.referrerOf } : {}),
    })),
  );
}
