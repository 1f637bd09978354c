// Which keys rmr deletes on S3 storage (s3-rmr.ts): a repository's own directories, never
// a nested repository's, a sibling's with the same start, or a blob; and a name outside the
// grammar is refused before anything is chosen. The bucket itself: test/e2e/s3-storage.test.ts.
import test from 'ava';
import { repositoryKeys } from '../../src/gc/s3-rmr.ts';

const H = 'a'.repeat(64);
const keys = [
  `repositories/team/_manifests/tags/v1/current/link`,
  `repositories/team/_manifests/revisions/sha256/${H}/link`,
  `repositories/team/_layers/sha256/${H}/link`,
  `repositories/team/_uploads/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/data`,
  `repositories/team/app/_manifests/tags/v1/current/link`,
  `repositories/team/app/_layers/sha256/${H}/link`,
  `repositories/teammate/_manifests/tags/v1/current/link`,
  `blobs/sha256/aa/${H}/data`,
];

test("rmr's keys: the repository's own _manifests, _layers and _uploads only", (t) => {
  t.deepEqual(repositoryKeys(keys, ['team']), keys.slice(0, 4));
  t.deepEqual(repositoryKeys(keys, ['team/app']), keys.slice(4, 6));
  t.deepEqual(repositoryKeys(keys, ['other']), []);
});

test('a name outside the repository grammar is refused', (t) => {
  t.throws(() => repositoryKeys(keys, ['../team']), { message: /not a repository name/ });
  t.throws(() => repositoryKeys(keys, ['']), { message: /not a repository name/ });
});
