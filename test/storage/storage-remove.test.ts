// Hostile names and symlinks against the storage's grammar, the listing and the removal
// scripts, on real files with this machine's sh (test/helpers/storage-tree.ts).
import test, { type ExecutionContext } from 'ava';
import { existsSync, lstatSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDigest, isRepositoryName, isTagName, isUploadId, storagePath } from '../../src/storage/storage-layout.ts';
import { listStorage, parseListing } from '../../src/storage/storage-listing.ts';
import {
  blobTargets,
  layerLinkTargets,
  planTargets,
  removeManifestLinks,
  removeRepositories,
  removeTargets,
  uploadTargets,
} from '../../src/storage/storage-remove.ts';
import { untagInStorage } from '../../src/storage/untag.ts';
import { localExec, storageTree } from '../helpers/storage-tree.ts';

const HOSTILE = [
  '* x',
  'a b',
  '?',
  '[x]',
  'nl\nname',
  '-rf',
  '..',
  '.',
  '..x',
  'é',
  '*',
  '',
  'a/../b',
  'A',
  `$(touch /tmp/pwned)`,
  '`id`',
  'a;b',
];
const H = (c: string, n = 64) => c.repeat(n);
const D = `sha256:${H('a')}`;
const UUID = '0f3e0000-1111-2222-3333-444444444444';

test('grammars: real names pass, every hostile one fails', (t) => {
  for (const ok of ['app', 'team/app', 'a.b_c__d---e/f0']) t.true(isRepositoryName(ok), ok);
  for (const ok of ['v1', 'latest', 'V1.0_rc-1', '_x']) t.true(isTagName(ok), ok);
  for (const ok of [D, `sha512:${H('b', 128)}`, `sha384:${H('c', 96)}`]) t.true(isDigest(ok), ok);
  t.true(isUploadId(UUID));
  for (const bad of HOSTILE) {
    t.false(isRepositoryName(bad), JSON.stringify(bad));
    if (bad !== 'A') t.false(isTagName(bad), JSON.stringify(bad));
    t.false(isDigest(`sha256:${bad}`), JSON.stringify(bad));
    t.false(isUploadId(bad), JSON.stringify(bad));
  }
  for (const bad of [
    `sha256:${H('a', 63)}`,
    `sha256:${H('a', 65)}`,
    `sha512:${H('a')}`,
    `sha256:${H('A')}`,
    `md5:${H('a', 32)}`,
    `sha256:${H('a', 64)}\n`,
  ])
    t.false(isDigest(bad), bad);
});

test('path builders refuse every hostile part before anything is built', (t) => {
  for (const bad of HOSTILE) {
    t.throws(() => storagePath.repository(bad), { message: /not a repository name/ }, JSON.stringify(bad));
    t.throws(() => storagePath.revision('app', `sha256:${bad}`), { message: /not a digest/ });
    t.throws(() => storagePath.layerLink('app', bad), { message: /not a digest/ });
    t.throws(() => storagePath.upload('app', bad), { message: /not an upload id/ });
    t.throws(() => storagePath.blob(bad), { message: /not a digest/ });
    if (bad !== 'A') t.throws(() => storagePath.tag('app', bad), { message: /not a tag name/ });
  }
  t.is(storagePath.revision('team/app', D), `docker/registry/v2/repositories/team/app/_manifests/revisions/sha256/${H('a')}`);
  t.is(storagePath.upload('app', UUID), `docker/registry/v2/repositories/app/_uploads/${UUID}`);
  t.is(storagePath.blob(D), `docker/registry/v2/blobs/sha256/aa/${H('a')}`);
});

