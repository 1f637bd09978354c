// Referrers through the OCI referrers API. The registries here (distribution 2.8 stand-ins
// for registry:2 and registry:3) have no such API, so a small in-process registry speaks
// it as the OCI distribution spec 1.1 says; the tag-schema fallback and cosign's tags are
// covered against real registries in test/e2e/ui.test.ts.
import test from 'ava';
import { createServer, type Server } from 'node:http';
import { RegistryClient } from '../../src/registry/client.ts';
import { fallbackTag, referrerKind, referrerTree } from '../../src/ui/referrers.ts';
import type { ReferrerKind } from '../../src/ui/api-types.ts';

const digest = (c: string): string => `sha256:${c.repeat(64)}`;
const IMAGE = digest('1');
const SIG = digest('2');
const SBOM = digest('3');
const SBOM_SIG = digest('4');
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const referrers: Record<string, { digest: string; artifactType: string; size: number }[]> = {
  [IMAGE]: [
    { digest: SIG, artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json', size: 500 },
    { digest: SBOM, artifactType: 'application/spdx+json', size: 700 },
  ],
  [SBOM]: [{ digest: SBOM_SIG, artifactType: 'application/vnd.cncf.notary.signature', size: 400 }],
};

/** A registry with the referrers API (withApi) or without it (404 as distribution 2.8 answers). */
async function fakeRegistry(withApi: boolean): Promise<{ host: string; asked: string[]; close(): Promise<void> }> {
  const asked: string[] = [];
  const server: Server = createServer((req, res) => {
    asked.push(`${req.method} ${req.url}`);
    const m = /^\/v2\/app\/referrers\/(sha256:[0-9a-f]{64})$/.exec(req.url ?? '');
    if (withApi && m) {
      const body = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: (referrers[m[1]!] ?? []).map((r) => ({ mediaType: OCI_MANIFEST, ...r })),
      });
      res.writeHead(200, { 'content-type': OCI_INDEX });
      res.end(body);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('404 page not found\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { host: `127.0.0.1:${port}`, asked, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test('the referrers API gives a tree: each referrer with its own referrers under it', async (t) => {
  const registry = await fakeRegistry(true);
  const client = new RegistryClient(registry.host);
  t.teardown(async () => {
    await client.close();
    await registry.close();
  });
  const tree = await referrerTree(client, 'app', IMAGE, []);
  t.deepEqual(tree.map((n) => [n.kind, n.digest, n.via, n.size, n.artifactType]), [
    ['sbom', SBOM, 'api', 700, 'application/spdx+json'],
    ['signature', SIG, 'api', 500, 'application/vnd.dev.cosign.artifact.sig.v1+json'],
  ]);
  t.deepEqual(tree[0]!.children.map((n) => [n.kind, n.digest]), [['signature', SBOM_SIG]]);
  t.deepEqual(tree[1]!.children, []);
  t.true(registry.asked.includes(`GET /v2/app/referrers/${SBOM_SIG}`), 'went down to the leaves');
});

test('a registry without the API (404) and without fallback tags has no referrers', async (t) => {
  const registry = await fakeRegistry(false);
  const client = new RegistryClient(registry.host);
  t.teardown(async () => {
    await client.close();
    await registry.close();
  });
  t.deepEqual(await referrerTree(client, 'app', IMAGE, ['latest', 'v1']), []);
  t.deepEqual(registry.asked, [`GET /v2/app/referrers/${IMAGE}`], 'no tag was fetched: none is a fallback tag');
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
  t.is(fallbackTag(IMAGE), `sha256-${'1'.repeat(64)}`);
});
