// Prints a command's rows as a table or as JSON, as --format asks.
import { renderTable, type Column } from './table.ts';
import type { Context } from '../context.ts';

export function printRows<Row>(ctx: Context, columns: readonly Column<Row>[], rows: readonly Row[], json: unknown = rows): void {
  if (ctx.format === 'json') {
    ctx.stdout.write(JSON.stringify(json, null, 2) + '\n');
  } else {
    ctx.stdout.write(renderTable(columns, rows));
  }
}
