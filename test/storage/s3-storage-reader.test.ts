// The S3 reading of a registry's storage (s3-storage-reader.ts) against the filesystem
// script on the same storage: a real tree on this machine is listed by the script (with this
// machine's sh) and, file by file, turned into the objects a bucket would hold (key, size,
// LastModified); both must give the very same listing and push dates, odd names included.
// The bucket itself (ListObjectsV2 pages, GetObject) is tested against moto in
// test/e2e/s3-listing.test.ts.
import test from 'ava';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { listingText, pushDatesText } from '../../src/storage/s3-storage-reader.ts';
import { listStorage, parseListing, type StorageListing } from '../../src/storage/storage-listing.ts';
import { parsePushDates, readPushDates, type PushDates } from '../../src/storage/push-dates.ts';
import { localExec, storageTree, storeImage } from '../helpers/storage-tree.ts';

/** Every file under dir as the object a bucket would hold for it (path relative to docker/registry/v2). */
function objectsOf(v2: string): { path: string; key: string; size: number; modified: number }[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else files.push(join(dir, e.name));
    }
  };
  walk(v2);
  return files.map((f) => {
    // Milliseconds cut from the nanoseconds, as push-dates.ts cuts stat's.
    const s = statSync(f, { bigint: true });
    const path = relative(v2, f);
    return { path, key: `prefix/docker/registry/v2/${path}`, size: Number(s.size), modified: Number(s.mtimeNs / 1_000_000n) };
  });
}

/** A listing with its maps in key order (the order files and objects come in differs) and without its clock. */
function comparable(listing: StorageListing): unknown {
  const sorted = (m: ReadonlyMap<string, unknown>) => [...m].sort(([a], [b]) => a.localeCompare(b));
  const { now: _, ...times } = listing.times;
  return {
    ...listing,
    repositories: listing.repositories.map((r) => ({ ...r, tags: sorted(r.tags) })),
    blobs: sorted(listing.blobs),
    times: Object.fromEntries(Object.entries(times).map(([k, m]) => [k, sorted(m)])),
  };
}

test('the objects of a storage give the listing and push dates its files give', async (t) => {
  const tree = storageTree(t);
  const a = storeImage(tree, 'team/app', '{"a":1}', ['layer one', 'layer two']);
  const b = storeImage(tree, 'other', '{"b":1}', ['layer three']);
  tree.tag('team/app', 'v1', a.digest, new Date('2026-11-30T08:44:46.546Z'));
  tree.tag('team/app', 'latest', a.digest, new Date('2026-12-01T10:00:00.123Z'));
  tree.tag('other', 'v2', b.digest, new Date('2026-12-02T10:00:00Z'));
  // An untagged revision, a layer link, an upload in progress, and names that fit no grammar.
  tree.manifest('team/app', { schemaVersion: 2, layers: [] });
  const link = (dir: string, content: string, when?: Date): void => {
    mkdirSync(join(tree.v2, dir), { recursive: true });
    writeFileSync(join(tree.v2, dir, 'link'), content);
    if (when) utimesSync(join(tree.v2, dir, 'link'), when, when);
  };
  link(`repositories/team/app/_layers/sha256/${a.digest.slice(7)}`, a.digest, new Date('2026-11-29T00:00:00Z'));
  const upload = join(tree.v2, 'repositories/other/_uploads/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0');
  mkdirSync(upload, { recursive: true });
  writeFileSync(join(upload, 'data'), 'half a layer');
  writeFileSync(join(upload, 'startedat'), '2026-12-01T00:00:00Z');
  link('repositories/Bad Name/_manifests/tags/v1/current', a.digest);
  link('repositories/team/app/_manifests/tags/.hidden/current', a.digest);
  link('repositories/team/app/_manifests/tags/broken/current', 'not a digest');
  link(`repositories/team/app/_manifests/revisions/sha256/${'z'.repeat(64)}`, 'x');
  mkdirSync(join(tree.v2, 'blobs/sha256/zz/odd name'), { recursive: true });
  writeFileSync(join(tree.v2, 'blobs/sha256/zz/odd name/data'), 'x');

  const files = await listStorage(localExec, tree.root);
  const objects = objectsOf(tree.v2);
  const now = 1_900_000_000_000;
  const read: string[] = [];
  const text = await listingText(objects, now, async (path) => {
    read.push(path);
    return readFileSync(join(tree.v2, path), 'utf8');
  });
  const fromObjects = parseListing(text);
  t.is(fromObjects.times.now, now / 1000);
  t.deepEqual(comparable(fromObjects), comparable(files));
  // What the listing holds, so that the comparison is not of two empty things.
  t.deepEqual(
    fromObjects.repositories.map((r) => [r.name, [...r.tags.keys()].sort()]),
    [
      ['other', ['v2']],
      ['team/app', ['latest', 'v1']],
    ],
  );
  t.is(fromObjects.uploads.length, 1);
  t.deepEqual(
    fromObjects.leftAlone.map((l) => l.path),
    [
      'blobs/sha256/zz/odd name',
      `repositories/team/app/_manifests/revisions/sha256/${'z'.repeat(64)}`,
      'repositories/team/app/_manifests/tags/.hidden',
      'repositories/team/app/_manifests/tags/broken/current/link',
      'repositories/Bad Name',
    ].sort((x, y) => x.localeCompare(y)),
  );
  // Links are read only where the names fit their grammars.
  t.false(read.some((p) => p.includes('Bad Name') || p.includes('.hidden')));

  const dates = parsePushDates(pushDatesText(objects));
  const byName = (d: PushDates) => [...d].map(([r, tags]) => [r, [...tags].sort()]).sort(([a], [b]) => String(a).localeCompare(String(b)));
  t.deepEqual(byName(dates), byName(await readPushDates(localExec, tree.root)));
  t.is(dates.get('team/app')?.get('v1'), '2026-11-30T08:44:46.546Z');
});

