// Which images share a layer, from a walk of the registry.
import test from 'ava';
import { layerSharers, type Snapshot, type TagUse } from '../../src/ui/snapshot.ts';

function use(repository: string, tag: string, digest: string, blobs: Record<string, number>, layers: string[]): TagUse {
  return { repository, tag, digest, blobs: new Map(Object.entries(blobs)), layers: new Set(layers) };
}

const snapshot: Snapshot = {
  tags: [
    use('a', 'v1', 'ma1', { ma1: 10, ca: 5, base: 1000, la: 100 }, ['base', 'la']),
    use('a', 'v2', 'ma1', { ma1: 10, ca: 5, base: 1000, la: 100 }, ['base', 'la']),
    use('a', 'v3', 'ma3', { ma3: 11, ca3: 6, base: 1000, la3: 300 }, ['base', 'la3']),
    use('b', 'latest', 'mb', { mb: 12, cb: 7, base: 1000, lb: 200 }, ['base', 'lb']),
    use('c', 'x', 'mc', { mc: 13, cc: 8, lc: 50 }, ['lc']),
  ],
};

test('layer sharers are the other images: not the tags on the same digest of the same repository', (t) => {
  t.deepEqual(layerSharers(snapshot, 'base', { repository: 'a', digest: 'ma1' }), ['a:v3', 'b:latest']);
  t.deepEqual(layerSharers(snapshot, 'la', { repository: 'a', digest: 'ma1' }), []);
  t.deepEqual(layerSharers(snapshot, 'lb', { repository: 'a', digest: 'ma1' }), ['b:latest']);
});
