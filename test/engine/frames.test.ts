// The engine's multiplexed stdout/stderr frames, cut out of chunks split anywhere.
import test from 'ava';
import { PassThrough } from 'node:stream';
import { FrameSplitter, readFrames } from '../../src/engine/frames.ts';
import { engineFrame } from '../fakes/engine.ts';

test('frames come out whole whatever the chunking', (t) => {
  const all = Buffer.concat([engineFrame(1, 'out one\n'), engineFrame(2, 'err\n'), engineFrame(1, ''), engineFrame(1, 'x'.repeat(300))]);
  for (const size of [1, 3, 7, 8, 9, 50, all.length]) {
    const splitter = new FrameSplitter();
    const got: string[] = [];
    for (let i = 0; i < all.length; i += size) {
      for (const f of splitter.push(all.subarray(i, i + size))) got.push(`${f.stream}:${f.data.toString()}`);
    }
    t.deepEqual(got, ['1:out one\n', '2:err\n', '1:', `1:${'x'.repeat(300)}`], `chunks of ${size}`);
    t.is(splitter.leftover, 0);
  }
});

test('readFrames: multiplexed and raw (tty) streams', async (t) => {
  const muxed = new PassThrough();
  const got: string[] = [];
  const done = readFrames(muxed, false, (f) => got.push(`${f.stream}:${f.data.toString()}`));
  muxed.write(engineFrame(2, 'a'));
  muxed.end(engineFrame(1, 'b'));
  await done;
  t.deepEqual(got, ['2:a', '1:b']);

  const raw = new PassThrough();
  const rawGot: string[] = [];
  const rawDone = readFrames(raw, true, (f) => rawGot.push(`${f.stream}:${f.data.toString()}`));
  raw.end('plain text');
  await rawDone;
  t.deepEqual(rawGot, ['1:plain text']);
});
