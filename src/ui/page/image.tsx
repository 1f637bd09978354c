// One image: its platforms, each with its config and layers (and which other images
// share each layer), the tags on its digest, and what refers to it.
import type { ConfigView, ImageAnswer, PlatformView } from '../api-types.ts';
import { get } from './api.ts';
import { ago, formatBytes, plural, shortDigest } from './format.ts';
import { useLoad } from './hooks.ts';
import { Failure, Heading, imageHref, Loading, repoHref, Time, Unknown } from './parts.tsx';
import { Referrers } from './referrers.tsx';

const words = (list: string[] | undefined) => (list && list.length ? <code>{JSON.stringify(list)}</code> : <Unknown />);

function Config({ config, id }: { config: ConfigView; id: string }) {
  const labels = Object.entries(config.labels);
  return (
    <>
      <dl class="facts">
        <dt>Created</dt>
        <dd>
          <Time
            date={config.created}
            text={config.created ? `${new Date(config.created).toLocaleString()} (${ago(config.created)})` : ''}
          />
        </dd>
        <dt>Entrypoint</dt>
        <dd>{words(config.entrypoint)}</dd>
        <dt>Cmd</dt>
        <dd>{words(config.cmd)}</dd>
        {config.workingDir ? (
          <>
            <dt>Working dir</dt>
            <dd>
              <code>{config.workingDir}</code>
            </dd>
          </>
        ) : null}
        {config.user ? (
          <>
            <dt>User</dt>
            <dd>
              <code>{config.user}</code>
            </dd>
          </>
        ) : null}
      </dl>
      <details>
        <summary>Environment ({plural(config.env.length, 'variable')})</summary>
        <ul class="plain" aria-label="Environment">
          {config.env.map((e) => (
            <li key={e}>
              <code>{e}</code>
            </li>
          ))}
        </ul>
      </details>
      <details>
        <summary>Labels ({plural(labels.length, 'label')})</summary>
        <table class="list" aria-label="Labels">
          <thead>
            <tr>
              <th scope="col">Label</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {labels.map(([k, v]) => (
              <tr key={k}>
                <td>
                  <code>{k}</code>
                </td>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      <details>
        <summary>History ({plural(config.history.length, 'step')})</summary>
        <ol class="history" aria-label={`History ${id}`}>
          {config.history.map((h, i) => (
            <li key={i}>
              <code>{h.createdBy ?? h.comment ?? '(no command)'}</code>
              {h.emptyLayer ? <span class="muted"> (no layer)</span> : null}
              {h.created ? (
                <span class="muted">
                  {' '}
                  · <Time date={h.created} text={ago(h.created)} />
                </span>
              ) : null}
            </li>
          ))}
        </ol>
      </details>
    </>
  );
}

function Platform({ p, index }: { p: PlatformView; index: number }) {
  const id = `platform-${index}`;
  return (
    <section class="card" aria-labelledby={id}>
      <h3 id={id}>{p.platform}</h3>
      <p class="muted">
        <code>{p.digest}</code>
        {p.size !== undefined ? ` · ${formatBytes(p.size)}` : ''}
      </p>
      {p.error ? <Failure message={p.error} /> : null}
      {p.config ? <Config config={p.config} id={p.platform} /> : null}
      {p.layers.length ? (
        <table class="list layers" aria-label={`Layers of ${p.platform}`}>
          <thead>
            <tr>
              <th scope="col" class="num">
                #
              </th>
              <th scope="col">Layer</th>
              <th scope="col" class="num">
                Size
              </th>
              <th scope="col">Shared with</th>
            </tr>
          </thead>
          <tbody>
            {p.layers.map((l, i) => (
              <tr key={`${l.digest}-${i}`}>
                <td class="num">{i + 1}</td>
                <td>
                  <code title={l.digest}>{shortDigest(l.digest)}</code>
                </td>
                <td class="num">{formatBytes(l.size)}</td>
                <td>{l.sharedWith.length ? l.sharedWith.join(', ') : <span class="muted">only this image</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

export function Image({ repository, reference, round }: { repository: string; reference: string; round: number }) {
  const { data, error, loading } = useLoad(() => get<ImageAnswer>('image', { repository, reference }), [repository, reference, round]);
  const separator = reference.includes(':') ? '@' : ':';
  return (
    <section aria-labelledby="view-title">
      <p class="crumbs">
        <a href="#/">Repositories</a> / <a href={repoHref(repository)}>{repository}</a> /
      </p>
      <Heading>
        {repository}
        {separator}
        {separator === '@' ? shortDigest(reference) : reference}
      </Heading>
      {error ? <Failure message={error} /> : null}
      {loading && !data ? <Loading what="the image" /> : null}
      {data ? (
        <>
          <dl class="facts">
            <dt>Digest</dt>
            <dd>
              <code>{data.digest}</code>
            </dd>
            <dt>Kind</dt>
            <dd>{data.kind === 'index' ? `index of ${plural(data.platforms.length, 'entry', 'entries')}` : data.kind}</dd>
            <dt>Media type</dt>
            <dd>
              <code>{data.mediaType}</code>
            </dd>
            <dt>Size</dt>
            <dd>{formatBytes(data.size)}</dd>
            <dt>Tags</dt>
            <dd>
              {data.tags.length ? (
                <ul class="inline">
                  {data.tags.map((t) => (
                    <li key={t}>
                      <a href={imageHref(repository, t)}>{t}</a>
                    </li>
                  ))}
                </ul>
              ) : (
                <Unknown />
              )}
            </dd>
          </dl>
          <h2>Platforms</h2>
          {data.platforms.map((p, i) => (
            <Platform p={p} index={i} key={p.digest} />
          ))}
          <h2 id="referrers-title">Referrers</h2>
          <Referrers nodes={data.referrers} />
        </>
      ) : null}
    </section>
  );
}
