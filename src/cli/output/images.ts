// lsi's table, its -q lines and its JSON; a tag that could not be read is also a warning.
import type { Context } from '../context.ts';
import type { ImageRow } from '../../registry/listings.ts';
import { printRows } from './print.ts';
import { formatBytes } from './table.ts';

/** Docker's short image id: the first 12 hex digits of the digest. */
export function shortId(digest: string): string {
  return digest.replace(/^sha(256|512):/, '').slice(0, 12);
}

export function printImages(ctx: Context, rows: readonly ImageRow[], quiet: boolean): void {
  for (const r of rows) if (r.error) ctx.info(`warning: ${r.registry}/${r.repository}:${r.tag}: ${r.error}`);
  if (quiet && ctx.format !== 'json') {
    ctx.stdout.write(rows.map((r) => `${r.registry}/${r.repository}:${r.tag}\n`).join(''));
    return;
  }
  printRows(
    ctx,
    [
      { header: 'REPOSITORY', value: (r: ImageRow) => `${r.registry}/${r.repository}` },
      { header: 'TAG', value: (r: ImageRow) => r.tag },
      { header: 'IMAGE ID', value: (r: ImageRow) => (r.digest ? shortId(r.digest) : '?') },
      { header: 'PLATFORMS', value: (r: ImageRow) => (r.error ? '(unreadable)' : r.platforms.join(',') || (r.kind === 'artifact' ? `(${r.entries[0]?.platform ?? 'artifact'})` : 'unknown')) },
      { header: 'SIZE', value: (r: ImageRow) => (r.error ? '?' : formatBytes(r.size)) },
    ],
    rows,
    rows.map((r) => ({
      registry: r.registry, repository: r.repository, tag: r.tag, digest: r.digest, mediaType: r.mediaType, kind: r.kind,
      platforms: r.platforms, size: r.size, ...(r.error ? { error: r.error } : {}),
    })),
  );
}
