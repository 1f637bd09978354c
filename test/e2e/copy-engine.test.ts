// The copy engine against real registry containers: indexes and lists byte for byte,
// mounts within a registry, all-or-nothing tag checks, and a corrupt source blob that must
// leave no tag behind. A declined mount and transient upload failures: test/registry/copy.test.ts.
import test from 'ava';
import { createHash } from 'node:crypto';
import { e2e, registryImages, startTestRegistry, type TestRegistry } from '../helpers/engine.ts';
import { pushArchy, pushRandomImage, blobsOf, type BuiltIndex } from '../helpers/images.ts';
import { run, docker } from '../helpers/run.ts';
import { RegistryClient } from '../../src/registry/client.ts';
import { copyImages, type CopyEvents } from '../../src/registry/copy.ts';
import { NotFoundError } from '../../src/errors.ts';
import { DigestMismatchError } from '../../src/registry/blobs.ts';

const registries: TestRegistry[] = [];
const clients: RegistryClient[] = [];
test.after.always(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(registries.map((r) => r.remove()));
});

async function registry(image?: string): Promise<TestRegistry> {
  const r = await startTestRegistry({ image });
  registries.push(r);
  return r;
}

function repo(host: string, repository: string) {
  const client = new RegistryClient(host, { retries: 1 });
  clients.push(client);
  return { client, repository };
}

/** sha256 of the manifest skopeo reads: a second opinion independent of our client. */
async function skopeoDigest(reference: string): Promise<string> {
  const result = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reference}`]);
  if (result.code !== 0) throw new Error(`skopeo inspect ${reference}: ${result.stderr}`);
  return 'sha256:' + createHash('sha256').update(result.stdout).digest('hex');
}

async function tags(host: string, repository: string): Promise<string[] | undefined> {
  const response = await fetch(`http://${host}/v2/${repository}/tags/list`);
  if (response.status === 404) return undefined;
  return ((await response.json()) as { tags: string[] | null }).tags ?? [];
}

function recorder() {
  const seen = { blobs: new Map<string, string>(), manifests: [] as string[], tags: [] as string[], retries: 0, order: [] as string[] };
  const events: CopyEvents = {
    blobDone: (d, _s, how) => (seen.blobs.set(d, how), seen.order.push(`blob ${d}`)),
    manifestDone: (d, _m, how) => (seen.manifests.push(`${d} ${how}`), seen.order.push(`manifest ${d}`)),
    tagDone: (dest) => (seen.tags.push(dest), seen.order.push(`tag ${dest}`)),
    blobRetry: () => (seen.retries += 1),
  };
  return { seen, events };
}

for (const image of registryImages) {
  for (const format of ['oci', 'docker'] as const) {
    e2e(`${image}: a two-platform ${format} index arrives byte for byte, children before the tag`, async (t) => {
      const src = await registry(image);
      const dst = await registry(image);
      const index = (await pushArchy(src.host, { format, tag: 'v1' })) as BuiltIndex;
      const { seen, events } = recorder();
      const report = await copyImages(repo(src.host, 'archy'), repo(dst.host, 'team/archy'), [{ source: 'v1', tag: 'v1' }], {
        events,
        jobs: 3,
      });
      t.is(report.images[0]!.digest, index.digest);
      t.is(report.images[0]!.destination, `${dst.host}/team/archy:v1`);
      t.is(await skopeoDigest(`${dst.host}/team/archy:v1`), index.digest);
      for (const m of index.manifests) t.is(await skopeoDigest(`${dst.host}/team/archy@${m.digest}`), m.digest);
      t.is(report.blobs.copied, blobsOf(index).length);
      t.is(
        report.bytes,
        blobsOf(index).reduce((n, b) => n + b.size, 0),
      );
      // Every blob and child manifest was done before the tag.
      t.is(seen.order.at(-1), `tag ${dst.host}/team/archy:v1`);
      t.is(seen.manifests.length, 2);
      // Run again: the index is found at the destination, nothing below it is copied or
      // asked of the destination; its blobs count as already there (a warm copy says so).
      const again = recorder();
      const second = await copyImages(repo(src.host, 'archy'), repo(dst.host, 'team/archy'), [{ source: 'v1', tag: 'v2' }], {
        events: again.events,
      });
      t.deepEqual(second.blobs, { exists: blobsOf(index).length, mounted: 0, copied: 0 });
      t.deepEqual(again.seen.manifests, [`${index.digest} exists`]);
      t.is(await skopeoDigest(`${dst.host}/team/archy:v2`), index.digest);
      // A child copied under its own tag next to the index: both arrive, the child by digest too.
      const third = await copyImages(repo(src.host, 'archy'), repo(dst.host, 'both'), [
        { source: 'v1', tag: 'index' },
        { source: index.manifests[0]!.digest, tag: 'child' },
      ]);
      t.is(third.blobs.copied, blobsOf(index).length);
      t.is(await skopeoDigest(`${dst.host}/both:index`), index.digest);
      t.is(await skopeoDigest(`${dst.host}/both:child`), index.manifests[0]!.digest);
    });
  }
}

