// A transfer's chunks are collected young: every COLLECT_EVERY bytes passed, one minor
// collection (a forced one, seen by a PerformanceObserver of GC entries), none in between.
import test from 'ava';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { COLLECT_EVERY, chunksPassed } from '../../src/registry/chunk-garbage.ts';

test('a minor collection after every COLLECT_EVERY bytes, not before', async (t) => {
  const minors: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const detail = (e as unknown as { detail?: { kind?: number; flags?: number } }).detail;
      // Forced ones only: the scavenges allocation triggers by itself do not count.
      if (detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR && ((detail.flags ?? 0) & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0) minors.push(e);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
  chunksPassed(COLLECT_EVERY); // the first one loads gc() (a new context): start from here
  await settle();
  minors.length = 0;
  for (let i = 0; i < 31; i++) chunksPassed(COLLECT_EVERY / 32);
  await settle();
  t.is(minors.length, 0, 'not yet');
  chunksPassed(COLLECT_EVERY / 32);
  await settle();
  t.is(minors.length, 1);
  for (let i = 0; i < 3; i++) chunksPassed(COLLECT_EVERY);
  await settle();
  t.is(minors.length, 4);
  observer.disconnect();
});
