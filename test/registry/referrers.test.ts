// Referrers through the OCI referrers API. The registries here (distribution 2.8 stand-ins
// for registry:2 and registry:3) have no such API, so the in-process registry
// (test/fakes/oci-registry.ts) speaks it as the OCI distribution spec 1.1 says; the
// tag-schema fallback and cosign's tags are covered against real registries in test/e2e/ui.test.ts.
import test, { type ExecutionContext } from 'ava';
import { RegistryClient } from '../../src/registry/client.ts';
import { fallbackTag, referrerKind, referrerTree } from '../../src/registry/referrers.ts';
import type { ReferrerKind } from '../../src/registry/referrers.ts';
import { startOciRegistry, type OciRegistry } from '../fakes/oci-registry.ts';
import { buildManifest, tar, artifactManifest, EMPTY_JSON as EMPTY } from '../helpers/images.ts';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const image = buildManifest(
  'oci',
  { os: 'linux', architecture: 'amd64' },
  [tar([{ name: 'a.txt', type: 'file', data: Buffer.from('a') }])],
  ['/a.txt'],
);

const artifact = (artifactType: string, subject: { digest: string; size: number }, note: string) =>
  artifactManifest(artifactType, subject, { annotations: { note } });

const IMAGE = image.digest;
const sig = artifact('application/vnd.dev.cosign.artifact.sig.v1+json', image, 'signature');
const sbom = artifact('application/spdx+json', image, 'sbom');
const sbomSig = artifact('application/vnd.cncf.notary.signature', sbom, 'signature of the sbom');

/** A registry holding app with its referrers, with the referrers API (withApi) or without it (404 as distribution 2.8 answers). */
async function fakeRegistry(t: ExecutionContext, withApi: boolean): Promise<{ registry: OciRegistry; client: RegistryClient }> {
  const registry = await startOciRegistry({ referrers: withApi });
  registry.store.pushImage('app', 'v1', image);
  registry.store.putBlob('app', EMPTY);
  for (const a of [sig, sbom, sbomSig]) registry.store.putManifest('app', a.digest, a.bytes, OCI_MANIFEST);
  const client = new RegistryClient(registry.host);
  t.teardown(async () => {
    await client.close();
    await registry.close();
  });
  return { registry, client };
}

test('the referrers API gives a tree: each referrer with its own referrers under it', async (t) => {
  const { registry, client } = await fakeRegistry(t, true);
  const tree = await referrerTree(client, 'app', IMAGE, []);
  t.deepEqual(
    tree.map((n) => [n.kind, n.digest, n.via, n.size, n.artifactType]),
    [
      ['sbom', sbom.digest, 'api', sbom.size, 'application/spdx+json'],
      ['signature', sig.digest, 'api', sig.size, 'application/vnd.dev.cosign.artifact.sig.v1+json'],
    ],
  );
  t.deepEqual(
    tree[0]!.children.map((n) => [n.kind, n.digest]),
    [['signature', sbomSig.digest]],
  );
  t.deepEqual(tree[1]!.children, []);
  t.true(registry.requests().includes(`GET /v2/app/referrers/${sbomSig.digest}`), 'went down to the leaves');
});

test('a registry without the API (404) and without fallback tags has no referrers', async (t) => {
  const { registry, client } = await fakeRegistry(t, false);
  t.deepEqual(await referrerTree(client, 'app', IMAGE, ['latest', 'v1']), []);
  t.deepEqual(registry.requests(), [`GET /v2/app/referrers/${IMAGE}`], 'no tag was fetched: none is a fallback tag');
});

test('what an artifact type says a referrer is', (t) => {
  const table: [string | undefined, ReferrerKind][] = [
    ['application/vnd.dev.cosign.artifact.sig.v1+json', 'signature'],
    ['application/vnd.cncf.notary.signature', 'signature'],
    ['application/vnd.dev.sigstore.bundle.v0.3+json', 'signature'],
    ['application/spdx+json', 'sbom'],
    ['application/vnd.cyclonedx+json', 'sbom'],
    ['application/vnd.in-toto+json', 'attestation'],
    ['application/vnd.example.design+json', 'artifact'],
    [undefined, 'artifact'],
  ];
  for (const [type, kind] of table) t.is(referrerKind(type), kind, String(type));
});

test('the fallback tag of a digest is its algorithm and hex joined by a dash', (t) => {
  t.is(fallbackTag(`sha256:${'1'.repeat(64)}`), `sha256-${'1'.repeat(64)}`);
});
