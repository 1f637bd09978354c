// What rmi and rmr deleted, in Docker's words (Untagged:, Deleted:), as JSON, or through
// a template over one row per image named.
import type { Context } from '../context.ts';
import type { Removal } from '../../registry/remove-images.ts';
import type { RepositoryDeletion } from '../../storage/delete-repositories.ts';
import { printRows } from './print.ts';
import type { Column } from './table.ts';
import { shortDigest } from '../../human-format.ts';

type Row = Removal & { registry: string };

export const removalColumns: readonly Column<Row>[] = [
  { header: 'REPOSITORY', value: (r) => `${r.registry}/${r.repository}` },
  { header: 'TAG', value: (r) => r.tag ?? '' },
  { header: 'DIGEST', value: (r) => r.digest },
  { header: 'ACTION', value: (r) => r.action },
  { header: 'ALSO REMOVED', value: (r) => r.alsoRemovedTags.join(',') },
  { header: 'REFERRERS', value: (r) => (r.referrers ?? []).map((x) => x.tag ?? x.digest).join(','), hidden: true },
];

/** Docker's lines: each tag that went (once), then each manifest deleted (once, however many of its tags were named). */
function removalLines(rows: readonly Row[]): string[] {
  const lines: string[] = [];
  const deleted = new Map<string, Set<string>>();
  for (const r of rows) {
    const name = `${r.registry}/${r.repository}`;
    if (r.action === 'untagged') {
      lines.push(`Untagged: ${name}:${r.tag}`);
      continue;
    }
    const key = `${name}@${r.digest}`;
    const tags = deleted.get(key) ?? new Set<string>();
    for (const t of r.tag !== undefined ? [r.tag, ...r.alsoRemovedTags] : r.alsoRemovedTags) tags.add(t);
    deleted.set(key, tags);
  }
  for (const [key, tags] of deleted) {
    const name = key.slice(0, key.indexOf('@'));
    lines.push(...[...tags].map((t) => `Untagged: ${name}:${t}`), `Deleted: ${key}`);
  }
  // Signatures, attestations and SBOMs that went with their image, each once.
  const told = new Set<string>();
  for (const r of rows) {
    const name = `${r.registry}/${r.repository}`;
    for (const x of r.referrers ?? []) {
      if (told.has(`${name}@${x.digest}`)) continue;
      told.add(`${name}@${x.digest}`);
      const via = x.tag !== undefined ? `, tag ${x.tag}` : '';
      lines.push(`Deleted: ${name}@${x.digest} (${x.kind} of ${shortDigest(x.subject)}${via})`);
    }
  }
  return lines;
}

export function printRemovals(ctx: Context, rows: readonly Row[]): void {
  printRows(ctx, removalColumns, rows, rows, () =>
    ctx.stdout.write(
      removalLines(rows)
        .map((l) => l + '\n')
        .join(''),
    ),
  );
}

export const repositoryDeletionColumns: readonly Column<RepositoryDeletion>[] = [
  { header: 'REPOSITORY', value: (r) => `${r.registry}/${r.repository}` },
  { header: 'MANIFESTS', value: (r) => String(r.manifests) },
];

export function printRepositoryDeletions(ctx: Context, rows: readonly RepositoryDeletion[]): void {
  printRows(ctx, repositoryDeletionColumns, rows, rows, () => {
    for (const r of rows)
      ctx.stdout.write(`Deleted: ${r.registry}/${r.repository} (${r.manifests} manifest${r.manifests === 1 ? '' : 's'})\n`);
  });
}
