// Pull progress, rendered from an event stream recorded from dockerd 20.10 pulling a
// one-layer image (test/engine/fixtures/pull-events.jsonl).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { JsonLines, PullProgress, readPullEvent } from '../../src/engine/pull.ts';

const recorded = readFileSync(new URL('fixtures/pull-events.jsonl', import.meta.url), 'utf8');

function sink(isTTY: boolean): { isTTY: boolean; text: string; write(s: string): void } {
  return {
    isTTY,
    text: '',
    write(s: string) {
      this.text += s;
    },
  };
}

function replay(out: { isTTY: boolean; write(s: string): void }, chunkSize: number): void {
  const display = new PullProgress(out);
  const parser = new JsonLines();
  for (let i = 0; i < recorded.length; i += chunkSize) {
    for (const e of parser.push(recorded.slice(i, i + chunkSize))) display.update(e);
  }
  for (const e of parser.end()) display.update(e);
}

test('not a terminal: one line per layer status, no progress bars, whatever the chunking', (t) => {
  const expected = [
    '1: Pulling from rand',
    'e822d48bd916: Pulling fs layer',
    'e822d48bd916: Downloading',
    'e822d48bd916: Verifying Checksum',
    'e822d48bd916: Download complete',
    'e822d48bd916: Extracting',
    'e822d48bd916: Pull complete',
    'Digest: sha256:f68c141741750d40ed2f84c1cd7dba7f822a66be966d83a54882ff7543d3dbd1',
    'Status: Downloaded newer image for localhost:45130/rand:1',
    '',
  ].join('\n');
  for (const size of [5, 64, recorded.length]) {
    const out = sink(false);
    replay(out, size);
    t.is(out.text, expected, `chunks of ${size}`);
  }
});

test('a terminal: the layer line is redrawn in place with its progress bar', (t) => {
  const out = sink(true);
  replay(out, recorded.length);
  t.true(out.text.includes('\x1b[2Ke822d48bd916: Downloading [>'));
  t.true(out.text.includes('\x1b[1A\x1b[2Ke822d48bd916: Pull complete\n'));
  t.true(out.text.endsWith('Status: Downloaded newer image for localhost:45130/rand:1\n\x1b[2Ke822d48bd916: Pull complete\n'));
  // Each layer line is drawn over itself: the screen never holds more than one line for it.
  const screen = render(out.text);
  t.deepEqual(screen, [
    '1: Pulling from rand',
    'Digest: sha256:f68c141741750d40ed2f84c1cd7dba7f822a66be966d83a54882ff7543d3dbd1',
    'Status: Downloaded newer image for localhost:45130/rand:1',
    'e822d48bd916: Pull complete',
  ]);
});

test('garbled lines are skipped', (t) => {
  const parser = new JsonLines();
  t.deepEqual(parser.push('{"status":"a"}\nnot json\n{"status":"b"}'), [{ status: 'a' }]);
  t.deepEqual(parser.end(), [{ status: 'b' }]);
});

/** A tiny terminal: handles \n, ESC[nA (up), ESC[2K (clear line), ESC[J (clear below). */
function render(text: string): string[] {
  const lines: string[] = [];
  let row = 0;
  let i = 0;
  while (i < text.length) {
    const esc = /^\x1b\[(\d*)([AKJ])/.exec(text.slice(i));
    if (esc) {
      if (esc[2] === 'A') row -= Number(esc[1] || 1);
      else if (esc[2] === 'K') lines[row] = '';
      else lines.length = row;
      i += esc[0].length;
    } else if (text[i] === '\n') {
      row += 1;
      i += 1;
    } else {
      lines[row] = (lines[row] ?? '') + text[i];
      i += 1;
    }
  }
  return lines.filter((l) => l !== undefined && l !== '');
}

test('events of the wrong shape are skipped like garbled lines, so a bad one cannot break the pull', (t) => {
  const parser = new JsonLines();
  const lines = [
    '{"status":"a"}',
    '{"status":5}',
    '["Downloading"]',
    '{"id":"l1","status":"Downloading","progressDetail":{"current":-1,"total":10}}',
    '{"id":"l1","status":"Downloading","progressDetail":"50%"}',
    '{"error":{"message":"denied"}}',
    '{"errorDetail":{"message":7},"error":"x"}',
    '{"id":"l1","status":"Downloading","progressDetail":{"current":5,"total":10},"progress":"[=>  ]"}',
    '{"errorDetail":{"message":"denied"},"error":"denied"}',
    '',
  ];
  t.deepEqual(parser.push(lines.join('\n')), [
    { status: 'a' },
    { id: 'l1', status: 'Downloading', progress: '[=>  ]', progressDetail: { current: 5, total: 10 } },
    { error: 'denied', errorDetail: { message: 'denied' } },
  ]);
  t.deepEqual(readPullEvent({ status: 'Waiting', id: 'l2', progressDetail: {} }), { status: 'Waiting', id: 'l2', progressDetail: {} });
});
