// Deleting a tag: asked first; refused, as rmi refuses, when the registry can only delete
// by digest and other tags would go or break with it. The refusal names them and offers
// the forcing choice (rmi --force) as a second, explicit confirmation.
import { useEffect, useState } from 'preact/hooks';
import type { DeleteAnswer, TagRow } from '../api-types.ts';
import { ApiError, messageOf, post } from './api.ts';
import { Dialog } from './dialog.tsx';
import { plural, shortDigest } from './format.ts';

type Phase =
  | { phase: 'ask' }
  | { phase: 'working' }
  | { phase: 'refused'; message: string; collateral: string[] }
  | { phase: 'failed'; message: string };

interface Props {
  repository: string;
  row: TagRow | undefined;
  /** Other tags on the same digest. */
  siblings: string[];
  onClose(): void;
  onDone(text: string): void;
}

export function describeRemoval(answer: DeleteAnswer): string {
  return answer.removed
    .map((r) => {
      const name = `${r.repository}:${r.tag ?? ''}`;
      if (r.action === 'untagged') return `Removed the tag ${name}; gc frees the bytes nothing else uses.`;
      const also = r.alsoRemovedTags.length ? ` with ${r.alsoRemovedTags.map((t) => `${r.repository}:${t}`).join(', ')}` : '';
      return `Deleted ${name} (image ${shortDigest(r.digest)})${also}; gc frees the bytes nothing else uses.`;
    })
    .join(' ');
}

export function DeleteTag({ repository, row, siblings, onClose, onDone }: Props) {
  const [state, setState] = useState<Phase>({ phase: 'ask' });
  useEffect(() => setState({ phase: 'ask' }), [row]);
  const name = `${repository}:${row?.tag ?? ''}`;
  const run = async (force: boolean): Promise<void> => {
    if (!row) return;
    setState({ phase: 'working' });
    try {
      onDone(describeRemoval(await post<DeleteAnswer>('delete', { repository, tag: row.tag, force })));
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.body.refused === true) {
        setState({ phase: 'refused', message: err.message, collateral: (err.body.collateral as string[] | undefined) ?? [] });
      } else {
        setState({ phase: 'failed', message: messageOf(err) });
      }
    }
  };
  const working = state.phase === 'working';
  return (
    <Dialog title={state.phase === 'refused' ? `Refused: ${name}` : `Delete ${name}?`} open={row !== undefined} onClose={onClose}>
      {state.phase === 'refused' ? (
        <>
          <p role="alert">{state.message}.</p>
          <p>
            <strong>Delete anyway</strong> removes {state.collateral.join(', ')} too, as <code>docker jindr rmi --force</code> does.
          </p>
          <div class="buttons">
            <button type="button" data-autofocus onClick={onClose}>
              Cancel
            </button>
            <button type="button" class="danger" onClick={() => void run(true)}>
              Delete anyway, with {plural(state.collateral.length, 'other tag')}
            </button>
          </div>
        </>
      ) : (
        <>
          <p>
            This removes the tag <strong>{name}</strong>
            {row?.digest ? (
              <>
                {' '}
                (image <code>{shortDigest(row.digest)}</code>)
              </>
            ) : null}
            .
            {siblings.length
              ? ` ${siblings.map((t) => `${repository}:${t}`).join(', ')} ${siblings.length === 1 ? 'points' : 'point'} at the same image and must stay: where this registry cannot delete a tag alone, the delete is refused and you are asked again.`
              : ''}
          </p>
          {state.phase === 'failed' ? (
            <p class="error" role="alert">
              {state.message}
            </p>
          ) : null}
          <p class="muted" role="status">
            {working ? 'Deleting…' : ''}
          </p>
          <div class="buttons">
            <button type="button" data-autofocus onClick={onClose} disabled={working}>
              Cancel
            </button>
            <button type="button" class="danger" onClick={() => void run(false)} disabled={working}>
              Delete tag
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
