// Tables laid out as the Docker CLI lays out its own (docker/cli formatter/tabwriter:
// minimum cell width 10, 3 spaces of padding): upper-case headers, tab-separated cells
// aligned by elastic tabstops, no trailing spaces.

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  /** Its name in --format templates ({{.Name}}); by default the header in CamelCase (STORAGE AREA: StorageArea). */
  field?: string;
  /** Only for templates: not a column of the default table. */
  hidden?: boolean;
}

const MIN_WIDTH = 10;
const PADDING = 3;

/** A column's name in templates. */
export function fieldName(column: Pick<Column<never>, 'header' | 'field'>): string {
  return (
    column.field ??
    column.header
      .toLowerCase()
      .split(/\s+/)
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join('')
  );
}

const width = (text: string): number => [...text].length;

/**
 * Aligns tab-terminated cells as Go's text/tabwriter does: a column is a run of
 * consecutive lines that have a cell there (the last cell of a line is in none), as wide
 * as its widest cell plus the padding, and at least the minimum width.
 */
export function tabulate(text: string): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const widths: number[][] = lines.map(() => []);
  const measure = (from: number, to: number, column: number): void => {
    let line = from;
    while (line < to) {
      if (column >= lines[line]!.length - 1) {
        line += 1;
        continue;
      }
      let end = line;
      let w = MIN_WIDTH;
      for (; end < to && column < lines[end]!.length - 1; end++) w = Math.max(w, width(lines[end]![column]!) + PADDING);
      for (let i = line; i < end; i++) widths[i]![column] = w;
      measure(line, end, column + 1);
      line = end;
    }
  };
  measure(0, lines.length, 0);
  const pad = (cell: string, w: number): string => cell + ' '.repeat(w - width(cell));
  return lines
    .map((cells, i) =>
      cells
        .map((cell, j) => (j < cells.length - 1 ? pad(cell, widths[i]![j]!) : cell))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}

export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const shown = columns.filter((c) => !c.hidden);
  const line = (cells: readonly string[]): string => cells.map((c) => c.replace(/[\t\n]/g, ' ')).join('\t');
  return tabulate([line(shown.map((c) => c.header)), ...rows.map((row) => line(shown.map((c) => c.value(row))))].join('\n')) + '\n';
}

export { formatBytes } from '../../human-format.ts';