test('parseListing refuses hostile names instead of inventing digests, repositories, tags or uploads', (t) => {
  const rows: Array<[string, string, string]> = [
    [`V 1 ./app/_manifests/revisions/sha256/* x/link`, 'repositories/app/_manifests/revisions/sha256/* x', 'not a digest'],
    [`V 1 ./app/_manifests/revisions/*/${H('a')}/link`, `repositories/app/_manifests/revisions/*/${H('a')}`, 'not a digest'],
    [
      `V 1 ./app/_manifests/revisions/sha256/${H('a', 63)}/link`,
      `repositories/app/_manifests/revisions/sha256/${H('a', 63)}`,
      'not a digest',
    ],
    [`V 1 ./* x/_manifests/revisions/sha256/${H('a')}/link`, 'repositories/* x', 'not a repository name'],
    [`R ./-rf/_manifests`, 'repositories/-rf', 'not a repository name'],
    [`R ./a/../b/_manifests`, 'repositories/a/../b', 'not a repository name'],
    [`T ./app/_manifests/tags/a b/current/link ${D}`, 'repositories/app/_manifests/tags/a b', 'not a tag name'],
    [`T ./app/_manifests/tags/v1/current/link sha256:* x`, 'repositories/app/_manifests/tags/v1/current/link', 'its link is not a digest'],
    [`L 1 ./app/_layers/sha256/[x]/link`, 'repositories/app/_layers/sha256/[x]', 'not a digest'],
    [`U 5 1 ./app/_uploads/?/data`, 'repositories/app/_uploads/?', 'not an upload id'],
    [`B 5 1 blobs/sha256/é/${H('a')}/data`, `blobs/sha256/é/${H('a')}`, 'not a digest'],
    [`B 5 1 blobs/sha256/aa/..x/data`, 'blobs/sha256/aa/..x', 'not a digest'],
    [`Y repositories`, 'repositories', 'a symlink'],
  ];
  for (const [line, path, why] of rows) {
    const l = parseListing(`N 5\nR ./app/_manifests\n${line}\n`);
    t.deepEqual(l.leftAlone, [{ path, why }], line);
    t.deepEqual(
      l.repositories.map((r) => [r.name, r.tags.size, r.manifests.length]),
      [['app', 0, 0]],
      line,
    );
    t.is(l.blobs.size + l.uploads.length + l.times.layers.size, 0, line);
  }
  // After "Z": symlinks, then (after an empty record) names outside the safe characters, a newline included.
  const z = parseListing(
    `N 5\nZ\nrepositories/lnk\0blobs/sha256/ff\0\0repositories/app/_manifests/revisions/sha256/nl\nname\0repositories/a b\0`,
  );
  t.deepEqual(z.leftAlone, [
    { path: 'blobs/sha256/ff', why: 'a symlink' },
    { path: 'repositories/a b', why: 'not a repository name' },
    { path: 'repositories/app/_manifests/revisions/sha256/nl\nname', why: 'not a digest' },
    { path: 'repositories/lnk', why: 'a symlink' },
  ]);
});

/** A tree with real content and, beside it, hostile names and symlinks to a dir outside the storage. */
function hostileTree(t: ExecutionContext) {
  const tree = storageTree(t);
  const outside = join(tree.root, '..', `${tree.root.split('/').pop()}-outside`);
  const put = (p: string, c = 'x') => {
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, c);
  };
  mkdirSync(outside, { recursive: true });
  t.teardown(() => rmSync(outside, { recursive: true, force: true }));
  const fake = [
    '_manifests/revisions/sha256/' + H('a') + '/link',
    '_layers/sha256/' + H('a') + '/link',
    `_uploads/${UUID}/data`,
    `_manifests/tags/v1/current/link`,
    `_manifests/tags/v1/index/sha256/${H('a')}/link`,
    `sha256/aa/${H('a')}/data`,
  ];
  for (const f of fake) put(join(outside, f), D);
  const r = (p: string) => join(tree.v2, 'repositories', p);
  put(r(`app/_manifests/revisions/sha256/${H('a')}/link`), D);
  put(r(`app/_manifests/tags/* x/index/sha256/${H('a')}/link`), D);
  put(r(`app/_manifests/tags/v1/index/sha256/${H('a')}/link`), D);
  put(r('x/_manifests/revisions/sha256/' + H('b') + '/link'), `sha256:${H('b')}`);
  put(r(`app/_uploads/${UUID}/data`), 'upload');
  for (const name of HOSTILE.filter((n) => n && !n.includes('/') && n !== '.' && n !== '..'))
    put(r(`app/_manifests/revisions/sha256/${name}/link`), 'junk');
  symlinkSync(outside, r('lnk'));
  symlinkSync(outside, r('app/_layers'));
  symlinkSync(join(outside, '_manifests/tags/v1'), r('app/_manifests/tags/linked'));
  mkdirSync(r('gone'), { recursive: true });
  symlinkSync(join(outside, '_uploads'), r('gone/_uploads'));
  put(r('gone/_manifests/tags/v1/current/link'), D);
  mkdirSync(join(tree.v2, 'blobs/sha256'), { recursive: true });
  symlinkSync(join(outside, 'sha256/aa'), join(tree.v2, 'blobs/sha256/aa'));
  return { tree, outside, fake, r };
}

