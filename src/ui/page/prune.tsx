// prune in the page: the same rules as `docker jindr prune` (keep the newest N, older
// than, match, exclude, protect), a dry run first, then a confirmation.
import { useState } from 'preact/hooks';
import type { InfoAnswer, PruneAnswer, PruneRequest } from '../api-types.ts';
import { messageOf, post } from './api.ts';
import { Dialog } from './dialog.tsx';
import { ago, formatBytes, plural } from './format.ts';
import { Time } from './parts.tsx';

const list = (text: string): string[] => text.split(/[\s,]+/).filter(Boolean);

export function pruneSummary(r: PruneAnswer): string {
  const tags = plural(r.tags.length, 'tag');
  const then = `${plural(r.manifests, 'untagged manifest')} and ${plural(r.blobs, 'blob')}`;
  const changed = r.changed.length ? ` Left alone, pushed again meanwhile: ${r.changed.join(', ')}.` : '';
  return r.dryRun
    ? `prune would remove ${tags}, then gc ${then}, freeing ${formatBytes(r.bytesFreed)}.`
    : `prune removed ${tags}, then gc ${then}, and freed ${formatBytes(r.bytesFreed)}.${changed}`;
}

export interface CleanProps {
  info: InfoAnswer | undefined;
  announce(text: string): void;
  onChanged(): void;
}

interface Form {
  repositories: string;
  keep: string;
  semver: boolean;
  olderThan: string;
  match: string;
  exclude: string;
  protect: string;
}

export function pruneRequest(form: Form, dryRun: boolean): PruneRequest {
  const request: PruneRequest = { dryRun };
  if (list(form.repositories).length) request.repositories = list(form.repositories);
  if (form.keep.trim() !== '') request.keep = Number(form.keep);
  if (form.semver) request.semver = true;
  if (form.olderThan.trim() !== '') request.olderThan = form.olderThan.trim();
  if (list(form.match).length) request.match = list(form.match);
  if (list(form.exclude).length) request.exclude = list(form.exclude);
  request.protect = list(form.protect);
  return request;
}

export function Prune({ info, announce, onChanged }: CleanProps) {
  const [form, setForm] = useState<Form>({
    repositories: '',
    keep: '',
    semver: false,
    olderThan: '',
    match: '',
    exclude: '',
    protect: 'latest',
  });
  const [preview, setPreview] = useState<PruneAnswer | undefined>(undefined);
  const [result, setResult] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState(false);
  const off = info?.cleanupUnavailable !== undefined;
  const why = info?.cleanupUnavailable;
  const field = (key: keyof Form) => ({
    value: form[key] as string,
    disabled: off,
    onInput: (e: Event) => {
      setForm({ ...form, [key]: (e.target as HTMLInputElement).value });
      setPreview(undefined);
    },
  });
  const call = async (dryRun: boolean): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await post<PruneAnswer>('prune', pruneRequest(form, dryRun));
      announce(pruneSummary(answer));
      if (dryRun) {
        setPreview(answer);
        setResult(undefined);
      } else {
        setPreview(undefined);
        setResult(pruneSummary(answer));
        onChanged();
      }
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };
  return (
    <section class="card" aria-labelledby="prune-title">
      <h2 id="prune-title">Prune tags</h2>
      <p>
        Removes tags by rule, as <code>docker jindr prune</code> does: never a tag the rules keep or protect, nor what a kept tag needs;
        then collects garbage.
      </p>
      {why ? <p class="muted">{why}</p> : null}
      <form
        class="grid"
        onSubmit={(e) => {
          e.preventDefault();
          void call(true);
        }}
      >
        <label for="prune-repos">
          Repositories <span class="muted">(all when empty)</span>
        </label>
        <input id="prune-repos" {...field('repositories')} />
        <label for="prune-keep">Keep the newest</label>
        <input id="prune-keep" type="number" min="0" inputMode="numeric" {...field('keep')} />
        <label for="prune-semver">By semantic version</label>
        <input
          id="prune-semver"
          type="checkbox"
          checked={form.semver}
          disabled={off}
          onChange={(e) => setForm({ ...form, semver: (e.target as HTMLInputElement).checked })}
        />
        <label for="prune-older">
          Older than <span class="muted">(e.g. 30d, 12h)</span>
        </label>
        <input id="prune-older" {...field('olderThan')} />
        <label for="prune-match">Only tags matching</label>
        <input id="prune-match" {...field('match')} />
        <label for="prune-exclude">Never tags matching</label>
        <input id="prune-exclude" {...field('exclude')} />
        <label for="prune-protect">Protect</label>
        <input id="prune-protect" {...field('protect')} />
        <div class="buttons span">
          <button type="submit" disabled={off || busy}>
            {busy && !asking ? 'Checking…' : 'Check what prune would remove'}
          </button>
          <button
            type="button"
            class="danger"
            disabled={off || busy || !preview || preview.tags.length === 0}
            onClick={() => setAsking(true)}
          >
            Prune…
          </button>
        </div>
      </form>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {preview ? (
        <div class="result" id="prune-preview">
          <p>
            <strong>Dry run:</strong> {pruneSummary(preview)}
          </p>
          <ul class="plain" aria-label="Tags prune would remove">
            {preview.tags.map((t) => (
              <li key={`${t.repository}:${t.tag}`}>
                <code>
                  {t.repository}:{t.tag}
                </code>
                {t.pushed ? (
                  <span class="muted">
                    {' '}
                    · pushed <Time date={t.pushed} text={ago(t.pushed)} />
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
          {preview.warnings.map((w) => (
            <p class="muted" key={w}>
              warning: {w}
            </p>
          ))}
        </div>
      ) : null}
      {result ? <p class="result">{result}</p> : null}
      <Dialog title="Prune these tags?" open={asking} onClose={() => setAsking(false)}>
        <p>{preview ? pruneSummary(preview) : ''}</p>
        <p class="muted" role="status">
          {busy ? 'Pruning…' : ''}
        </p>
        <div class="buttons">
          <button type="button" data-autofocus onClick={() => setAsking(false)} disabled={busy}>
            Cancel
          </button>
          <button type="button" class="danger" onClick={() => void call(false)} disabled={busy}>
            Prune
          </button>
        </div>
      </Dialog>
    </section>
  );
}
