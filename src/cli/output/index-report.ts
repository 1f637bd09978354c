// What index create|add|rm wrote: a line on stderr, then a row per platform of the index
// (or JSON: the result, on one line).
import type { Context } from '../context.ts';
import type { IndexResult } from '../../registry/index-edit.ts';
import { MEDIA } from '../../registry/manifest.ts';
import { printRows } from './print.ts';
import type { Column } from './table.ts';

type Entry = IndexResult['entries'][number];

export const indexColumns: readonly Column<Entry>[] = [
  { header: 'PLATFORM', value: (e) => e.platform },
  { header: 'DIGEST', value: (e) => e.digest },
  { header: 'SOURCE', value: (e) => (e.existing ? '(already in the index)' : e.source) },
];

export function printIndexResult(ctx: Context, action: string, result: IndexResult): void {
  if (ctx.format === 'table') {
    const kind = result.mediaType === MEDIA.dockerList ? 'Docker manifest list' : 'OCI index';
    const replaced = result.replaced ? `, replacing ${result.replaced}` : '';
    ctx.info(`${action === 'create' ? 'Created' : 'Updated'} ${result.reference}: ${result.digest} (${kind}${replaced})`);
  }
  printRows(ctx, indexColumns, result.entries, result);
}
