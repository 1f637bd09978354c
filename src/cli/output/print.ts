// Prints a command's rows as --format asks (format.ts): its own layout (a table, or the
// text a command gives), JSON with one object per line, or a template per row.
import { renderTable, fieldName, tabulate, type Column } from './table.ts';
import { checkFields, outputMode, renderHeader, renderRow } from './format.ts';
import type { Context, Sink } from '../context.ts';

/** The names templates may use for these columns ({{.Repository}}), in order. */
export function fieldNames(columns: readonly Pick<Column<never>, 'header' | 'field'>[]): string[] {
  return columns.map(fieldName);
}

/** JSON as `docker ... --format json` prints it: each element of a list on its own line; an object on one line. */
export function writeJsonLines(out: Sink, json: unknown): void {
  const items = Array.isArray(json) ? json : [json];
  out.write(items.map((item) => JSON.stringify(item) + '\n').join(''));
}

/**
 * Prints rows: `json` (default: the rows) as JSON lines, a template over the columns'
 * values, or by default `text` when the command has its own words, else the table.
 */
export function printRows<Row>(
  ctx: Context,
  columns: readonly Column<Row>[],
  rows: readonly Row[],
  json: unknown = rows,
  text?: () => void,
): void {
  const mode = outputMode(ctx.format);
  if (mode.kind === 'json') return writeJsonLines(ctx.stdout, json);
  if (mode.kind === 'default') {
    if (text) text();
    else ctx.stdout.write(renderTable(columns, rows));
    return;
  }
  const names = fieldNames(columns);
  checkFields(mode, names, 'this command');
  const values = (row: Row): Record<string, string> => Object.fromEntries(columns.map((c, i) => [names[i]!, c.value(row)]));
  const lines = rows.map((row) => renderRow(mode.parts, values(row)));
  if (!mode.table) {
    ctx.stdout.write(lines.map((l) => l + '\n').join(''));
    return;
  }
  const headers = Object.fromEntries(columns.map((c, i) => [names[i]!, c.header]));
  ctx.stdout.write(tabulate([renderHeader(mode.parts, headers), ...lines].join('\n')) + '\n');
}