test('an empty bucket is an empty storage', async (t) => {
  const listing = parseListing(await listingText([], 1_900_000_000_000, () => Promise.reject(new Error('no link to read'))));
  t.deepEqual(listing.repositories, []);
  t.deepEqual(listing.leftAlone, []);
  t.is(listing.blobs.size, 0);
  t.deepEqual(parsePushDates(pushDatesText([])), new Map());
});

test('a repository whose manifests all went (only layer links left) is one in both: the files keep an empty _manifests, a bucket keeps no folders', async (t) => {
  const tree = storageTree(t);
  const a = storeImage(tree, 'gone', '{"g":1}', ['layer of gone']);
  const b = storeImage(tree, 'kept', '{"k":1}', ['layer of kept']);
  tree.tag('kept', 'v1', b.digest);
  // The layer links distribution writes as blobs are pushed (the tree's images have none of their own).
  for (const [repo, image] of [
    ['gone', a],
    ['kept', b],
  ] as const)
    for (const d of image.blobs.keys()) {
      const dir = join(tree.v2, 'repositories', repo, '_layers/sha256', d.slice(7));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'link'), d);
    }
  // What rmi of the last tag leaves: the tag and revision links gone, their folders and the layer links not.
  const manifests = join(tree.v2, 'repositories/gone/_manifests');
  for (const dir of [join(manifests, 'revisions/sha256', a.digest.slice(7)), join(manifests, 'tags')])
    rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(manifests, 'tags'), { recursive: true });
  const objects = objectsOf(tree.v2);
  t.false(
    objects.some((o) => o.path.startsWith('repositories/gone/_manifests')),
    'no object under gone/_manifests',
  );
  const fromObjects = parseListing(
    await listingText(objects, 1_900_000_000_000, async (path) => readFileSync(join(tree.v2, path), 'utf8')),
  );
  const files = await listStorage(localExec, tree.root);
  t.deepEqual(comparable(fromObjects), comparable(files));
  t.deepEqual(
    fromObjects.repositories.map((r) => [r.name, r.tags.size, r.manifests.length]),
    [
      ['gone', 0, 0],
      ['kept', 1, 1],
    ],
  );
});