e2e('same registry: blobs are mounted, not copied; a tag pointing at the same digest costs nothing more', async (t) => {
  const reg = await registry();
  const img = await pushRandomImage(reg.host, 'app', 'v1', { layers: 3 });
  await pushRandomImage(reg.host, 'app', 'v2', { layers: 2 });
  const report = await copyImages(repo(reg.host, 'app'), repo(reg.host, 'mirror/app'), [
    { source: 'v1', tag: 'v1' },
    { source: 'v2', tag: 'v2' },
    { source: 'v1', tag: 'also-v1' },
  ]);
  t.deepEqual(report.blobs, { exists: 0, mounted: 7, copied: 0 });
  t.deepEqual((await tags(reg.host, 'mirror/app'))?.sort(), ['also-v1', 'v1', 'v2']);
  t.is(await skopeoDigest(`${reg.host}/mirror/app:also-v1`), img.digest);
});

e2e('a missing tag among several fails before anything is written, naming it', async (t) => {
  const src = await registry();
  const dst = await registry();
  await pushRandomImage(src.host, 'app', 'v1', { layers: 1 });
  const err = await t.throwsAsync(
    copyImages(repo(src.host, 'app'), repo(dst.host, 'app'), [
      { source: 'v1', tag: 'v1' },
      { source: 'nope', tag: 'nope' },
    ]),
    { instanceOf: NotFoundError },
  );
  t.regex(err.message, new RegExp(`no image ${src.host}/app:nope: nothing was copied`));
  t.is(await tags(dst.host, 'app'), undefined);
  const catalog = (await (await fetch(`http://${dst.host}/v2/_catalog`)).json()) as { repositories: string[] };
  t.deepEqual(catalog.repositories, []);
});

e2e('a corrupt source blob is refused on the way, leaves no tag, and a re-run after repair completes', async (t) => {
  const src = await registry();
  const dst = await registry();
  const img = await pushRandomImage(src.host, 'app', 'v1', { layers: 3, layerSize: 50_000 });
  const victim = img.layers[1]!;
  const hex = victim.digest.slice('sha256:'.length);
  const file = `/var/lib/registry/docker/registry/v2/blobs/sha256/${hex.slice(0, 2)}/${hex}/data`;
  // Flip the content of the stored layer, same size, so only the digest can tell.
  const backup = `/tmp/jindr-good-${hex}`;
  const exec = async (script: string) => {
    const r = await docker(['exec', src.name, 'sh', '-c', script]);
    if (r.code !== 0) throw new Error(`${script}: ${r.stderr}`);
  };
  await exec(`cp ${file} ${backup} && dd if=/dev/zero of=${file} bs=1 count=100 seek=1000 conv=notrunc 2>/dev/null`);
  const err = await t.throwsAsync(copyImages(repo(src.host, 'app'), repo(dst.host, 'app'), [{ source: 'v1', tag: 'v1' }]));
  t.true(err instanceof DigestMismatchError, String(err));
  t.regex(err.message, new RegExp(`blob ${victim.digest} arrived with content hashing to sha256:[0-9a-f]{64}: not copied`));
  t.deepEqual((await tags(dst.host, 'app')) ?? [], []);
  const head = await fetch(`http://${dst.host}/v2/app/blobs/${victim.digest}`, { method: 'HEAD' });
  t.is(head.status, 404);
  await exec(`cp ${backup} ${file}`);
  const report = await copyImages(repo(src.host, 'app'), repo(dst.host, 'app'), [{ source: 'v1', tag: 'v1' }]);
  t.is(report.blobs.copied + report.blobs.exists, 4);
  t.true(report.blobs.copied >= 1);
  t.is(await skopeoDigest(`${dst.host}/app:v1`), img.digest);
});
