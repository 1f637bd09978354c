import test from 'ava';
import { copyProgress, progressMode } from '../../../src/cli/output/copy-progress.ts';
import { waitFor } from '../../helpers/wait.ts';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, sink: { isTTY, write: (s: string) => writes.push(s) } };
}

const D1 = 'sha256:' + '1'.repeat(64);
const D2 = 'sha256:' + '2'.repeat(64);

test('mode: --quiet wins, else TTY or plain', (t) => {
  t.is(progressMode({ isTTY: true, write: () => 0 }, true), 'quiet');
  t.is(progressMode({ isTTY: true, write: () => 0 }, false), 'tty');
  t.is(progressMode({ write: () => 0 }, false), 'plain');
});

test('plain: one line per finished blob, manifest and tag, nothing for bytes', (t) => {
  const { writes, sink: s } = sink(false);
  const p = copyProgress(s, 'plain');
  p.events.blobStart?.(D1, 2_000_000);
  p.events.blobBytes?.(D1, 1_000_000);
  p.events.blobDone?.(D1, 2_000_000, 'copied');
  p.events.blobDone?.(D2, 10, 'exists');
  p.events.manifestDone?.(D2, 'x', 'copied');
  p.events.tagDone?.('r.example/app:v1', D2);
  p.finish();
  t.deepEqual(writes, [
    '111111111111: copied (2.00MB)\n',
    '222222222222: already there (10B)\n',
    '222222222222: manifest copied\n',
    `r.example/app:v1: ${D2}\n`,
  ]);
});

test('quiet: nothing at all', (t) => {
  const { writes, sink: s } = sink(true);
  const p = copyProgress(s, 'quiet');
  p.events.blobDone?.(D1, 1, 'copied');
  p.finish();
  t.deepEqual(writes, []);
});

test('tty: live bars for blobs in flight, redrawn in place; finished lines stay above', async (t) => {
  const { writes, sink: s } = sink(true);
  const p = copyProgress(s, 'tty');
  p.events.blobStart?.(D1, 1000);
  p.events.blobStart?.(D2, 1000);
  p.events.blobBytes?.(D1, 500);
  await waitFor('the first redraw', () => writes.length > 0);
  t.is(writes.length, 1);
  t.regex(writes[0]!, /^111111111111: \[=+>\s+\] 500B\/1.00kB\n222222222222: \[> +\] 0B\/1.00kB\n$/);
  p.events.blobDone?.(D1, 1000, 'copied');
  p.finish();
  // Up two lines, clear, the finished line, then the one still in flight is gone (finish).
  t.is(writes[1], '\x1b[2A\x1b[J111111111111: copied (1.00kB)\n');
  t.is(writes.length, 2);
});

test('tty: a status line stays below the blobs in flight, replaced by the next; line() scrolls above', async (t) => {
  const { writes, sink: s } = sink(true);
  const p = copyProgress(s, 'tty');
  p.status('tags: 0/3 done, 0B sent');
  p.events.blobStart?.(D1, 1000);
  await waitFor('the first redraw', () => writes.length > 0);
  t.is(writes[0], '111111111111: [>                       ] 0B/1.00kB\ntags: 0/3 done, 0B sent\n');
  p.events.blobDone?.(D1, 1000, 'copied');
  p.line('[1/3] r.example/app:v1: copied (1.00kB)');
  p.status('tags: 1/3 done, 1.00kB sent');
  p.finish();
  // Up the bar and the status line, clear; the finished lines, then the last status stays.
  t.is(writes[1], '\x1b[2A\x1b[J111111111111: copied (1.00kB)\n[1/3] r.example/app:v1: copied (1.00kB)\ntags: 1/3 done, 1.00kB sent\n');
  t.is(writes.length, 2);
});

test('plain: line() writes at once, status() nothing (a pipe gets no line rewritten)', (t) => {
  const { writes, sink: s } = sink(false);
  const p = copyProgress(s, 'plain');
  p.status('tags: 0/1 done');
  p.line('[1/1] r.example/app:v1: present');
  p.finish();
  t.deepEqual(writes, ['[1/1] r.example/app:v1: present\n']);
});
