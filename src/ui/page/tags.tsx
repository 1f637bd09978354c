// A repository's tags, sortable by name, created, pushed and size; each can be deleted
// through a confirmation (delete-tag.tsx). Signature, attestation and SBOM tags are not rows:
// the Referrers cell of their image says what it has (the image view shows the tree).
import { useState } from 'preact/hooks';
import type { TagRow, TagsAnswer } from '../api-types.ts';
import { get } from './api.ts';
import { DeleteTag } from './delete-tag.tsx';
import { ago, byName, formatBytes, plural, shortDigest } from './format.ts';
import { useLoad } from './hooks.ts';
import { Failure, Heading, imageHref, Loading, Time } from './parts.tsx';

type Key = 'name' | 'created' | 'pushed' | 'size';
type Direction = 'ascending' | 'descending';

const COLUMNS: { key: Key; label: string; num?: boolean }[] = [
  { key: 'name', label: 'Tag' },
  { key: 'created', label: 'Created' },
  { key: 'pushed', label: 'Pushed' },
  { key: 'size', label: 'Size', num: true },
];

const time = (d: string | undefined): number => (d === undefined ? Number.NEGATIVE_INFINITY : Date.parse(d));

function compare(key: Key): (a: TagRow, b: TagRow) => number {
  if (key === 'name') return (a, b) => byName(a.tag, b.tag);
  if (key === 'size') return (a, b) => a.size - b.size || byName(a.tag, b.tag);
  return (a, b) => time(a[key]) - time(b[key]) || byName(a.tag, b.tag);
}

export function sortTags(rows: readonly TagRow[], key: Key, direction: Direction): TagRow[] {
  const sorted = [...rows].sort(compare(key));
  return direction === 'ascending' ? sorted : sorted.reverse();
}

export function Tags({ repository, round, announce }: { repository: string; round: number; announce(text: string): void }) {
  const { data, error, loading, reload } = useLoad(() => get<TagsAnswer>('tags', { repository }), [repository, round]);
  const [sort, setSort] = useState<{ key: Key; direction: Direction }>({ key: 'name', direction: 'ascending' });
  const [deleting, setDeleting] = useState<TagRow | undefined>(undefined);
  const choose = (key: Key): void => {
    const direction: Direction =
      sort.key === key ? (sort.direction === 'ascending' ? 'descending' : 'ascending') : key === 'name' ? 'ascending' : 'descending';
    setSort({ key, direction });
    announce(`Sorted by ${key}, ${direction}`);
  };
  const rows = data ? sortTags(data.tags, sort.key, sort.direction) : [];
  return (
    <section aria-labelledby="view-title">
      <p class="crumbs">
        <a href="#/">Repositories</a> /{' '}
      </p>
      <Heading>{repository}</Heading>
      {error ? <Failure message={error} /> : null}
      {loading && !data ? <Loading what="tags" /> : null}
      {data ? (
        <>
          <p class="count" id="tag-count">
            {plural(data.tags.length, 'tag')}
            {data.pushedKnown ? '' : ' (push times are known only for a registry docker-jindr runs)'}
          </p>
          <table class="list" aria-describedby="tag-count">
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <th scope="col" class={c.num ? 'num' : undefined} aria-sort={sort.key === c.key ? sort.direction : 'none'} key={c.key}>
                    <button type="button" class="sort" onClick={() => choose(c.key)}>
                      {c.label}
                      <span aria-hidden="true" class="arrow">
                        {sort.key === c.key ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : ' ↕'}
                      </span>
                    </button>
                  </th>
                ))}
                <th scope="col">Image ID</th>
                <th scope="col">Platforms</th>
                <th scope="col">Referrers</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.tag}>
                  <td>
                    <a href={imageHref(repository, r.tag)}>{r.tag}</a>
                  </td>
                  <td>
                    <Time date={r.created} text={ago(r.created)} />
                  </td>
                  <td>
                    <Time date={r.pushed} text={ago(r.pushed)} />
                  </td>
                  <td class="num">{r.error ? '?' : formatBytes(r.size)}</td>
                  <td>
                    <code>{r.digest ? shortDigest(r.digest) : '?'}</code>
                  </td>
                  <td>
                    {r.error ? <span class="error">{r.error}</span> : r.platforms.join(', ') || (r.kind === 'artifact' ? 'artifact' : '')}
                  </td>
                  <td class="referrers">{r.referrerOf !== undefined ? `(of ${shortDigest(r.referrerOf)})` : (r.referrers ?? '')}</td>
                  <td>
                    <button type="button" class="danger small" aria-label={`Delete ${repository}:${r.tag}`} onClick={() => setDeleting(r)}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      <DeleteTag
        repository={repository}
        row={deleting}
        siblings={deleting && data ? data.tags.filter((t) => t.digest === deleting.digest && t.tag !== deleting.tag).map((t) => t.tag) : []}
        onClose={() => setDeleting(undefined)}
        onDone={(text) => {
          setDeleting(undefined);
          announce(text);
          reload();
          document.getElementById('view-title')?.focus();
        }}
      />
    </section>
  );
}
