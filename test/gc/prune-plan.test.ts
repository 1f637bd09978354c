// Which tags prune removes, from tags, digests, push times and the rules.
import test from 'ava';
import { planPrune, type RepositoryTags } from '../../src/gc/prune-plan.ts';

const now = Date.parse('2026-11-30T12:00:00Z');
const daysAgo = (n: number): string => new Date(now - n * 86_400_000).toISOString();
const latest = { protect: ['latest'] };

// app: v1..v5 pushed 50, 40, 30, 20, 10 days ago; v9 re-pushed v1's image a day ago; latest on v2's.
const app: RepositoryTags = {
  name: 'app',
  tags: [
    { tag: 'v1', digest: 'sha256:a1', pushed: daysAgo(50) },
    { tag: 'v2', digest: 'sha256:a2', pushed: daysAgo(40) },
    { tag: 'latest', digest: 'sha256:a2', pushed: daysAgo(45) },
    { tag: 'v3', digest: 'sha256:a3', pushed: daysAgo(30) },
    { tag: 'v4', digest: 'sha256:a4', pushed: daysAgo(20) },
    { tag: 'v5', digest: 'sha256:a5', pushed: daysAgo(10) },
    { tag: 'v9', digest: 'sha256:a1', pushed: daysAgo(1) },
  ],
};
const removed = (plan: ReturnType<typeof planPrune>): string[] => plan.remove.map((t) => `${t.repository}:${t.tag}`);

test('--keep N keeps the newest N by push time; latest is protected and not counted', (t) => {
  const plan = planPrune([app], { keep: 2, ...latest }, now);
  t.deepEqual(removed(plan), ['app:v4', 'app:v3', 'app:v2', 'app:v1']);
  t.deepEqual(
    plan.kept
      .get('app')!
      .map((k) => k.tag)
      .sort(),
    ['latest', 'v5', 'v9'],
  );
  t.deepEqual(plan.remove.find((r) => r.tag === 'v1')!.sharedWith, ['v9'], 'v1 goes as a tag only: v9 keeps its image');
  t.deepEqual(plan.remove.find((r) => r.tag === 'v2')!.sharedWith, ['latest']);
  t.deepEqual(plan.remove.find((r) => r.tag === 'v3')!.sharedWith, []);
});

test('--keep 0 removes every selected tag; --keep beyond the count removes none', (t) => {
  t.deepEqual(removed(planPrune([app], { keep: 0, ...latest }, now)).sort(), ['app:v1', 'app:v2', 'app:v3', 'app:v4', 'app:v5', 'app:v9']);
  t.deepEqual(removed(planPrune([app], { keep: 10, ...latest }, now)), []);
});

test('--older-than alone, and with --keep: a tag goes only when both let it go', (t) => {
  t.deepEqual(removed(planPrune([app], { olderThanMs: 25 * 86_400_000, ...latest }, now)), ['app:v3', 'app:v2', 'app:v1']);
  t.deepEqual(removed(planPrune([app], { olderThanMs: 25 * 86_400_000, keep: 5, ...latest }, now)), ['app:v1']);
  t.deepEqual(removed(planPrune([app], { olderThanMs: 0, keep: 4, ...latest }, now)), ['app:v2', 'app:v1']);
});

test('a tag without a push time never goes by age, and sorts as oldest for --keep', (t) => {
  const repo: RepositoryTags = {
    name: 'x',
    tags: [
      { tag: 'a', digest: 'sha256:1' },
      { tag: 'b', digest: 'sha256:2', pushed: daysAgo(100) },
    ],
  };
  t.deepEqual(removed(planPrune([repo], { olderThanMs: 86_400_000 }, now)), ['x:b']);
  t.deepEqual(removed(planPrune([repo], { keep: 1 }, now)), ['x:a']);
});

test('--match and --exclude select; --protect overrides both; keep counts only the selected', (t) => {
  const repo: RepositoryTags = {
    name: 'web',
    tags: ['pr-1', 'pr-2', 'pr-3', 'pr-keep', 'main', 'latest'].map((tag, i) => ({ tag, digest: `sha256:${i}`, pushed: daysAgo(10 - i) })),
  };
  t.deepEqual(removed(planPrune([repo], { keep: 1, match: ['pr-*'], exclude: ['pr-keep'], ...latest }, now)), ['web:pr-2', 'web:pr-1']);
  t.deepEqual(removed(planPrune([repo], { keep: 0, match: ['*'], protect: ['pr-?', 'latest'] }, now)), ['web:main', 'web:pr-keep']);
  t.deepEqual(removed(planPrune([repo], { keep: 0, protect: [] }, now)).length, 6, 'no protection: latest can go too');
});

test('--semver: by version, not push time; tags that are no versions stay', (t) => {
  const repo: RepositoryTags = {
    name: 'lib',
    tags: [
      { tag: 'v1.10.0', digest: 'sha256:1', pushed: daysAgo(30) },
      { tag: 'v1.9.2', digest: 'sha256:2', pushed: daysAgo(1) }, // a backport, pushed last
      { tag: 'v1.10.0-rc.1', digest: 'sha256:3', pushed: daysAgo(40) },
      { tag: '2.0', digest: 'sha256:4', pushed: daysAgo(20) },
      { tag: 'nightly', digest: 'sha256:5', pushed: daysAgo(90) },
      { tag: 'latest', digest: 'sha256:4', pushed: daysAgo(20) },
    ],
  };
  t.deepEqual(removed(planPrune([repo], { keep: 2, semver: true, ...latest }, now)), ['lib:v1.10.0-rc.1', 'lib:v1.9.2']);
  t.deepEqual(
    removed(planPrune([repo], { keep: 2, ...latest }, now)),
    ['lib:v1.10.0', 'lib:v1.10.0-rc.1', 'lib:nightly'],
    'by push time the backport stays',
  );
});

test('each repository on its own; ties in push time broken by name, higher first', (t) => {
  const same = daysAgo(3);
  const a: RepositoryTags = { name: 'a', tags: ['v2', 'v10', 'v1'].map((tag) => ({ tag, digest: `sha256:${tag}`, pushed: same })) };
  const b: RepositoryTags = { name: 'b', tags: [{ tag: 'only', digest: 'sha256:o', pushed: same }] };
  t.deepEqual(removed(planPrune([a, b], { keep: 1 }, now)), ['a:v2', 'a:v1']);
});
