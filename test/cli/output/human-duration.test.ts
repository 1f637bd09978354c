// CREATED as `docker images` words it (go-units HumanDuration), at each threshold.
import test from 'ava';
import { humanDuration, timeAgo } from '../../../src/cli/output/human-duration.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

const cases: [number, string][] = [
  [0, 'Less than a second'],
  [999, 'Less than a second'],
  [1 * S, '1 second'],
  [2 * S, '2 seconds'],
  [59 * S, '59 seconds'],
  [60 * S, 'About a minute'],
  [119 * S, 'About a minute'],
  [2 * M, '2 minutes'],
  [59 * M, '59 minutes'],
  [60 * M, 'About an hour'],
  [89 * M, 'About an hour'], // hours are rounded: 1.48 h is about an hour
  [90 * M, '2 hours'],
  [47 * H, '47 hours'],
  [48 * H, '2 days'],
  [3 * D, '3 days'],
  [13 * D, '13 days'],
  [14 * D, '2 weeks'],
  [59 * D, '8 weeks'],
  [60 * D, '2 months'],
  [364 * D, '12 months'],
  [729 * D, '24 months'],
  [730 * D, '2 years'],
  [3 * 365 * D, '3 years'],
];

for (const [ms, words] of cases) {
  test(`humanDuration(${ms} ms) is "${words}"`, (t) => {
    t.is(humanDuration(ms), words);
  });
}

test('timeAgo: "... ago" for an RFC 3339 time, N/A for none', (t) => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  t.is(timeAgo('2026-11-27T12:00:00Z', now), '3 days ago');
  t.is(timeAgo('2026-11-30T11:00:00.000Z', now), 'About an hour ago');
  t.is(timeAgo(undefined, now), 'N/A');
  t.is(timeAgo('not a date', now), 'N/A');
});
