// lsi --sort: newest first by created or pushed time, rows without a date last.
import test from 'ava';
import { sortImages, withPushDates } from '../../src/storage/image-dates.ts';

const rows = [
  { repository: 'a', tag: 'v1', created: '2024-01-01T00:00:00.000Z', pushed: '2026-01-03T00:00:00.000Z' },
  { repository: 'a', tag: 'v2', created: '2025-01-01T00:00:00.000Z', pushed: '2026-01-01T00:00:00.000Z' },
  { repository: 'b', tag: 'x' },
  { repository: 'a', tag: 'v10', created: '2023-01-01T00:00:00.000Z', pushed: '2026-01-02T00:00:00.000Z' },
];
const order = (list: readonly { repository: string; tag: string }[]): string[] => list.map((r) => `${r.repository}:${r.tag}`);

test('name keeps the listing order; created and pushed put the newest first and undated rows last', (t) => {
  t.deepEqual(order(sortImages(rows, 'name')), ['a:v1', 'a:v2', 'b:x', 'a:v10']);
  t.deepEqual(order(sortImages(rows, 'created')), ['a:v2', 'a:v1', 'a:v10', 'b:x']);
  t.deepEqual(order(sortImages(rows, 'pushed')), ['a:v1', 'a:v10', 'a:v2', 'b:x']);
});

test('no push times for a registry not on this machine, without asking the engine', async (t) => {
  const result = await withPushDates(rows, 'registry.example.com', async () => {
    throw new Error('the engine must not be asked');
  });
  t.is(result.note, 'registry.example.com is not a registry on this machine');
  t.deepEqual(result.rows, rows);
});

test('an engine that cannot be reached leaves push times out, with the reason', async (t) => {
  const bare = rows.map(({ repository, tag }) => ({ repository, tag }));
  const result = await withPushDates(bare, 'localhost:5001', async () => {
    throw new Error('cannot reach the Docker engine');
  });
  t.is(result.note, 'cannot reach the Docker engine');
  t.false(result.rows.some((r) => 'pushed' in r));
});
