// du's arithmetic: unique, shared, reclaimable per repository; each blob once in totals.
import test from 'ava';
import { computeUsage } from '../../src/storage/usage-plan.ts';

const repos = [
  {
    name: 'b',
    blobs: new Map([
      ['m2', 10],
      ['base', 1000],
      ['own-b', 50],
    ]),
  },
  {
    name: 'a',
    blobs: new Map([
      ['m1', 10],
      ['base', 1000],
      ['own-a', 200],
      ['shared-ac', 7],
    ]),
  },
  {
    name: 'c',
    blobs: new Map([
      ['m3', 10],
      ['shared-ac', 7],
    ]),
  },
];
const stored = new Map([
  ['m1', 10],
  ['m2', 10],
  ['m3', 10],
  ['base', 1000],
  ['own-a', 200],
  ['own-b', 50],
  ['shared-ac', 7],
  ['orphan', 3],
]);

test('rows sorted by name; a blob of two repositories is shared by both and counted once in the total', (t) => {
  const usage = computeUsage({ repositories: repos, stored, reclaimable: new Set(['own-b', 'm2', 'orphan']) });
  t.deepEqual(usage.repositories, [
    { repository: 'a', size: 1217, unique: 210, shared: 1007, reclaimable: 0 },
    { repository: 'b', size: 1060, unique: 60, shared: 1000, reclaimable: 60 },
    { repository: 'c', size: 17, unique: 10, shared: 7, reclaimable: 0 },
  ]);
  t.deepEqual(usage.total, { size: 1290, unique: 280, shared: 1007, unreferenced: 3, reclaimable: 63 });
  t.is(
    usage.total.size,
    [...stored.values()].reduce((a, b) => a + b, 0),
    'the total is every stored blob once',
  );
});

test('named repositories: rows and total for them only, "shared" still counts the others', (t) => {
  const usage = computeUsage({ repositories: repos, stored, reclaimable: new Set(['own-b', 'orphan']), only: ['c'] });
  t.deepEqual(usage.repositories, [{ repository: 'c', size: 17, unique: 10, shared: 7, reclaimable: 0 }]);
  t.deepEqual(usage.total, { size: 17, unique: 10, shared: 7, unreferenced: 0, reclaimable: 0 });
});

test('from manifests: no stored listing, nothing reclaimable known', (t) => {
  const usage = computeUsage({ repositories: repos });
  t.is(usage.repositories[0]!.reclaimable, undefined);
  t.deepEqual(usage.total, { size: 1287, unique: 280, shared: 1007, unreferenced: 0 });
});

test('no repositories', (t) => {
  t.deepEqual(computeUsage({ repositories: [], stored: new Map(), reclaimable: new Set() }), {
    repositories: [],
    total: { size: 0, unique: 0, shared: 0, unreferenced: 0, reclaimable: 0 },
  });
});
