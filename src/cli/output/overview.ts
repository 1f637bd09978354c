// info's table: every registry container, with its storage area said short (a volume by
// its first 12 characters, a path under the home directory with ~) and a mirror's
// upstream by its host (the column only when there is a mirror), so that the table of
// a few registries fits 120 columns (a 64-digit volume name alone took 71); JSON and
// templates keep the full values.
import type { Context } from '../context.ts';
import type { RegistryOverview } from '../../storage/overview.ts';
import { describeRegistrySecurity } from '../../server/security-info.ts';
import { printRows } from './print.ts';
import { formatBytes, renderTable, type Column } from './table.ts';

/** "volume 3f2a...(64 hex)" as "volume 3f2a1b2c3d4e"; "/home/me/.jindr" as "~/.jindr". */
export function shortStorage(area: string, home: string | undefined): string {
  const volume = /^volume ([0-9a-f]{64})$/.exec(area);
  if (volume) return `volume ${volume[1]!.slice(0, 12)}`;
  if (home && home !== '/' && (area === home || area.startsWith(home.replace(/\/$/, '') + '/')))
    return '~' + area.slice(home.replace(/\/$/, '').length);
  return area;
}

/** "https://ghcr.io" as "ghcr.io", Docker Hub's "https://registry-1.docker.io" as "docker.io"; an http:// upstream keeps its scheme. */
function shortUpstream(url: string | null): string {
  if (url === null) return '-';
  if (!url.startsWith('https://')) return url;
  const host = url.slice('https://'.length).replace(/\/$/, '');
  return host === 'registry-1.docker.io' ? 'docker.io' : host;
}

export function overviewColumns(home: string | undefined): readonly Column<RegistryOverview>[] {
  return [
    { header: 'REGISTRY', value: (r) => r.registry ?? '-' },
    { header: 'CONTAINER', value: (r) => r.container },
    { header: 'STATUS', value: (r) => r.status },
    { header: 'SECURITY', value: (r) => describeRegistrySecurity(r) },
    { header: 'STORAGE AREA', value: (r) => shortStorage(r.storageArea, home) },
    { header: 'SIZE', value: (r) => (r.size === null ? '-' : formatBytes(r.size)) },
    { header: 'IMAGE', value: (r) => r.image },
    { header: 'MIRROR OF', value: (r) => shortUpstream(r.mirrorOf) + (r.mirrorMode === 'offline' ? ' (offline)' : '') },
  ];
}

/** The table has a MIRROR OF column when a mirror is among the rows (templates and JSON always have it). */
export function printOverview(ctx: Context, rows: readonly RegistryOverview[]): void {
  const columns = overviewColumns(ctx.env.HOME);
  const mirrors = rows.some((r) => r.mirrorOf !== null);
  printRows(ctx, columns, rows, rows, () =>
    ctx.stdout.write(
      renderTable(
        columns.map((c) => (c.header === 'MIRROR OF' && !mirrors ? { ...c, hidden: true } : c)),
        rows,
      ),
    ),
  );
}
