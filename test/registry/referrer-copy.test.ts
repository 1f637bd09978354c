// copyImages carries referrers (referrer-copy.ts) against the in-process registry, with and
// without the referrers API at either end: byte for byte by digest, cosign's tags under
// their names, the fallback tag copied as it is or merged with the destination's.
// Against real registry containers (2.8, no API) through the plugin: test/e2e/referrers.test.ts.
import test, { type ExecutionContext } from 'ava';
import { RegistryClient } from '../../src/registry/client.ts';
import { copyImages } from '../../src/registry/copy.ts';
import { parseManifest } from '../../src/registry/manifest.ts';
import { startOciRegistry, type OciRegistry } from '../fakes/oci-registry.ts';
import { buildRandomImage, artifactManifest, EMPTY_JSON as EMPTY } from '../helpers/images.ts';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const fallback = (digest: string): string => digest.replace(':', '-');

const artifact = (artifactType: string, subject: { digest: string; size: number }, note: string) =>
  artifactManifest(artifactType, subject, { annotations: { note } });

type Artifact = ReturnType<typeof artifact>;

function indexOf(...list: Artifact[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: list.map((a) => ({ mediaType: a.mediaType, digest: a.digest, size: a.size, artifactType: a.artifactType })),
    }),
  );
}

async function registry(t: ExecutionContext, referrers: boolean): Promise<OciRegistry> {
  const fake = await startOciRegistry({ referrers });
  t.teardown(fake.close);
  return fake;
}

function repo(t: ExecutionContext, fake: OciRegistry) {
  const client = new RegistryClient(fake.host, { retries: 1 });
  t.teardown(() => client.close());
  return { client, repository: 'app' };
}

/** app:v1 with a signature and an SBOM, and a signature of the SBOM, all untagged (found through the API or the fallback tags). */
function seed(src: OciRegistry, fallbackTags: boolean) {
  const image = buildRandomImage({ layers: 1 });
  src.store.pushImage('app', 'v1', image);
  src.store.putBlob('app', EMPTY);
  const sig = artifact('application/vnd.dev.cosign.artifact.sig.v1+json', image, 'signature');
  const sbom = artifact('application/spdx+json', image, 'sbom');
  const sbomSig = artifact('application/vnd.cncf.notary.signature', sbom, 'signature of the sbom');
  for (const a of [sig, sbom, sbomSig]) src.store.putManifest('app', a.digest, a.bytes, OCI_MANIFEST);
  if (fallbackTags) {
    src.store.putManifest('app', fallback(image.digest), indexOf(sbom, sig), OCI_INDEX);
    src.store.putManifest('app', fallback(sbom.digest), indexOf(sbomSig), OCI_INDEX);
  }
  return { image, sig, sbom, sbomSig };
}

const listed = (fake: OciRegistry, tag: string): string[] => {
  const m = fake.store.manifest('app', tag);
  if (!m) return [];
  const parsed = parseManifest(m.bytes, m.mediaType);
  return parsed.kind === 'index' ? parsed.manifests.map((d) => d.digest).sort() : [];
};

test('from a registry with the API to one without: each referrer by digest, and fallback tags listing them', async (t) => {
  const [src, dst] = [await registry(t, true), await registry(t, false)];
  const { image, sig, sbom, sbomSig } = seed(src, false);
  const report = await copyImages(repo(t, src), repo(t, dst), [{ source: 'v1', tag: 'v1' }]);
  for (const a of [sig, sbom, sbomSig]) t.true(dst.store.manifest('app', a.digest)?.bytes.equals(a.bytes), a.digest);
  t.deepEqual(listed(dst, fallback(image.digest)), [sig.digest, sbom.digest].sort());
  t.deepEqual(listed(dst, fallback(sbom.digest)), [sbomSig.digest]);
  t.deepEqual(
    report.referrers.map((r) => [r.kind, r.subject]).sort(),
    [
      ['sbom', image.digest],
      ['signature', image.digest],
      ['signature', sbom.digest],
    ].sort(),
  );
});

test('between registries without the API: the fallback tags arrive byte for byte (same digests)', async (t) => {
  const [src, dst] = [await registry(t, false), await registry(t, false)];
  const { image, sbom } = seed(src, true);
  const report = await copyImages(repo(t, src), repo(t, dst), [{ source: 'v1', tag: 'v1' }]);
  t.is(report.referrers.length, 3);
  for (const d of [image.digest, sbom.digest]) {
    t.is(dst.store.manifest('app', fallback(d))?.digest, src.store.manifest('app', fallback(d))?.digest, fallback(d));
  }
});

test("a destination's own fallback tag keeps its referrers: the copied ones are added", async (t) => {
  const [src, dst] = [await registry(t, false), await registry(t, false)];
  const { image, sig, sbom } = seed(src, true);
  dst.store.putBlob('app', EMPTY);
  const theirs = artifact('application/vnd.example.review', image, 'only at the destination');
  dst.store.putManifest('app', theirs.digest, theirs.bytes, OCI_MANIFEST);
  dst.store.putManifest('app', fallback(image.digest), indexOf(theirs), OCI_INDEX);
  await copyImages(repo(t, src), repo(t, dst), [{ source: 'v1', tag: 'v1' }]);
  t.deepEqual(listed(dst, fallback(image.digest)), [theirs.digest, sig.digest, sbom.digest].sort());
  // Run again: nothing to add, the tag is not rewritten.
  const before = dst.store.manifest('app', fallback(image.digest))!.digest;
  const puts = (): number => dst.requests().filter((l) => l.startsWith('PUT ')).length;
  const n = puts();
  await copyImages(repo(t, src), repo(t, dst), [{ source: 'v1', tag: 'v1' }]);
  t.is(puts(), n, 'a second copy writes nothing');
  t.is(dst.store.manifest('app', fallback(image.digest))!.digest, before);
});

test('a destination with the API gets the referrers and no fallback tag made up', async (t) => {
  const [src, dst] = [await registry(t, true), await registry(t, true)];
  const { image, sig } = seed(src, false);
  await copyImages(repo(t, src), repo(t, dst), [{ source: 'v1', tag: 'v1' }]);
  t.truthy(dst.store.manifest('app', sig.digest));
  t.is(dst.store.manifest('app', fallback(image.digest)), undefined);
});

test('referrers: false leaves them behind, and asks the source nothing about them', async (t) => {
  const [src, dst] = [await registry(t, true), await registry(t, false)];
  const { sig } = seed(src, true);
  const report = await copyImages(repo(t, src), repo(t, dst), [{ source: 'v1', tag: 'v1' }], { referrers: false });
  t.deepEqual(report.referrers, []);
  t.is(dst.store.manifest('app', sig.digest), undefined);
  t.deepEqual(dst.store.tags('app'), ['v1']);
  t.false(src.requests().some((l) => l.includes('/referrers/') || l.includes('/tags/list')));
});
