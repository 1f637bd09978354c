// The keys a collection on S3 deletes (s3-removal.ts) against what the filesystem removal
// (storage-remove.ts) deletes on the same storage: a real tree on this machine, gc's plan
// for it, then the files the scripts remove must be exactly the keys the S3 path picks.
// The bucket itself, with real registries, is tested in test/e2e/s3-gc.test.ts.
import test from 'ava';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyse } from '../../src/gc/gc-analysis.ts';
import { s3RemovalKeys } from '../../src/gc/s3-removal.ts';
import { filesystemReader } from '../../src/storage/storage-reader.ts';
import { blobTargets, layerLinkTargets, planTargets, removeTargets, uploadTargets } from '../../src/storage/storage-remove.ts';
import { localExec, storageTree, storeImage } from '../helpers/storage-tree.ts';

function files(v2: string): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else out.add(relative(v2, join(dir, e.name)));
    }
  };
  walk(v2);
  return out;
}

test('the keys chosen on S3 are the files the filesystem removal removes, for the same plan', async (t) => {
  const tree = storageTree(t);
  const kept = storeImage(tree, 'team/app', '{"a":1}', ['layer one', 'layer shared']);
  const moved = storeImage(tree, 'team/app', '{"b":1}', ['layer two', 'layer shared']);
  const alone = storeImage(tree, 'gone', '{"c":1}', ['layer three']);
  // A tag moved from one image to the other keeps its history entry for the first.
  tree.tag('team/app', 'v1', moved.digest);
  tree.tag('team/app', 'v1', kept.digest);
  tree.tag('team/app', 'v2', kept.digest);
  for (const [repo, digest] of [
    ['team/app', [...moved.blobs.keys()][2]!],
    ['team/app', [...kept.blobs.keys()][2]!],
    ['gone', [...alone.blobs.keys()][2]!],
  ] as const) {
    const dir = join(tree.v2, 'repositories', repo, '_layers/sha256', digest.slice(7));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'link'), digest);
  }
  const upload = join(tree.v2, 'repositories/team/app/_uploads/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0');
  mkdirSync(join(upload, 'hashstates/sha256'), { recursive: true });
  writeFileSync(join(upload, 'data'), 'half');
  writeFileSync(join(upload, 'startedat'), 'then');
  writeFileSync(join(upload, 'hashstates/sha256/0'), 'state');

  const analysis = await analyse(filesystemReader(localExec, tree.root), 0);
  const before = files(tree.v2);
  const s3 = s3RemovalKeys(analysis, [...before], analysis.prediction.blobs);

  const going = new Set(analysis.prediction.blobs);
  const links = [...analysis.listing.times.layers.keys()]
    .map((k) => ({ repository: k.slice(0, k.lastIndexOf('@')), digest: k.slice(k.lastIndexOf('@') + 1) }))
    .filter((l) => going.has(l.digest));
  // In the order gc removes them: manifests and uploads, then blobs with their layer links.
  await removeTargets(localExec, tree.root, [...planTargets(analysis.plans), ...uploadTargets(analysis.uploads)], 'removing manifests');
  await removeTargets(localExec, tree.root, [...blobTargets(analysis.prediction.blobs), ...layerLinkTargets(links)], 'removing blobs');
  const after = files(tree.v2);

  const removed = [...before].filter((f) => !after.has(f)).sort();
  t.deepEqual([...s3.links, ...s3.blobs, ...s3.layerLinks].sort(), removed);
  // Not two empty lists: the moved image (revision, history entry, its own blobs), the repository with no tag, the upload.
  const hex = (d: string): string => d.slice(7);
  t.true(s3.links.includes(`repositories/team/app/_manifests/revisions/sha256/${hex(moved.digest)}/link`));
  t.true(s3.links.includes(`repositories/team/app/_manifests/tags/v1/index/sha256/${hex(moved.digest)}/link`));
  t.true(s3.links.includes(`repositories/gone/_manifests/revisions/sha256/${hex(alone.digest)}/link`));
  t.is(s3.links.filter((k) => k.includes('/_uploads/')).length, 3);
  t.true(s3.blobs.includes(`blobs/sha256/${hex(moved.digest).slice(0, 2)}/${hex(moved.digest)}/data`));
  t.false(
    s3.blobs.some((k) => k.includes(hex(sha('layer shared')))),
    'a layer the kept image uses stays',
  );
  t.true(s3.layerLinks.length > 0);
});

const sha = (s: string): string => `sha256:${process.getBuiltinModule('node:crypto').createHash('sha256').update(s).digest('hex')}`;
