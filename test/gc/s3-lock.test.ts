// The lock of a collection on S3 (s3-lock.ts): how its holder is said, and when a lock is
// stale (its holder ran on this machine and is gone). Taking and refusing it against a real
// store: test/e2e/s3-gc.test.ts.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describeHolder, isStale } from '../../src/gc/s3-lock.ts';

const since = '2026-12-07T10:00:00.000Z';

test('the holder in one line: pid, machine, container, since when and how long ago', (t) => {
  const h = { host: 'build-7', pid: 4242, container: 'jindr-5000', since };
  t.is(describeHolder(h, Date.parse('2026-12-07T10:05:30Z')), `pid 4242 on build-7, for jindr-5000, since ${since}, 5 min ago`);
  t.is(describeHolder(h, Date.parse('2026-12-07T10:00:20Z')), `pid 4242 on build-7, for jindr-5000, since ${since}, 20 s ago`);
  t.is(describeHolder(h, Date.parse('2026-12-07T15:00:00Z')), `pid 4242 on build-7, for jindr-5000, since ${since}, 5 h ago`);
  t.is(describeHolder({ ...h, since: 'yesterday' }), 'pid 4242 on build-7, for jindr-5000, since yesterday, age unknown');
});

test('stale: only a holder of this machine whose process is gone', (t) => {
  const exited = spawnSync('true').pid;
  t.true(isStale({ host: hostname(), pid: exited, container: 'c', since }));
  t.false(isStale({ host: hostname(), pid: process.pid, container: 'c', since }), 'alive');
  t.false(isStale({ host: `${hostname()}-other`, pid: exited, container: 'c', since }), 'another machine: cannot tell');
});