test('removals: built paths only, no symlink followed, hostile neighbours untouched', async (t) => {
  const { tree, outside, fake, r } = hostileTree(t);
  const left = [
    ...(await removeTargets(
      localExec,
      tree.root,
      [
        ...planTargets([{ name: 'app', keep: [], remove: [D], removeRepository: false, warnings: [], young: [] }]),
        ...layerLinkTargets([{ repository: 'app', digest: D }]),
        ...blobTargets([D]),
        ...uploadTargets([
          { repository: 'app', id: UUID },
          { repository: 'lnk', id: UUID },
        ]),
      ],
      'removing',
    )),
    ...(await removeRepositories(localExec, tree.root, ['gone', 'lnk'])),
    ...(await removeManifestLinks(localExec, tree.root, 'lnk', ['v1'], [D])),
  ];
  t.deepEqual([...new Set(left.map((l) => l.path))].sort(), [
    'blobs/sha256/aa',
    'repositories/app/_layers',
    'repositories/app/_manifests/tags/linked',
    'repositories/gone/_uploads',
    'repositories/lnk',
  ]);
  for (const f of fake) t.true(existsSync(join(outside, f)), `outside: ${f}`);
  t.false(existsSync(r(`app/_manifests/revisions/sha256/${H('a')}`)), 'the revision went');
  t.false(existsSync(r(`app/_manifests/tags/v1/index/sha256/${H('a')}`)), "a real tag's history entry went");
  t.true(existsSync(r(`app/_manifests/tags/* x/index/sha256/${H('a')}/link`)), "a hostile tag's entry stays");
  t.false(existsSync(r(`app/_uploads/${UUID}`)), 'the upload went');
  t.true(existsSync(r('x/_manifests/revisions/sha256/' + H('b') + '/link')), 'x stays');
  for (const name of HOSTILE.filter((n) => n && !n.includes('/') && n !== '.' && n !== '..'))
    t.true(existsSync(r(`app/_manifests/revisions/sha256/${name}/link`)), JSON.stringify(name));
  t.true(lstatSync(r('gone/_uploads')).isSymbolicLink(), "gone's symlinked _uploads stays");
  t.false(existsSync(r('gone/_manifests')));

  const tagged = await untagInStorage(localExec, tree.root, [{ repository: 'app', tag: 'linked', digest: D }]);
  t.deepEqual(tagged.removed, [], 'a symlinked tag directory is not read or removed');
  t.true(existsSync(join(outside, '_manifests/tags/v1/current/link')));
});

test('listStorage reports hostile names and symlinks at every level, and builds nothing from them', async (t) => {
  const { tree } = hostileTree(t);
  const listing = await listStorage(localExec, tree.root);
  t.deepEqual(
    listing.repositories.map((r) => r.name),
    ['app', 'gone', 'x'],
  );
  t.deepEqual(listing.repositories[0]!.manifests, [D]);
  t.deepEqual(
    listing.uploads.map((u) => u.id),
    [UUID],
  );
  const alone = new Map(listing.leftAlone.map((l) => [l.path, l.why]));
  t.is(alone.get('repositories/lnk'), 'a symlink');
  t.is(alone.get('repositories/app/_layers'), 'a symlink');
  t.is(alone.get('blobs/sha256/aa'), 'a symlink');
  t.is(alone.get('repositories/app/_manifests/revisions/sha256/* x'), 'not a digest');
  t.is(alone.get('repositories/app/_manifests/revisions/sha256/nl\nname'), 'not a digest');
  t.is(alone.get('repositories/app/_manifests/tags/* x'), 'not a tag name');
  t.is(alone.get('repositories/app/_manifests/revisions/sha256/-rf'), 'not a digest');
});
