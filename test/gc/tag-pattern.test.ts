// prune's tag patterns: * and ? over the whole tag, everything else literal.
import test from 'ava';
import { globToRegExp, matchesAny } from '../../src/gc/tag-pattern.ts';

test('* is any run (none included), ? one character, over the whole tag', (t) => {
  const cases: [string, string, boolean][] = [
    ['pr-*', 'pr-12', true],
    ['pr-*', 'pr-', true],
    ['pr-*', 'xpr-1', false],
    ['v1.*', 'v1.2', true],
    ['v1.*', 'v10', false],
    ['v?', 'v1', true],
    ['v?', 'v10', false],
    ['*', '', true],
    ['*-rc*', 'v1-rc.2', true],
    ['latest', 'latest', true],
    ['latest', 'latest2', false],
    ['a+b', 'a+b', true],
    ['a+b', 'aab', false],
    ['(x)', '(x)', true],
    ['[ab]', 'a', false],
    ['x$', 'x$', true],
  ];
  for (const [pattern, tag, expected] of cases) t.is(globToRegExp(pattern).test(tag), expected, `${pattern} ~ ${tag}`);
});

test('matchesAny: any pattern; none matches nothing', (t) => {
  t.true(matchesAny('dev-3', ['pr-*', 'dev-*']));
  t.false(matchesAny('v3', ['pr-*', 'dev-*']));
  t.false(matchesAny('v3', []));
});
