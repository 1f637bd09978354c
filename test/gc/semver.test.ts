// prune --semver's order: semver.org 2.0.0 precedence over the tags images carry.
import test from 'ava';
import { compareVersions, parseVersion } from '../../src/gc/semver.ts';

test('parseVersion: v prefix, short forms, pre-release, build; not versions', (t) => {
  t.deepEqual(parseVersion('v1.2.3'), { core: [1, 2, 3], pre: [] });
  t.deepEqual(parseVersion('1.25'), { core: [1, 25, 0], pre: [] });
  t.deepEqual(parseVersion('3'), { core: [3, 0, 0], pre: [] });
  t.deepEqual(parseVersion('2.0.0-rc.1'), { core: [2, 0, 0], pre: ['rc', 1] });
  t.deepEqual(parseVersion('1.0.0-alpha-beta.7+exp.sha.5114f85'), { core: [1, 0, 0], pre: ['alpha-beta', 7] });
  for (const tag of ['latest', 'main', 'v', '01.2.3', '1.2.3.4', '1.2.3-', 'v1.2.3_rc', 'sha-abc123', '1.2.x', '']) {
    t.is(parseVersion(tag), undefined, tag);
  }
});

test('compareVersions: the precedence example of semver.org, and numbers by value', (t) => {
  const ordered = [
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
    '1.0.1',
    '1.2',
    '1.10.0',
    'v2',
    '10.0.0',
  ];
  const shuffled = [...ordered].reverse();
  shuffled.push(shuffled.shift()!);
  const sorted = shuffled.sort((a, b) => compareVersions(parseVersion(a)!, parseVersion(b)!));
  t.deepEqual(sorted, ordered);
  t.is(compareVersions(parseVersion('1.2')!, parseVersion('v1.2.0')!), 0, 'the same version written two ways');
});
