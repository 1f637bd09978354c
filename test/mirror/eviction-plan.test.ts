import test from 'ava';
import { planEviction } from '../../src/mirror/eviction-plan.ts';
import { pullKey } from '../../src/mirror/pull-times.ts';
import type { ManifestContent } from '../../src/storage/reachability.ts';
import { linkKey, type StorageListing } from '../../src/storage/storage-listing.ts';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
// archy: an index (I) of two platforms (A, B), each with its config and layer; solo: one
// manifest (S) with its config and layer; both share nothing.
const I = d('1');
const A = d('2');
const B = d('3');
const S = d('4');
const REFS: Record<string, string[]> = { [I]: [A, B], [A]: [d('a'), d('b')], [B]: [d('c'), d('e')], [S]: [d('f'), d('9')] };
const content = (digest: string): ManifestContent =>
  REFS[digest] ? { kind: 'ok', references: REFS[digest], subject: undefined } : { kind: 'missing' };
const SIZES: Record<string, number> = {
  [I]: 1,
  [A]: 1,
  [B]: 1,
  [S]: 1,
  [d('a')]: 10,
  [d('b')]: 100,
  [d('c')]: 10,
  [d('e')]: 100,
  [d('f')]: 10,
  [d('9')]: 200,
};
const NOW = 100_000; // seconds
const OLD = NOW - 10_000;

function listing(): StorageListing {
  const blobs = new Map(Object.entries(SIZES));
  return {
    repositories: [
      { name: 'archy', tags: new Map([['latest', I]]), manifests: [I, A, B] },
      { name: 'solo', tags: new Map([['v1', S]]), manifests: [S] },
    ],
    blobs,
    times: {
      now: NOW,
      blobs: new Map([...blobs.keys()].map((k) => [k, OLD])),
      layers: new Map(),
      revisions: new Map([
        [linkKey('archy', I), OLD],
        [linkKey('archy', A), OLD],
        [linkKey('archy', B), OLD],
        [linkKey('solo', S), OLD],
      ]),
      uploads: new Map(),
    },
    uploads: [],
    leftAlone: [],
  };
}

const HOUR = 3600_000;

test('the least recently pulled goes first, a multi-platform image whole; within the limit nothing goes', (t) => {
  // archy was fetched as long ago as solo, but one of its platforms was pulled by digest later.
  const pulls = new Map([
    [pullKey('solo', 'v1'), (NOW - 5000) * 1000],
    [pullKey('archy', A), (NOW - 4000) * 1000],
  ]);
  const usage = 4 + 10 + 100 + 10 + 100 + 10 + 200;
  const plan = planEviction(listing(), content, pulls, 300, HOUR);
  t.is(plan.usage, usage);
  t.deepEqual(
    plan.evict.map((i) => [i.repository, i.digest, i.tags]),
    [['solo', S, ['v1']]],
  );
  t.is(plan.after, usage - 211);
  const both = planEviction(listing(), content, pulls, 100, HOUR);
  t.deepEqual(
    both.evict.map((i) => i.repository),
    ['solo', 'archy'],
  );
  t.is(both.after, 0, 'archy whole: index, both platforms, configs and layers');
  t.deepEqual(planEviction(listing(), content, pulls, usage, HOUR).evict, []);
});

test('nothing pulled within the grace period goes, even over the limit', (t) => {
  const pulls = new Map([[pullKey('solo', 'v1'), (NOW - 60) * 1000]]);
  const plan = planEviction(listing(), content, pulls, 100, HOUR);
  t.deepEqual(
    plan.evict.map((i) => i.repository),
    ['archy'],
  );
  t.is(plan.recent, 1);
  t.true(plan.after > 100);
});
