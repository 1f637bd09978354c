// The registry's disk usage as a picture: a bar per repository, the bytes only it uses
// and the bytes it shares with other repositories; the numbers are in the table too.
import type { UsageAnswer } from '../api-types.ts';
import { get } from './api.ts';
import { formatBytes } from './format.ts';
import { useLoad } from './hooks.ts';
import { Failure, Heading, Loading, repoHref } from './parts.tsx';

export function Usage({ round }: { round: number }) {
  const { data, error, loading } = useLoad(() => get<UsageAnswer>('usage'), [round]);
  const rows = [...(data?.repositories ?? [])].sort(
    (a, b) => b.unique + b.shared - (a.unique + a.shared) || a.repository.localeCompare(b.repository),
  );
  const max = Math.max(1, ...rows.map((r) => r.unique + r.shared));
  const width = (bytes: number) => ({ width: `${(100 * bytes) / max}%` });
  const storage = data?.source === 'storage';
  return (
    <section aria-labelledby="view-title">
      <Heading>Disk usage</Heading>
      {error ? <Failure message={error} /> : null}
      {loading && !data ? <Loading what="disk usage" /> : null}
      {data ? (
        <>
          <p class="count" id="usage-total">
            {formatBytes(data.total)} in all, each blob counted once
            {data.unreferenced > 0 ? ` (${formatBytes(data.unreferenced)} in blobs nothing uses)` : ''}
            {data.reclaimable !== undefined ? `; gc could free ${formatBytes(data.reclaimable)} now` : ''}.
            {data.source === 'manifests'
              ? ` Worked out from the manifests the registry's tags reach${data.note ? ` (${data.note})` : ''}: untagged manifests and unreferenced blobs are not seen.`
              : " Read from the registry's storage."}
          </p>
          <p class="legend" aria-hidden="true">
            <span class="swatch unique" /> only this repository <span class="swatch shared" /> shared with others
          </p>
          <table class="list usage" aria-describedby="usage-total">
            <thead>
              <tr>
                <th scope="col">Repository</th>
                <th scope="col" class="bar-cell">
                  <span class="sr-only">Bar</span>
                </th>
                <th scope="col" class="num">
                  Only this
                </th>
                <th scope="col" class="num">
                  Shared
                </th>
                {storage ? (
                  <th scope="col" class="num">
                    gc could free
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.repository}>
                  <td>
                    <a href={repoHref(r.repository)}>{r.repository}</a>
                  </td>
                  <td class="bar-cell">
                    <div class="bar" aria-hidden="true">
                      <span class="unique" style={width(r.unique)} />
                      <span class="shared" style={width(r.shared)} />
                    </div>
                  </td>
                  <td class="num">{formatBytes(r.unique)}</td>
                  <td class="num">{formatBytes(r.shared)}</td>
                  {storage ? <td class="num">{formatBytes(r.reclaimable ?? 0)}</td> : null}
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length === 0 ? <p>The registry holds nothing yet.</p> : null}
        </>
      ) : null}
    </section>
  );
}
