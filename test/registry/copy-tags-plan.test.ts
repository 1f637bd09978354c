import test from 'ava';
import { planTagsCopy, tagPattern, wantsManyTags } from '../../src/registry/copy-tags-plan.ts';
import { UsageError } from '../../src/errors.ts';

const all = { allTags: true, namedTags: [] };

test('--tags is anchored as regsync anchors it: the whole tag must match', (t) => {
  const p = tagPattern('v1\\..*');
  t.true(p.test('v1.0'));
  t.true(p.test('v1.10-rc'));
  t.false(p.test('xv1.0'));
  t.false(p.test('v1'));
  // An alternation is anchored as a whole, not only its first and last parts.
  const either = tagPattern('latest|v2');
  t.true(either.test('v2'));
  t.false(either.test('latest-old'));
  t.false(either.test('old-v2'));
});

test('an invalid REGEX is a usage error that shows an example', (t) => {
  for (const bad of ['v1(', '[a-', '*x']) {
    const err = t.throws(() => tagPattern(bad), { instanceOf: UsageError });
    t.regex(err.message, /^--tags ".*" is not a regular expression \(.+\): e\.g\. --tags 'v1\\\.\.\*'$/, bad);
  }
});

test('the repository keeps its name at a registry; --to names another, also within one registry', (t) => {
  t.deepEqual(planTagsCopy('app', 'localhost:5001', { registry: 'ghcr.io/acme' }, all), {
    from: { registry: 'localhost:5001', repository: 'app' },
    to: { registry: 'ghcr.io', repository: 'acme/app' },
    pattern: undefined,
  });
  const within = planTagsCopy('app', 'localhost:5001', { to: 'localhost:5001/app-mirror' }, { allTags: false, tags: 'v.*', namedTags: [] });
  t.deepEqual(within.to, { registry: 'localhost:5001', repository: 'app-mirror' });
  t.is(within.pattern?.source, '^(?:v.*)$');
});

test('usage errors: both selections, named tags, a tag or digest in SRC or --to, the same repository, no destination', (t) => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['both', () => planTagsCopy('app', 'r:1', { registry: 'g.io' }, { ...all, tags: 'v.*' }), /not both/],
    [
      'named',
      () => planTagsCopy('app', 'r:1', { registry: 'g.io' }, { ...all, namedTags: ['v1'] }),
      /--all-tags chooses the tags: leave out "v1"/,
    ],
    [
      'named --tags',
      () => planTagsCopy('app', 'r:1', { registry: 'g.io' }, { allTags: false, tags: 'v.*', namedTags: ['v1'] }),
      /^--tags chooses/,
    ],
    ['tag', () => planTagsCopy('app:v1', 'r:1', { registry: 'g.io' }, all), /without :tag/],
    ['digest', () => planTagsCopy(`app@sha256:${'a'.repeat(64)}`, 'r:1', { registry: 'g.io' }, all), /without :tag/],
    ['--to tag', () => planTagsCopy('app', 'r:1', { to: 'g.io/app:v1' }, all), /destination is a repository/],
    ['same', () => planTagsCopy('app', 'r:1', { to: 'r:1/app' }, all), /source and destination are the same/],
    ['none', () => planTagsCopy('app', 'r:1', {}, all), /name a destination/],
    ['twice', () => planTagsCopy('app', 'r:1', { to: 'g.io/app', registry: 'g.io' }, all), /give the destination once/],
  ];
  for (const [what, fn, message] of cases) t.throws(fn, { instanceOf: UsageError, message }, what);
});

test('many tags only when --all-tags or --tags is given', (t) => {
  t.false(wantsManyTags({ allTags: false }));
  t.true(wantsManyTags({ allTags: true }));
  t.true(wantsManyTags({ allTags: false, tags: '' }));
});
