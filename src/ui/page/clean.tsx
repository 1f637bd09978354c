// Cleaning up, as the command line does it: gc and prune each show their dry run first
// (what would go, the bytes freed), and change nothing until a confirmation.
import { useState } from 'preact/hooks';
import type { GcAnswer } from '../api-types.ts';
import { messageOf, post } from './api.ts';
import { Dialog } from './dialog.tsx';
import { formatBytes, plural } from './format.ts';
import { Heading } from './parts.tsx';
import { Prune, type CleanProps as Props } from './prune.tsx';

export function gcSummary(r: GcAnswer): string {
  const what = `${plural(r.manifests.length, 'untagged manifest')}, ${plural(r.repositories.length, 'empty repository', 'empty repositories')} and ${plural(r.blobs, 'blob')}`;
  return r.dryRun
    ? `gc would remove ${what}, freeing ${formatBytes(r.bytesFreed)}.`
    : `gc removed ${what} and freed ${formatBytes(r.bytesFreed)}.`;
}

function Gc({ info, announce, onChanged }: Props) {
  const [preview, setPreview] = useState<GcAnswer | undefined>(undefined);
  const [result, setResult] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState<'check' | 'run' | undefined>(undefined);
  const [asking, setAsking] = useState(false);
  const unavailable = info?.cleanupUnavailable;
  const call = async (dryRun: boolean): Promise<void> => {
    setBusy(dryRun ? 'check' : 'run');
    setError(undefined);
    try {
      const answer = await post<GcAnswer>('gc', { dryRun });
      if (dryRun) {
        setPreview(answer);
        setResult(undefined);
        announce(gcSummary(answer));
      } else {
        setPreview(undefined);
        setResult(gcSummary(answer));
        announce(gcSummary(answer));
        onChanged();
      }
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(undefined);
      setAsking(false);
    }
  };
  const nothing = preview !== undefined && preview.manifests.length === 0 && preview.repositories.length === 0 && preview.blobs === 0;
  return (
    <section class="card" aria-labelledby="gc-title">
      <h2 id="gc-title">Garbage collection</h2>
      <p>
        Removes untagged manifests that no tag needs and the blobs only they used. Every platform of a tagged index and every referrer
        stays. The registry restarts briefly.
      </p>
      {unavailable ? <p class="muted">{unavailable}</p> : null}
      <div class="buttons">
        <button type="button" onClick={() => void call(true)} disabled={busy !== undefined || unavailable !== undefined}>
          {busy === 'check' ? 'Checking…' : 'Check what gc would free'}
        </button>
        <button
          type="button"
          class="danger"
          onClick={() => setAsking(true)}
          disabled={busy !== undefined || preview === undefined || nothing}
        >
          Collect garbage…
        </button>
      </div>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {preview ? (
        <div class="result" id="gc-preview">
          <p>
            <strong>Dry run:</strong> {gcSummary(preview)}
            {nothing ? ' Nothing to do.' : ''}
          </p>
          {preview.manifests.length ? (
            <details>
              <summary>Manifests</summary>
              <ul class="plain">
                {preview.manifests.map((m) => (
                  <li key={m.repository + m.digest}>
                    <code>
                      {m.repository}@{m.digest}
                    </code>
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
          {preview.warnings.map((w) => (
            <p class="muted" key={w}>
              warning: {w}
            </p>
          ))}
        </div>
      ) : null}
      {result ? <p class="result">{result}</p> : null}
      <Dialog title={`Collect garbage in ${info?.registry ?? 'the registry'}?`} open={asking} onClose={() => setAsking(false)}>
        <p>{preview ? gcSummary(preview) : ''} The registry stops for a moment: pushes wait until it is back.</p>
        <p class="muted" role="status">
          {busy === 'run' ? 'Collecting garbage…' : ''}
        </p>
        <div class="buttons">
          <button type="button" data-autofocus onClick={() => setAsking(false)} disabled={busy === 'run'}>
            Cancel
          </button>
          <button type="button" class="danger" onClick={() => void call(false)} disabled={busy === 'run'}>
            Collect garbage
          </button>
        </div>
      </Dialog>
    </section>
  );
}

export function Clean(props: Props) {
  return (
    <section aria-labelledby="view-title">
      <Heading>Clean up</Heading>
      <Gc {...props} />
      <Prune {...props} />
    </section>
  );
}
