// lsi's table, its -q lines and its JSON; a tag that could not be read is also a warning.
import type { Context } from '../context.ts';
import type { ImageRow } from '../../registry/listings.ts';
import { printRows } from './print.ts';
import { formatBytes } from './table.ts';
import { timeAgo } from './human-duration.ts';

/** Docker's short image id: the first 12 hex digits of the digest. */
export function shortId(digest: string): string {
  return digest.replace(/^sha(256|512):/, '').slice(0, 12);
}

type Row = ImageRow & { pushed?: string };

export function printImages(ctx: Context, rows: readonly Row[], quiet: boolean): void {
  for (const r of rows) if (r.error) ctx.info(`warning: ${r.registry}/${r.repository}:${r.tag}: ${r.error}`);
  if (quiet && ctx.format !== 'json') {
    ctx.stdout.write(rows.map((r) => `${r.registry}/${r.repository}:${r.tag}\n`).join(''));
    return;
  }
  printRows(
    ctx,
    [
      { header: 'REPOSITORY', value: (r: Row) => `${r.registry}/${r.repository}` },
      { header: 'TAG', value: (r: Row) => r.tag },
      { header: 'IMAGE ID', value: (r: Row) => (r.digest ? shortId(r.digest) : '?') },
      { header: 'PLATFORMS', value: (r: Row) => (r.error ? '(unreadable)' : r.platforms.join(',') || (r.kind === 'artifact' ? `(${r.entries[0]?.platform ?? 'artifact'})` : 'unknown')) },
      { header: 'CREATED', value: (r: Row) => timeAgo(r.created) },
      { header: 'SIZE', value: (r: Row) => (r.error ? '?' : formatBytes(r.size)) },
    ],
    rows,
    rows.map((r) => ({
      registry: r.registry, repository: r.repository, tag: r.tag, digest: r.digest, mediaType: r.mediaType, kind: r.kind,
      platforms: r.platforms, size: r.size, created: r.created, pushed: r.pushed, ...(r.error ? { error: r.error } : {}),
    })),
  );
}
