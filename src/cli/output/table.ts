// Plain-text tables laid out as the docker CLI lays out its own: upper-case
// headers, columns padded to the widest cell, three spaces between columns.

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
}

export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((col) => col.value(row)));
  const widths = columns.map((col, i) =>
    Math.max(col.header.length, ...cells.map((line) => line[i]!.length)),
  );
  const format = (line: readonly string[]): string =>
    line
      .map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('   ')
      .trimEnd();
  return [format(columns.map((c) => c.header)), ...cells.map(format)].join('\n') + '\n';
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${units[unit]}`;
}
