// Referrer tags in prune's plan (prune-plan.ts, referrer-retire.ts): never counted among a
// repository's tags, removed with the image they are about, and nothing else.
import test from 'ava';
import { planPrune, type RepositoryTags } from '../../src/gc/prune-plan.ts';
import { retiringReferrers } from '../../src/gc/referrer-retire.ts';

const now = Date.parse('2026-11-30T12:00:00Z');
const daysAgo = (n: number): string => new Date(now - n * 86_400_000).toISOString();
const D = (c: string): string => `sha256:${c.repeat(64)}`;
const sig = (c: string, suffix = '.sig'): string => `sha256-${c.repeat(64)}${suffix}`;
const removed = (plan: ReturnType<typeof planPrune>): string[] => plan.remove.map((t) => t.tag).sort();

// Three images, each signed (the signatures pushed last: newest of all by push time).
const app: RepositoryTags = {
  name: 'app',
  tags: [
    { tag: 'v1', digest: D('1'), pushed: daysAgo(30) },
    { tag: 'v2', digest: D('2'), pushed: daysAgo(20) },
    { tag: 'v3', digest: D('3'), pushed: daysAgo(10) },
    { tag: sig('1'), digest: D('a'), pushed: daysAgo(1) },
    { tag: sig('2'), digest: D('b'), pushed: daysAgo(1) },
    { tag: sig('3'), digest: D('c'), pushed: daysAgo(1) },
  ],
};

test('3 tags and 3 signature tags, --keep 2: one image tag and its signature go, nothing else', (t) => {
  const plan = planPrune([app], { keep: 2 }, now);
  t.deepEqual(removed(plan), [sig('1'), 'v1'].sort());
  t.is(plan.remove.find((r) => r.tag === sig('1'))!.referrerOf, D('1'));
  t.is(plan.remove.find((r) => r.tag === 'v1')!.referrerOf, undefined);
  t.deepEqual(
    plan.kept.get('app')!.map((k) => k.tag),
    ['v2', 'v3', sig('2'), sig('3')],
  );
});

test('age rules never take a signature tag alone, however old', (t) => {
  const old = { name: 'app', tags: app.tags.map((x) => (x.tag.startsWith('sha256-') ? { ...x, pushed: daysAgo(400) } : x)) };
  t.deepEqual(removed(planPrune([old], { olderThanMs: 15 * 86_400_000 }, now)), [sig('1'), sig('2'), 'v1', 'v2'].sort());
  t.deepEqual(removed(planPrune([old], { olderThanMs: 365 * 86_400_000 }, now)), []);
});

test('a signature stays while another tag keeps its image; a platform of a kept index keeps its own', (t) => {
  const shared = { name: 'app', tags: [...app.tags, { tag: 'stable', digest: D('1'), pushed: daysAgo(5), subject: undefined }] };
  t.deepEqual(removed(planPrune([shared], { keep: 3 }, now)), ['v1']);
  // v1 is an index whose platform D('9') is also a platform of v3's index: its signature stays.
  const reaches = (d: string): string[] => (d === D('1') ? [D('9'), D('8')] : d === D('3') ? [D('9')] : []);
  const platforms = { name: 'app', tags: [...app.tags, { tag: sig('9'), digest: D('d') }, { tag: sig('8'), digest: D('e') }] };
  t.deepEqual(removed(planPrune([platforms], { keep: 2 }, now, reaches)), [sig('1'), sig('8'), 'v1'].sort());
});

test('the fallback tag, a tagged SBOM (subject) and the signature of that SBOM go with their image', (t) => {
  const tags = [
    { tag: 'v1', digest: D('1') },
    { tag: sig('1', ''), digest: D('f') }, // fallback index listing the SBOM D('5')
    { tag: 'sbom-v1', digest: D('5'), subject: D('1') },
    { tag: sig('5'), digest: D('6') },
    { tag: 'v2', digest: D('2') },
  ];
  const reaches = (d: string): string[] => (d === D('f') ? [D('5')] : []);
  t.deepEqual(
    retiringReferrers(tags, new Set(['v1']), reaches)
      .map((r) => [r.tag.tag, r.subject])
      .sort(),
    [
      [sig('1', ''), D('1')],
      [sig('5'), D('5')],
      ['sbom-v1', D('1')],
    ].sort(),
  );
  t.deepEqual(retiringReferrers(tags, new Set(['v2']), reaches), []);
});
