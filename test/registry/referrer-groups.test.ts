// lsi's grouping of referrer tags under their image (referrer-groups.ts) and the tag names
// that hold referrers (referrer-tags.ts): tables of listed rows in, grouped rows out.
import test from 'ava';
import type { TagSummary } from '../../src/registry/images.ts';
import { groupReferrers, markReferrers, referrerSummary } from '../../src/registry/referrer-groups.ts';
import { cosignKind, isReferrerTag, referrerTagOf, referrerTagsFor } from '../../src/registry/referrer-tags.ts';

const D = (c: string): string => `sha256:${c.repeat(64)}`;
const T = (c: string, suffix = ''): string => `sha256-${c.repeat(64)}${suffix}`;

function row(tag: string, digest: string, more: Partial<TagSummary> = {}): TagSummary {
  return { repository: 'app', tag, digest, mediaType: 'm', kind: 'image', platforms: ['linux/amd64'], size: 1, entries: [], ...more };
}

test('cosign tags and the fallback tag name their subject; ordinary tags, other algorithms and short hex do not', (t) => {
  t.deepEqual(referrerTagOf(T('a', '.sig')), { subject: D('a'), suffix: 'sig' });
  t.deepEqual(referrerTagOf(T('b')), { subject: D('b') });
  t.is(cosignKind(T('a', '.att')), 'attestation');
  t.is(cosignKind(T('a', '.sbom')), 'sbom');
  t.is(cosignKind(T('a')), undefined);
  for (const tag of ['latest', 'v1', `sha512-${'a'.repeat(128)}`, `sha256-${'a'.repeat(63)}.sig`, `${T('a')}.sig2`, `${T('A')}.sig`]) {
    t.false(isReferrerTag(tag), tag);
  }
  t.deepEqual(referrerTagsFor(D('a'), ['v1', T('a', '.sig'), T('b', '.sig'), T('a'), T('a', '.att')]), [
    T('a'),
    T('a', '.att'),
    T('a', '.sig'),
  ]);
});

test('signature tags and the fallback tag go under their image; a signature of an SBOM under the SBOM', (t) => {
  const rows = [
    row('v1', D('1')),
    row('v2', D('2')),
    row(T('1', '.sig'), D('5')),
    // The fallback tag of v2: an index listing an SBOM.
    row(T('2'), D('6'), {
      kind: 'index',
      entries: [{ platform: 'artifact', kind: 'artifact', digest: D('7'), mediaType: 'm', artifactType: 'application/spdx+json' }],
    }),
    // cosign's signature of that SBOM.
    row(T('7', '.sig'), D('8')),
  ];
  const grouped = groupReferrers(rows);
  t.deepEqual(
    grouped.map((r) => r.tag),
    ['v1', 'v2'],
  );
  t.deepEqual(grouped[0]!.referrers, [{ digest: D('5'), kind: 'signature', tag: T('1', '.sig'), referrers: [] }]);
  t.deepEqual(grouped[1]!.referrers, [
    {
      digest: D('7'),
      kind: 'sbom',
      artifactType: 'application/spdx+json',
      tag: T('2'),
      referrers: [{ digest: D('8'), kind: 'signature', tag: T('7', '.sig'), referrers: [] }],
    },
  ]);
  t.is(referrerSummary(grouped[1]!.referrers), 'sbom, signature');
  t.is(referrerSummary(grouped[0]!.referrers), 'signature');
  t.is(referrerSummary(undefined), '');
});

test('a signature of a platform goes under the index; every tag of the image shows it', (t) => {
  const index = row('multi', D('1'), {
    kind: 'index',
    entries: [{ platform: 'linux/arm64', kind: 'image', digest: D('2'), mediaType: 'm' }],
  });
  const grouped = groupReferrers([index, { ...index, tag: 'also' }, row(T('2', '.sig'), D('3'))]);
  t.deepEqual(
    grouped.map((r) => [r.tag, referrerSummary(r.referrers)]),
    [
      ['multi', 'signature'],
      ['also', 'signature'],
    ],
  );
});

test('a tagged manifest with a subject is a referrer; one whose subject no tag reaches stays a row, marked', (t) => {
  const sbom = row('sbom-v1', D('4'), { kind: 'artifact', subject: D('1'), artifactType: 'application/vnd.cyclonedx+json' });
  const orphan = row(T('9', '.sig'), D('5'));
  const grouped = groupReferrers([row('v1', D('1')), sbom, orphan]);
  t.deepEqual(
    grouped.map((r) => [r.tag, r.referrerOf]),
    [
      ['v1', undefined],
      [T('9', '.sig'), D('9')],
    ],
  );
  t.is(grouped[0]!.referrers?.[0]?.kind, 'sbom');
  t.is(grouped[0]!.referrers?.[0]?.tag, 'sbom-v1');
});

test('the same digest in two repositories is two images: referrers stay in their own repository', (t) => {
  const other = { ...row('v1', D('1')), repository: 'other' };
  const grouped = groupReferrers([row('v1', D('1')), other, row(T('1', '.sig'), D('5'))]);
  t.deepEqual(
    grouped.map((r) => [r.repository, referrerSummary(r.referrers)]),
    [
      ['app', 'signature'],
      ['other', ''],
    ],
  );
});

test('--all: every row stays, referrers marked with their subject', (t) => {
  const marked = markReferrers([row('v1', D('1')), row(T('1', '.sig'), D('5')), row('x', D('6'), { subject: D('1') })]);
  t.deepEqual(
    marked.map((r) => [r.tag, r.referrerOf]),
    [
      ['v1', undefined],
      [T('1', '.sig'), D('1')],
      ['x', D('1')],
    ],
  );
});
