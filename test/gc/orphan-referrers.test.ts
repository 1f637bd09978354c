// gc's rule for referrer tags whose image is gone (orphan-referrers.ts): removed only when
// no repository holds the subject, nor will after this collection; never one written within
// the grace period; a subject in another repository keeps its tags.
import test from 'ava';
import { orphanReferrers, withoutOrphans } from '../../src/gc/orphan-referrers.ts';
import type { YoungContent } from '../../src/storage/grace-period.ts';
import { readManifest, type ManifestContent, type RepositoryState } from '../../src/storage/reachability.ts';

const D = (c: string): string => `sha256:${c.repeat(64)}`;
const sig = (c: string, suffix = '.sig'): string => `sha256-${c.repeat(64)}${suffix}`;
const none: YoungContent = { blobs: new Set(), manifests: new Map(), busy: new Set() };

/** Manifests as bytes: an image (config only), a referrer (with subject) or an index. */
const bodies = new Map<string, unknown>([
  [D('1'), { config: { digest: D('0') } }],
  [D('a'), { config: { digest: D('0') } }], // the signature of 1
  [D('b'), { config: { digest: D('0') } }], // a signature of 9, which nothing holds
  [D('c'), { config: { digest: D('0') } }], // a signature of 7, held by "other"
  [D('d'), { config: { digest: D('0') }, subject: { digest: D('9') } }], // an SBOM of 9 (untagged, found by the fallback tag)
  [D('f'), { manifests: [{ digest: D('d') }] }], // the fallback index of 9
  [D('e'), { config: { digest: D('0') } }], // the signature of the SBOM d
  [D('7'), { config: { digest: D('0') } }],
]);
const content = (digest: string): ManifestContent =>
  bodies.has(digest) ? readManifest(new TextEncoder().encode(JSON.stringify(bodies.get(digest)))) : { kind: 'missing' };

const app: RepositoryState = {
  name: 'app',
  tags: new Map([
    ['v1', D('1')],
    [sig('1'), D('a')],
    [sig('9'), D('b')],
    [sig('9', ''), D('f')],
    [sig('d'), D('e')],
    [sig('7'), D('c')],
  ]),
  manifests: [D('1'), D('a'), D('b'), D('f'), D('d'), D('e'), D('c')],
};
const other: RepositoryState = { name: 'other', tags: new Map([['v7', D('7')]]), manifests: [D('7')] };

test('tags about a digest no repository holds go, and with them the signature of what only they reached', (t) => {
  const orphans = orphanReferrers([app, other], content, none);
  t.deepEqual(
    orphans.map((o) => [o.tag, o.subject]).sort(),
    [
      [sig('9'), D('9')],
      [sig('9', ''), D('9')],
      [sig('d'), D('d')],
    ].sort(),
  );
  t.deepEqual([...withoutOrphans([app, other], orphans)[0]!.tags.keys()].sort(), ['v1', sig('1'), sig('7')].sort());
});

test('a subject another repository holds keeps its tags (cosign may sign into another repository)', (t) => {
  t.false(orphanReferrers([app, other], content, none).some((o) => o.tag === sig('7')));
  t.true(
    orphanReferrers([app], content, none).some((o) => o.tag === sig('7')),
    'without "other", 7 is nowhere',
  );
});

test('a tag written within the grace period stays, whatever its subject', (t) => {
  const young: YoungContent = { ...none, manifests: new Map([['app', new Set([D('b'), D('f')])]]) };
  const orphans = orphanReferrers([app, other], content, young);
  t.deepEqual(
    orphans.map((o) => o.tag),
    [],
  );
});
