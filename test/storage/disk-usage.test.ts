// du from storage: a real storage tree read with this machine's sh, checked against the
// bytes of the files in it.
import test from 'ava';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { storageUsage } from '../../src/storage/disk-usage.ts';
import { filesystemReader } from '../../src/storage/storage-reader.ts';
import { localExec, sha256, storageTree, storeImage } from '../helpers/storage-tree.ts';

const sum = (m: Map<string, number>, skip: ReadonlySet<string> = new Set()): number =>
  [...m].filter(([d]) => !skip.has(d)).reduce((a, [, s]) => a + s, 0);

function blobFileBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((total, e) => {
    const path = join(dir, e.name);
    return total + (e.isDirectory() ? blobFileBytes(path) : e.name === 'data' ? statSync(path).size : 0);
  }, 0);
}

test("unique, shared and reclaimable per repository; the total is the storage's own blob bytes", async (t) => {
  const tree = storageTree(t);
  const base = 'base layer '.repeat(100);
  const a = storeImage(tree, 'a', '{"os":"linux","architecture":"amd64","x":1}', [base, 'layer of a']);
  tree.tag('a', 'v1', a.digest);
  const b = storeImage(tree, 'b', '{"os":"linux","architecture":"amd64","x":2}', [base, 'layer of b, longer']);
  tree.tag('b', 'v1', b.digest);
  tree.tag('b', 'v2', b.digest);
  const leftover = storeImage(tree, 'b', '{"os":"linux","architecture":"amd64","x":3}', ['leftover layer']);
  const orphan = tree.blob('an upload no manifest uses');

  const usage = await storageUsage(filesystemReader(localExec, tree.root), 'localhost:5001');

  const shared = new Set([sha256(base)]);
  t.deepEqual(usage.repositories, [
    { repository: 'a', size: sum(a.blobs), unique: sum(a.blobs, shared), shared: base.length, reclaimable: 0 },
    {
      repository: 'b',
      size: sum(b.blobs) + sum(leftover.blobs),
      unique: sum(b.blobs, shared) + sum(leftover.blobs),
      shared: base.length,
      reclaimable: sum(leftover.blobs),
    },
  ]);
  const orphanSize = 'an upload no manifest uses'.length;
  t.is(usage.total.unreferenced, orphanSize);
  t.is(usage.total.shared, base.length, 'the shared layer once');
  t.is(usage.total.reclaimable, sum(leftover.blobs) + orphanSize);
  t.is(usage.total.size, blobFileBytes(join(tree.v2, 'blobs')));
  t.truthy(orphan);
});

test('named repositories only; an unknown one is refused', async (t) => {
  const tree = storageTree(t);
  const a = storeImage(tree, 'a', '{"a":1}', ['la']);
  tree.tag('a', 'v1', a.digest);
  const usage = await storageUsage(filesystemReader(localExec, tree.root), 'localhost:5001', ['a']);
  t.deepEqual(
    usage.repositories.map((r) => r.repository),
    ['a'],
  );
  await t.throwsAsync(storageUsage(filesystemReader(localExec, tree.root), 'localhost:5001', ['a', 'nope']), {
    message: 'no repository localhost:5001/nope',
  });
});
