// What rmi and rmr deleted, in Docker's words (Untagged:, Deleted:), or as JSON.
import type { Context } from '../context.ts';
import type { Removal } from '../../registry/remove-images.ts';
import type { RepositoryDeletion } from '../../storage/delete-repositories.ts';
import { printRows } from './print.ts';

export function printRemovals(ctx: Context, rows: ReadonlyArray<Removal & { registry: string }>): void {
  if (ctx.format === 'json') {
    printRows(ctx, [], rows);
    return;
  }
  for (const r of rows) {
    const name = `${r.registry}/${r.repository}`;
    if (r.action === 'untagged') ctx.stdout.write(`Untagged: ${name}:${r.tag}\n`);
    else {
      for (const t of r.tag !== undefined ? [r.tag, ...r.alsoRemovedTags] : r.alsoRemovedTags) ctx.stdout.write(`Untagged: ${name}:${t}\n`);
      ctx.stdout.write(`Deleted: ${name}@${r.digest}\n`);
    }
  }
}

export function printRepositoryDeletions(ctx: Context, rows: readonly RepositoryDeletion[]): void {
  if (ctx.format === 'json') {
    printRows(ctx, [], rows);
    return;
  }
  for (const r of rows) ctx.stdout.write(`Deleted: ${r.registry}/${r.repository} (${r.manifests} manifest${r.manifests === 1 ? '' : 's'})\n`);
}
