// rmi's decisions against the in-process registry (test/fakes/oci-registry.ts) behaving as 3.x
// (DELETE by tag), as 2.x (400 DIGEST_INVALID for a tag), or with deletes disabled.
// The real 2.8 path runs in test/e2e/contents.test.ts; 3.x's tag delete only runs here,
// since the registry:3 stand-in of the test rig is distribution 2.8.2.
import test from 'ava';
import { RegistryClient } from '../../src/registry/client.ts';
import { removeImages, removeRepositories } from '../../src/registry/remove-images.ts';
import { NotFoundError, RefusedError, RegistryError } from '../../src/errors.ts';
import { startOciRegistry, type OciRegistry } from '../fakes/oci-registry.ts';
import { buildManifest, tar } from '../helpers/images.ts';

type Mode = 'v3' | 'v2' | 'no-deletes';

interface Fake {
  registry: OciRegistry;
  /** Tags of the repository, sorted. */
  tags(): string[];
  /** What DELETE requests removed (a tag, or a digest), in order. */
  deletes(): string[];
}

function image(n: number) {
  return buildManifest(
    'oci',
    { os: 'linux', architecture: 'amd64' },
    [tar([{ name: 'n.txt', type: 'file', data: Buffer.from(String(n)) }])],
    ['/n.txt'],
  );
}

async function setup(
  t: import('ava').ExecutionContext,
  mode: Mode,
): Promise<{ fake: Fake; client: RegistryClient; shared: string; other: string }> {
  const registry = await startOciRegistry({ deleteTags: mode === 'v3', deletes: mode !== 'no-deletes' });
  const client = new RegistryClient(registry.host, { retries: 0 });
  t.teardown(async () => {
    await client.close();
    await registry.close();
  });
  const shared = registry.store.pushImage('repo', 'a', image(1));
  registry.store.putManifest('repo', 'b', image(1).bytes, image(1).mediaType);
  const other = registry.store.pushImage('repo', 'c', image(2));
  const fake: Fake = {
    registry,
    tags: () => registry.store.tags('repo') ?? [],
    deletes: () => registry.log.filter((r) => r.method === 'DELETE' && r.status === 202).map((r) => r.path.split('/').at(-1)!),
  };
  return { fake, client, shared, other };
}

const ref = (tag: string) => ({ registry: 'x', repository: 'repo', tag });

test('registry 3.x: rmi repo:a deletes only that tag, though repo:b shares the digest', async (t) => {
  const { fake, client, shared } = await setup(t, 'v3');
  const removed = await removeImages(client, [ref('a')], { force: false });
  t.deepEqual(removed, [{ repository: 'repo', tag: 'a', digest: shared, action: 'untagged', alsoRemovedTags: [] }]);
  t.deepEqual(fake.deletes(), ['a']);
  t.deepEqual(fake.tags(), ['b', 'c']);
});

test('registry 2.x: the tag delete is refused, so the shared digest is refused without --force, with nothing deleted', async (t) => {
  const { fake, client, shared } = await setup(t, 'v2');
  const err = await t.throwsAsync(removeImages(client, [ref('a')], { force: false }), { instanceOf: RefusedError });
  t.regex(err.message, /repo:b points at the same digest and would be deleted too/);
  t.deepEqual(fake.deletes(), []);
  const removed = await removeImages(client, [ref('a')], { force: true });
  t.deepEqual(removed, [{ repository: 'repo', tag: 'a', digest: shared, action: 'deleted', alsoRemovedTags: ['b'] }]);
  t.deepEqual(fake.deletes(), [shared]);
  t.deepEqual(fake.tags(), ['c']);
});

test('registry 2.x: an unshared tag is deleted by digest', async (t) => {
  const { fake, client, other } = await setup(t, 'v2');
  const removed = await removeImages(client, [ref('c')], { force: false });
  t.is(removed[0]!.action, 'deleted');
  t.deepEqual(fake.deletes(), [other]);
});

test('unknown tag: NotFoundError before anything is deleted', async (t) => {
  const { fake, client } = await setup(t, 'v3');
  await t.throwsAsync(removeImages(client, [ref('c'), ref('nope')], { force: false }), {
    instanceOf: NotFoundError,
    message: /no image .*repo:nope/,
  });
  t.deepEqual(fake.deletes(), []);
});

test('deletes disabled: one clear line', async (t) => {
  const { client } = await setup(t, 'no-deletes');
  await t.throwsAsync(removeImages(client, [ref('c')], { force: false }), {
    instanceOf: RegistryError,
    message: /does not allow deleting \(storage\.delete\.enabled is off/,
  });
  await t.throwsAsync(removeRepositories(client, ['repo']), { instanceOf: RegistryError, message: /does not allow deleting/ });
});

test('rmr: every digest once; unknown repositories refused first', async (t) => {
  const { fake, client, shared, other } = await setup(t, 'v2');
  await t.throwsAsync(removeRepositories(client, ['repo', 'nothere']), { instanceOf: NotFoundError, message: /no repository .*\/nothere/ });
  t.deepEqual(fake.deletes(), []);
  t.deepEqual(await removeRepositories(client, ['repo']), [{ repository: 'repo', manifests: 2 }]);
  t.deepEqual(fake.deletes().sort(), [shared, other].sort());
});

test('registry 3.x: an image named twice is untagged once, without an error', async (t) => {
  const { fake, client, other } = await setup(t, 'v3');
  const removed = await removeImages(client, [ref('c'), ref('c')], { force: false });
  t.deepEqual(removed, [{ repository: 'repo', tag: 'c', digest: other, action: 'untagged', alsoRemovedTags: [] }]);
  t.deepEqual(fake.deletes(), ['c']);
});

test('repo:tag@digest where the tag points elsewhere: refused, nothing deleted', async (t) => {
  const { fake, client, shared, other } = await setup(t, 'v2');
  await t.throwsAsync(removeImages(client, [{ ...ref('c'), digest: shared }], { force: true }), {
    instanceOf: NotFoundError,
    message: new RegExp(`repo:c points at ${other}, not ${shared}`),
  });
  t.deepEqual(fake.deletes(), []);
  t.deepEqual(fake.tags(), ['a', 'b', 'c']);
});
