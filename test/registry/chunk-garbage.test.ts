// A transfer's chunks are collected young: every COLLECT_EVERY bytes passed, one minor
// collection, none in between. Counted with V8's GCProfiler, which records every
// collection as it happens (no observer queue to wait for): within a synchronous stretch
// that allocates next to nothing, no collection comes from allocation, so each one counted
// is one chunksPassed forced. (What it buys, peak RSS and CPU of a 1 GiB copy, is in
// src/registry/chunk-garbage.ts and measured by `npm run bench -- copy`.)
import test from 'ava';
import { GCProfiler } from 'node:v8';
import { COLLECT_EVERY, chunksPassed } from '../../src/registry/chunk-garbage.ts';

/** The kinds of the collections made while fn ran. */
function collections(fn: () => void): string[] {
  const profiler = new GCProfiler();
  profiler.start();
  fn();
  return profiler.stop().statistics.map((s) => s.gcType);
}

test('a minor collection after every COLLECT_EVERY bytes, not before, and never a full one', (t) => {
  chunksPassed(COLLECT_EVERY); // the first one loads gc() (a new context): start from here
  t.deepEqual(
    collections(() => {
      for (let i = 0; i < 31; i++) chunksPassed(COLLECT_EVERY / 32);
    }),
    [],
    'not yet',
  );
  t.deepEqual(
    collections(() => chunksPassed(COLLECT_EVERY / 32)),
    ['Scavenge'],
  );
  t.deepEqual(
    collections(() => {
      for (let i = 0; i < 3; i++) chunksPassed(COLLECT_EVERY);
    }),
    ['Scavenge', 'Scavenge', 'Scavenge'],
  );
  t.deepEqual(
    collections(() => chunksPassed(COLLECT_EVERY - 1)),
    [],
    'a count below the mark carries over',
  );
  t.deepEqual(
    collections(() => chunksPassed(1)),
    ['Scavenge'],
  );
});
