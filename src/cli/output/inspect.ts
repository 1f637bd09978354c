// inspect's table (the index, one row per platform, with --layers each platform's layers)
// and its JSON.
import type { Context } from '../context.ts';
import type { InspectedImage } from '../../registry/inspect-images.ts';
import { printRows } from './print.ts';
import { formatBytes, type Column } from './table.ts';

interface Row {
  image: string;
  tag: string;
  platform: string;
  digest: string;
  size: string;
  shared: string;
}

function rowsOf(found: InspectedImage, layers: boolean): Row[] {
  const { summary, tag, sharedWith } = found;
  const image = `${found.registry}/${found.repository}`;
  const rows: Row[] = [];
  if (summary.kind === 'index') rows.push({ image, tag, platform: '(index)', digest: summary.digest, size: layers ? formatBytes(summary.size) : '', shared: '' });
  summary.entries.forEach((e, i) => {
    const first = summary.kind !== 'index' && i === 0;
    const platform = e.error ? `${e.platform} (missing)` : e.platform;
    rows.push({ image: first ? image : '', tag: first ? tag : '', platform, digest: e.digest, size: layers && e.size !== undefined ? formatBytes(e.size) : '', shared: '' });
    if (!layers) return;
    (e.layers ?? []).forEach((l, n) => {
      rows.push({ image: '', tag: '', platform: `  layer ${n + 1}`, digest: l.digest, size: formatBytes(l.size), shared: String(sharedWith.get(l.digest) ?? 0) });
    });
  });
  return rows;
}

function jsonOf(found: InspectedImage): unknown {
  const { summary } = found;
  return {
    image: `${found.registry}/${found.repository}`, tag: found.tag, digest: summary.digest, mediaType: summary.mediaType, kind: summary.kind, size: summary.size,
    platforms: summary.entries.map((e) => ({
      ...e,
      ...(e.layers ? { layers: e.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size, sharedWith: found.sharedWith.get(l.digest) ?? 0 })) } : {}),
    })),
  };
}

export function printInspected(ctx: Context, images: readonly InspectedImage[], layers: boolean): void {
  const columns: Column<Row>[] = [
    { header: 'IMAGE', value: (r) => r.image },
    { header: 'TAG', value: (r) => r.tag },
    { header: 'PLATFORM', value: (r) => r.platform },
    { header: 'DIGEST', value: (r) => r.digest },
  ];
  if (layers) columns.push({ header: 'SIZE', value: (r) => r.size }, { header: 'SHARED WITH', value: (r) => r.shared });
  printRows(ctx, columns, images.flatMap((i) => rowsOf(i, layers)), images.map(jsonOf));
}
