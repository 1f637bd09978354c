// rmi takes an image's referrers along (referrer-removal.ts via removeImages) against the
// in-process registry as 3.x (tag delete, referrers API) and as 2.x (no tag delete, no API:
// the fallback tag). Against registry 2.8.2 through the plugin: test/e2e/referrers.test.ts.
import test, { type ExecutionContext } from 'ava';
import { RegistryClient } from '../../src/registry/client.ts';
import { parseReference } from '../../src/registry/reference.ts';
import { removeImages } from '../../src/registry/remove-images.ts';
import { startOciRegistry, type OciRegistry } from '../fakes/oci-registry.ts';
import { buildRandomImage, artifactManifest, EMPTY_JSON as EMPTY } from '../helpers/images.ts';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const tagOf = (digest: string, suffix = ''): string => `${digest.replace(':', '-')}${suffix}`;

const artifact = (artifactType: string, subject: { digest: string; size: number }) => artifactManifest(artifactType, subject);

async function setup(t: ExecutionContext, v3: boolean) {
  const registry: OciRegistry = await startOciRegistry({ deleteTags: v3, referrers: v3 });
  const client = new RegistryClient(registry.host, { retries: 0 });
  t.teardown(async () => {
    await client.close();
    await registry.close();
  });
  const image = buildRandomImage({ layers: 1 });
  const other = buildRandomImage({ layers: 1 });
  registry.store.pushImage('app', 'v1', image);
  registry.store.pushImage('app', 'v2', other);
  registry.store.putBlob('app', EMPTY);
  const sbom = artifact('application/spdx+json', image);
  const sig = artifact('application/vnd.dev.cosign.artifact.sig.v1+json', image); // cosign's tag
  const otherSig = artifact('application/vnd.dev.cosign.artifact.sig.v1+json', other);
  registry.store.putManifest('app', sbom.digest, sbom.bytes, OCI_MANIFEST);
  registry.store.putManifest('app', tagOf(image.digest, '.sig'), sig.bytes, OCI_MANIFEST);
  registry.store.putManifest('app', tagOf(other.digest, '.sig'), otherSig.bytes, OCI_MANIFEST);
  if (!v3) {
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [{ mediaType: OCI_MANIFEST, digest: sbom.digest, size: sbom.size, artifactType: sbom.artifactType }],
      }),
    );
    registry.store.putManifest('app', tagOf(image.digest), index, OCI_INDEX);
  }
  const ref = (s: string) => parseReference(`${registry.host}/${s}`);
  return { registry, client, image, other, sbom, sig, otherSig, ref };
}

for (const v3 of [true, false]) {
  test(`${v3 ? '3.x (tag delete, referrers API)' : '2.x (no tag delete, fallback tag)'}: rmi takes the image's referrers along, not another image's`, async (t) => {
    const { registry, client, image, other, sbom, sig, otherSig, ref } = await setup(t, v3);
    const removed = await removeImages(client, [ref('app:v1')], { force: false });
    t.deepEqual(
      removed[0]!.referrers?.map((r) => [r.kind, r.digest]).sort(),
      [
        ['sbom', sbom.digest],
        ['signature', sig.digest],
      ].sort(),
    );
    t.deepEqual(registry.store.tags('app')?.sort(), ['v2', tagOf(other.digest, '.sig')].sort());
    t.is(registry.store.manifest('app', sbom.digest), undefined);
    t.is(registry.store.manifest('app', sig.digest), undefined);
    t.truthy(registry.store.manifest('app', otherSig.digest));
    t.is(registry.store.manifest('app', 'v2')?.digest, other.digest);
    if (v3) t.truthy(registry.store.manifest('app', image.digest), '3.x: only the tag went (gc collects the rest)');
  });
}

test('3.x: while another tag keeps the image, its referrers stay', async (t) => {
  const { registry, client, image, sig, ref } = await setup(t, true);
  registry.store.putManifest('app', 'stable', registry.store.manifest('app', 'v1')!.bytes, OCI_MANIFEST);
  const removed = await removeImages(client, [ref('app:v1')], { force: false });
  t.is(removed[0]!.referrers, undefined);
  t.true(registry.store.tags('app')?.includes(tagOf(image.digest, '.sig')));
  t.truthy(registry.store.manifest('app', sig.digest));
});
