// inspect's table (the index, one row per platform, with --layers each platform's layers),
// its JSON and its template fields (every row with its image and tag).
import type { Context } from '../context.ts';
import type { InspectedImage } from '../../registry/inspect-images.ts';
import { printRows } from './print.ts';
import { formatBytes, renderTable, type Column } from './table.ts';

interface Row {
  image: string;
  tag: string;
  platform: string;
  digest: string;
  size: string;
  shared: string;
  /** Not the image's first row: the table leaves IMAGE and TAG blank. */
  continued: boolean;
}

export const inspectColumns: readonly Column<Row>[] = [
  { header: 'IMAGE', value: (r) => r.image },
  { header: 'TAG', value: (r) => r.tag },
  { header: 'PLATFORM', value: (r) => r.platform },
  { header: 'DIGEST', value: (r) => r.digest },
  { header: 'SIZE', value: (r) => r.size },
  { header: 'SHARED WITH', value: (r) => r.shared },
];

function rowsOf(found: InspectedImage, layers: boolean): Row[] {
  const { summary, tag, sharedWith } = found;
  const image = `${found.registry}/${found.repository}`;
  const rows: Row[] = [];
  const add = (platform: string, digest: string, size: string, shared = ''): void => {
    rows.push({ image, tag, platform, digest, size, shared, continued: rows.length > 0 });
  };
  if (summary.kind === 'index') add('(index)', summary.digest, layers ? formatBytes(summary.size) : '');
  for (const e of summary.entries) {
    add(e.error ? `${e.platform} (missing)` : e.platform, e.digest, layers && e.size !== undefined ? formatBytes(e.size) : '');
    if (!layers) continue;
    (e.layers ?? []).forEach((l, n) => add(`  layer ${n + 1}`, l.digest, formatBytes(l.size), String(sharedWith.get(l.digest) ?? 0)));
  }
  return rows;
}

function jsonOf(found: InspectedImage): unknown {
  const { summary } = found;
  return {
    image: `${found.registry}/${found.repository}`,
    tag: found.tag,
    digest: summary.digest,
    mediaType: summary.mediaType,
    kind: summary.kind,
    size: summary.size,
    platforms: summary.entries.map((e) => ({
      ...e,
      ...(e.layers
        ? {
            layers: e.layers.map((l) => ({
              digest: l.digest,
              mediaType: l.mediaType,
              size: l.size,
              sharedWith: found.sharedWith.get(l.digest) ?? 0,
            })),
          }
        : {}),
    })),
  };
}

export function printInspected(ctx: Context, images: readonly InspectedImage[], layers: boolean): void {
  const rows = images.flatMap((i) => rowsOf(i, layers));
  const table = (): void => {
    const columns = inspectColumns.map((c) => (layers || (c.header !== 'SIZE' && c.header !== 'SHARED WITH') ? c : { ...c, hidden: true }));
    ctx.stdout.write(
      renderTable(
        columns,
        rows.map((r) => (r.continued ? { ...r, image: '', tag: '' } : r)),
      ),
    );
  };
  printRows(ctx, inspectColumns, rows, images.map(jsonOf), table);
}
