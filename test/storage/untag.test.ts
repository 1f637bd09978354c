// Removing tags only. Registry 3.x's DELETE by tag runs here against the in-process registry
// (test/fakes/oci-registry.ts) speaking the protocol as 3.x does (the test rig's registry:3
// stand-in is 2.8.2, whose answer, 400 DIGEST_INVALID, sends the removal to storage: a real
// storage tree here, and both registry images in test/e2e/prune.test.ts).
import test, { type ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryClient } from '../../src/registry/client.ts';
import { untag, untagInStorage } from '../../src/storage/untag.ts';
import { startOciRegistry } from '../fakes/oci-registry.ts';
import { buildManifest, tar } from '../helpers/images.ts';
import { localExec, storageTree } from '../helpers/storage-tree.ts';

const image = (name: string) =>
  buildManifest('oci', { os: 'linux', architecture: 'amd64' }, [tar([{ name, type: 'file', data: Buffer.from(name) }])], [`/${name}`]);
const [imageA, imageB] = [image('a'), image('b')];
const A = imageA.digest;
const B = imageB.digest;

/** A registry with app's tags on A or B: 3.x deletes a tag, 2.x answers 400 DIGEST_INVALID. */
async function fakeRegistry(t: ExecutionContext, mode: 'v3' | 'v2', tags: Record<string, string>) {
  const registry = await startOciRegistry({ deleteTags: mode === 'v3' });
  for (const [tag, digest] of Object.entries(tags)) registry.store.pushImage('app', tag, digest === A ? imageA : imageB);
  const client = new RegistryClient(registry.host, { retries: 0 });
  t.teardown(async () => {
    await client.close();
    await registry.close();
  });
  return { client, requests: () => registry.requests(), tags: () => registry.store.tags('app') ?? [] };
}

const noStorage = {
  exec: async () => {
    throw new Error('storage must not be touched');
  },
  root: '/nowhere',
};

test('3.x: each tag deleted through the API, only when it still points at the planned digest', async (t) => {
  const fake = await fakeRegistry(t, 'v3', { v1: A, v2: A, v3: B, moved: B, keep: A });
  const result = await untag(fake.client, noStorage, [
    { repository: 'app', tag: 'v1', digest: A },
    { repository: 'app', tag: 'v2', digest: A },
    { repository: 'app', tag: 'moved', digest: A }, // pushed again since the plan: now B
    { repository: 'app', tag: 'v3', digest: B },
  ]);
  t.is(result.how, 'api');
  t.deepEqual(result.removed.map((r) => r.tag).sort(), ['v1', 'v2', 'v3']);
  t.deepEqual(
    result.changed.map((r) => r.tag),
    ['moved'],
  );
  t.deepEqual(fake.tags(), ['keep', 'moved'], 'the other tags on the same digest stay');
  t.false(
    fake.requests().some((r) => r.startsWith('DELETE') && r.includes('sha256:')),
    'never a delete by digest',
  );
});

test('2.x: the registry cannot delete a tag, so tag directories go from storage, nothing else', async (t) => {
  const fake = await fakeRegistry(t, 'v2', { v1: A, v2: A, moved: B });
  const tree = storageTree(t);
  tree.tag('app', 'v1', A);
  tree.tag('app', 'v2', A);
  tree.tag('app', 'moved', B);
  tree.tag('app', 'keep', A);
  const result = await untag(fake.client, { exec: localExec, root: tree.root }, [
    { repository: 'app', tag: 'v1', digest: A },
    { repository: 'app', tag: 'moved', digest: A },
    { repository: 'app', tag: 'v2', digest: A },
  ]);
  t.is(result.how, 'storage');
  t.deepEqual(result.removed.map((r) => r.tag).sort(), ['v1', 'v2']);
  t.deepEqual(
    result.changed.map((r) => r.tag),
    ['moved'],
  );
  const tagDir = (tag: string): string => join(tree.v2, 'repositories/app/_manifests/tags', tag);
  t.false(existsSync(tagDir('v1')));
  t.false(existsSync(tagDir('v2')));
  t.true(existsSync(join(tagDir('moved'), 'current/link')));
  t.true(existsSync(join(tagDir('keep'), 'current/link')));
  t.is(fake.requests().filter((r) => r.startsWith('DELETE')).length, 1, 'one try, then storage');
});

test('untagInStorage refuses names that could reach outside a tag directory, before removing anything', async (t) => {
  const tree = storageTree(t);
  tree.tag('app', 'v1', A);
  for (const [repository, tag] of [
    ['app', '..'],
    ['app', 'a/b'],
    ['../app', 'v1'],
    ['app', '*'],
    ['App', 'v1'],
  ] as const) {
    await t.throwsAsync(
      untagInStorage(localExec, tree.root, [
        { repository: 'app', tag: 'v1', digest: A },
        { repository, tag, digest: A },
      ]),
      { message: /refusing to remove the tag/ },
    );
  }
  t.true(existsSync(join(tree.v2, 'repositories/app/_manifests/tags/v1/current/link')));
});
