// The registry's repositories, with a filter box and the counts of what is shown.
import { useState } from 'preact/hooks';
import type { RepositoriesAnswer } from '../api-types.ts';
import { get } from './api.ts';
import { plural } from './format.ts';
import { useLoad } from './hooks.ts';
import { Failure, Heading, Loading, repoHref } from './parts.tsx';

export function Repositories({ round }: { round: number }) {
  const { data, error, loading } = useLoad(() => get<RepositoriesAnswer>('repositories'), [round]);
  const [filter, setFilter] = useState('');
  const all = data?.repositories ?? [];
  const words = filter.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const shown = all.filter((r) => words.every((w) => r.name.toLowerCase().includes(w)));
  const tags = shown.reduce((sum, r) => sum + r.tags, 0);
  return (
    <section aria-labelledby="view-title">
      <Heading>Repositories</Heading>
      <div class="toolbar">
        <label for="repo-filter">Filter repositories</label>
        <input
          id="repo-filter"
          type="search"
          value={filter}
          placeholder="name contains…"
          autocomplete="off"
          spellcheck={false}
          onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
        />
      </div>
      {error ? <Failure message={error} /> : null}
      {loading && !data ? <Loading what="repositories" /> : null}
      {data ? (
        <>
          <p class="count" role="status" id="repo-count">
            {words.length
              ? `${shown.length} of ${plural(all.length, 'repository', 'repositories')}`
              : plural(all.length, 'repository', 'repositories')}
            , {plural(tags, 'tag')}
          </p>
          <table class="list" aria-describedby="repo-count">
            <thead>
              <tr>
                <th scope="col">Repository</th>
                <th scope="col" class="num">
                  Tags
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.name}>
                  <td>
                    <a href={repoHref(r.name)}>{r.name}</a>
                  </td>
                  <td class="num">{r.tags}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {shown.length === 0 ? (
            <p>{all.length === 0 ? 'The registry holds no repositories yet.' : 'No repository matches the filter.'}</p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
