// rmi's decisions against an in-memory registry over node:http that can behave as 3.x
// (DELETE by tag), as 2.x (400 DIGEST_INVALID for a tag), or with deletes disabled.
// The real 2.8 path runs in test/e2e/contents.test.ts; 3.x's tag delete only runs here,
// since the registry:3 stand-in of the test rig is distribution 2.8.2.
import test from 'ava';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryClient } from '../../src/registry/client.ts';
import { removeImages, removeRepositories } from '../../src/registry/remove-images.ts';
import { MEDIA } from '../../src/registry/manifest.ts';
import { NotFoundError, RefusedError, RegistryError } from '../../src/errors.ts';

type Mode = 'v3' | 'v2' | 'no-deletes';

interface Fake {
  host: string;
  tags: Map<string, string>;
  manifests: Map<string, Buffer>;
  deletes: string[];
  server: Server;
}

const sha = (b: Buffer): string => 'sha256:' + createHash('sha256').update(b).digest('hex');

function image(n: number): Buffer {
  return Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MEDIA.ociManifest,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: 'sha256:' + String(n).repeat(64).slice(0, 64), size: 1 },
    layers: [],
  }));
}

async function fakeRegistry(mode: Mode): Promise<Fake> {
  const fake = { tags: new Map<string, string>(), manifests: new Map<string, Buffer>(), deletes: [] as string[] } as Fake;
  const error = (res: import('node:http').ServerResponse, status: number, code: string): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code, message: code.toLowerCase() }] }));
  };
  fake.server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const m = /^\/v2\/(.+)\/(tags\/list|manifests\/([^/]+))$/.exec(url.pathname);
    if (!m || m[1] !== 'repo') return error(res, 404, 'NAME_UNKNOWN');
    if (m[2] === 'tags/list') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ name: 'repo', tags: [...fake.tags.keys()] }));
    }
    const ref = m[3]!;
    const digest = ref.startsWith('sha256:') ? ref : fake.tags.get(ref);
    if (req.method === 'DELETE') {
      if (mode === 'no-deletes') return error(res, 405, 'UNSUPPORTED');
      if (!ref.startsWith('sha256:')) {
        if (mode === 'v2') return error(res, 400, 'DIGEST_INVALID');
        if (!fake.tags.delete(ref)) return error(res, 404, 'MANIFEST_UNKNOWN');
        fake.deletes.push(ref);
        res.writeHead(202);
        return res.end();
      }
      if (!fake.manifests.delete(ref)) return error(res, 404, 'MANIFEST_UNKNOWN');
      for (const [tag, d] of fake.tags) if (d === ref) fake.tags.delete(tag);
      fake.deletes.push(ref);
      res.writeHead(202);
      return res.end();
    }
    const body = digest ? fake.manifests.get(digest) : undefined;
    if (!body) return error(res, 404, 'MANIFEST_UNKNOWN');
    res.writeHead(200, { 'content-type': MEDIA.ociManifest, 'docker-content-digest': digest! });
    res.end(body);
  });
  await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
  fake.host = `127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  return fake;
}

function put(fake: Fake, body: Buffer, ...tags: string[]): string {
  const digest = sha(body);
  fake.manifests.set(digest, body);
  for (const t of tags) fake.tags.set(t, digest);
  return digest;
}

async function setup(t: import('ava').ExecutionContext, mode: Mode): Promise<{ fake: Fake; client: RegistryClient; shared: string; other: string }> {
  const fake = await fakeRegistry(mode);
  const client = new RegistryClient(fake.host, { retries: 0 });
  t.teardown(async () => {
    await client.close();
    fake.server.closeAllConnections();
    fake.server.close();
  });
  const shared = put(fake, image(1), 'a', 'b');
  const other = put(fake, image(2), 'c');
  return { fake, client, shared, other };
}

const ref = (tag: string) => ({ registry: 'x', repository: 'repo', tag });

test('registry 3.x: rmi repo:a deletes only that tag, though repo:b shares the digest', async (t) => {
  const { fake, client, shared } = await setup(t, 'v3');
  const removed = await removeImages(client, [ref('a')], { force: false });
  t.deepEqual(removed, [{ repository: 'repo', tag: 'a', digest: shared, action: 'untagged', alsoRemovedTags: [] }]);
  t.deepEqual(fake.deletes, ['a']);
  t.deepEqual([...fake.tags.keys()], ['b', 'c']);
});

test('registry 2.x: the tag delete is refused, so the shared digest is refused without --force, with nothing deleted', async (t) => {
  const { fake, client, shared } = await setup(t, 'v2');
  const err = await t.throwsAsync(removeImages(client, [ref('a')], { force: false }), { instanceOf: RefusedError });
  t.regex(err!.message, /repo:b points at the same digest and would be deleted too/);
  t.deepEqual(fake.deletes, []);
  const removed = await removeImages(client, [ref('a')], { force: true });
  t.deepEqual(removed, [{ repository: 'repo', tag: 'a', digest: shared, action: 'deleted', alsoRemovedTags: ['b'] }]);
  t.deepEqual(fake.deletes, [shared]);
  t.deepEqual([...fake.tags.keys()], ['c']);
});

test('registry 2.x: an unshared tag is deleted by digest', async (t) => {
  const { fake, client, other } = await setup(t, 'v2');
  const removed = await removeImages(client, [ref('c')], { force: false });
  t.is(removed[0]!.action, 'deleted');
  t.deepEqual(fake.deletes, [other]);
});

test('unknown tag: NotFoundError before anything is deleted', async (t) => {
  const { fake, client } = await setup(t, 'v3');
  await t.throwsAsync(removeImages(client, [ref('c'), ref('nope')], { force: false }), { instanceOf: NotFoundError, message: /no image .*repo:nope/ });
  t.deepEqual(fake.deletes, []);
});

test('deletes disabled: one clear line', async (t) => {
  const { client } = await setup(t, 'no-deletes');
  await t.throwsAsync(removeImages(client, [ref('c')], { force: false }), { instanceOf: RegistryError, message: /does not allow deleting \(storage\.delete\.enabled is off/ });
  await t.throwsAsync(removeRepositories(client, ['repo']), { instanceOf: RegistryError, message: /does not allow deleting/ });
});

test('rmr: every digest once; unknown repositories refused first', async (t) => {
  const { fake, client, shared, other } = await setup(t, 'v2');
  await t.throwsAsync(removeRepositories(client, ['repo', 'nothere']), { instanceOf: NotFoundError, message: /no repository .*\/nothere/ });
  t.deepEqual(fake.deletes, []);
  t.deepEqual(await removeRepositories(client, ['repo']), [{ repository: 'repo', manifests: 2 }]);
  t.deepEqual(fake.deletes.sort(), [shared, other].sort());
});

test('registry 3.x: an image named twice is untagged once, without an error', async (t) => {
  const { fake, client, other } = await setup(t, 'v3');
  const removed = await removeImages(client, [ref('c'), ref('c')], { force: false });
  t.deepEqual(removed, [{ repository: 'repo', tag: 'c', digest: other, action: 'untagged', alsoRemovedTags: [] }]);
  t.deepEqual(fake.deletes, ['c']);
});

test('repo:tag@digest where the tag points elsewhere: refused, nothing deleted', async (t) => {
  const { fake, client, shared, other } = await setup(t, 'v2');
  await t.throwsAsync(removeImages(client, [{ ...ref('c'), digest: shared }], { force: true }), { instanceOf: NotFoundError, message: new RegExp(`repo:c points at ${other}, not ${shared}`) });
  t.deepEqual(fake.deletes, []);
  t.deepEqual([...fake.tags.keys()], ['a', 'b', 'c']);
});
