// What prune prints: the tags (removed, or that would be), then what the collection freed,
// in `docker image prune`'s words ("Total reclaimed space: ..."); --format json: the
// report; a template: one row per tag.
import type { Context } from '../context.ts';
import type { PruneReport } from '../../gc/prune-run.ts';
import type { PrunedTag } from '../../gc/prune-plan.ts';
import { formatBytes, type Column } from './table.ts';
import { printRows } from './print.ts';
import { timeAgo } from './human-duration.ts';
import { shortDigest } from '../../human-format.ts';

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function pruneWarning(report: PruneReport): string {
  const n = report.tags.length;
  const shown = report.tags.slice(0, 20).map((t) => `  ${t.repository}:${t.tag}`);
  if (n > shown.length) shown.push(`  ... and ${n - shown.length} more`);
  return (
    `WARNING! This will remove ${plural(n, 'tag')} from ${report.registry}, then collect garbage ` +
    `(${formatBytes(report.bytes)} to free):\n${shown.join('\n')}`
  );
}

export const pruneColumns: readonly Column<PrunedTag>[] = [
  { header: 'REPOSITORY', value: (t) => t.repository },
  { header: 'TAG', value: (t) => t.tag },
  { header: 'DIGEST', value: (t) => t.digest },
  { header: 'PUSHED', value: (t) => timeAgo(t.pushed) },
  { header: 'SHARED WITH', value: (t) => t.sharedWith.join(',') },
  { header: 'REFERRER OF', value: (t) => t.referrerOf ?? '', hidden: true },
];

function printText(ctx: Context, report: PruneReport): void {
  for (const l of report.gc?.leftAlone ?? []) ctx.info(l);
  for (const c of report.changed) ctx.info(`left ${c.repository}:${c.tag} alone: it was pushed again (or removed) meanwhile`);
  if (report.cancelled) {
    ctx.info('prune cancelled: nothing was removed');
    return;
  }
  if (report.tags.length === 0) {
    ctx.stdout.write('Nothing to prune: no tag matches the rules\n');
    return;
  }
  const verb = report.dryRun ? 'Would untag' : 'Untagged';
  for (const t of report.tags) {
    if (t.referrerOf !== undefined) {
      ctx.stdout.write(`${verb}: ${report.registry}/${t.repository}:${t.tag}, with the image it is about (${shortDigest(t.referrerOf)})\n`);
      continue;
    }
    const stays = t.sharedWith.length > 0 ? ` (its image stays: also tagged ${t.sharedWith.join(', ')})` : '';
    ctx.stdout.write(`${verb}: ${report.registry}/${t.repository}:${t.tag}, pushed ${timeAgo(t.pushed)}${stays}\n`);
  }
  const blobs = `${plural(report.manifests, 'untagged manifest')}, ${plural(report.blobs, 'blob')}`;
  ctx.stdout.write(
    report.dryRun
      ? `\nTotal space to reclaim: ${formatBytes(report.bytes)} (${blobs})\n`
      : `\nTotal reclaimed space: ${formatBytes(report.bytes)} (${blobs})\n`,
  );
}

export function printPruneReport(ctx: Context, report: PruneReport): void {
  printRows(ctx, pruneColumns, report.cancelled ? [] : report.tags, report, () => printText(ctx, report));
}
