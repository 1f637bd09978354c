// What prune prints: the tags (removed, or that would be), then what the collection freed,
// in `docker image prune`'s words ("Total reclaimed space: ..."); --format json: the report.
import type { Context } from '../context.ts';
import type { PruneReport } from '../../storage/prune-run.ts';
import { formatBytes } from './table.ts';
import { printRows } from './print.ts';
import { timeAgo } from './human-duration.ts';

export function pruneWarning(report: PruneReport): string {
  const n = report.tags.length;
  const shown = report.tags.slice(0, 20).map((t) => `  ${t.repository}:${t.tag}`);
  if (n > shown.length) shown.push(`  ... and ${n - shown.length} more`);
  return `WARNING! This will remove ${n} tag${n === 1 ? '' : 's'} from ${report.registry}, then collect garbage ` +
    `(${formatBytes(report.bytes)} to free):\n${shown.join('\n')}`;
}

export function printPruneReport(ctx: Context, report: PruneReport): void {
  if (ctx.format === 'json') return printRows(ctx, [], [], report);
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
    const stays = t.sharedWith.length > 0 ? ` (its image stays: also tagged ${t.sharedWith.join(', ')})` : '';
    ctx.stdout.write(`${verb}: ${report.registry}/${t.repository}:${t.tag}, pushed ${timeAgo(t.pushed)}${stays}\n`);
  }
  const blobs = `${report.manifests} untagged manifest(s), ${report.blobs} blob(s)`;
  ctx.stdout.write(report.dryRun ? `\nTotal space to reclaim: ${formatBytes(report.bytes)} (${blobs})\n` : `\nTotal reclaimed space: ${formatBytes(report.bytes)} (${blobs})\n`);
}
