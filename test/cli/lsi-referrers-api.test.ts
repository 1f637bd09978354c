// lsi and the referrers only the OCI referrers API knows: untagged OCI 1.1 artifacts whose
// `subject` is an image (as zot and Harbor keep them, no fallback tag), against the
// in-process registry (test/fakes/oci-registry.ts) with its referrers API on and off.
// The request counts are exact: the API is asked once per registry that lacks it, and
// where it answers, once per listed image and once per referrer it names.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOciRegistry, type OciRegistry } from '../fakes/oci-registry.ts';
import { buildManifest, sha256, tar, type BuiltManifest, artifactManifest, EMPTY_JSON as EMPTY } from '../helpers/images.ts';
import { jindrInProcess, tableCells } from '../helpers/in-process.ts';

const SIGSTORE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const SPDX = 'application/spdx+json';

function image(name: string): BuiltManifest {
  const layer = tar([{ name: `${name}.txt`, type: 'file', data: Buffer.from(`${name}\n`) }]);
  return buildManifest('oci', { os: 'linux', architecture: 'amd64' }, [layer], [`/${name}.txt`]);
}

/** Seeds an OCI 1.1 artifact about `subject`, untagged (pushed by its digest): its digest. */
function pushArtifact(
  fake: OciRegistry,
  repo: string,
  artifactType: string,
  subject: { digest: string; size: number },
  data: string,
): string {
  const layer = Buffer.from(data);
  fake.store.putBlob(repo, EMPTY);
  fake.store.putBlob(repo, layer);
  const m = artifactManifest(artifactType, subject, { layers: [{ mediaType: artifactType, digest: sha256(layer), size: layer.length }] });
  return fake.store.putManifest(repo, m.digest, m.bytes, m.mediaType);
}

const v1 = image('v1');
const v2 = image('v2');
const dev = image('dev');

/** app:v1 signed, with an SBOM that is signed too; app:v2 and tools:dev without referrers. All untagged. */
async function seeded(referrers: boolean) {
  const fake = await startOciRegistry({ referrers });
  fake.store.pushImage('app', 'v1', v1);
  fake.store.pushImage('app', 'v2', v2);
  fake.store.pushImage('tools', 'dev', dev);
  const sig = pushArtifact(fake, 'app', SIGSTORE, v1, 'signature of v1');
  const sbom = pushArtifact(fake, 'app', SPDX, v1, '{"spdxVersion":"SPDX-2.3"}');
  const sbomBytes = fake.store.manifest('app', sbom)!.bytes;
  const sbomSig = pushArtifact(fake, 'app', SIGSTORE, { digest: sbom, size: sbomBytes.length }, 'signature of the sbom');
  return { fake, sig, sbom, sbomSig };
}

interface Referrer {
  kind: string;
  digest: string;
  tag: string;
  artifactType?: string;
  referrers: Referrer[];
}
interface LsiRow {
  repository: string;
  tag: string;
  digest: string;
  referrers?: Referrer[];
  referrerOf?: string;
}
const jsonLines = (text: string): LsiRow[] =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LsiRow);
const referrerRequests = (fake: OciRegistry) => fake.requests().filter((r) => r.includes('/referrers/'));

test('lsi: untagged referrers the API names go under their image; the API asked once per image and per referrer', async (t) => {
  const { fake, sig, sbom, sbomSig } = await seeded(true);
  t.teardown(fake.close);
  const run = await jindrInProcess(['-r', fake.host, '--format', 'json', 'lsi', 'app', 'tools']);
  t.is(run.code, 0, run.stderr);
  const rows = jsonLines(run.stdout);
  t.deepEqual(
    rows.map((r) => `${r.repository}:${r.tag}`),
    ['app:v1', 'app:v2', 'tools:dev'],
  );
  t.deepEqual(rows[0]!.referrers, [
    {
      kind: 'sbom',
      digest: sbom,
      tag: '',
      artifactType: SPDX,
      referrers: [{ kind: 'signature', digest: sbomSig, tag: '', artifactType: SIGSTORE, referrers: [] }],
    },
    { kind: 'signature', digest: sig, tag: '', artifactType: SIGSTORE, referrers: [] },
  ]);
  t.is(rows[1]!.referrers, undefined);
  t.is(rows[2]!.referrers, undefined);
  // Each listed image once, each referrer found once (its own referrers); each referrer's manifest read once.
  t.deepEqual(
    referrerRequests(fake).sort(),
    [v1.digest, v2.digest, sig, sbom, sbomSig]
      .map((d) => `GET /v2/app/referrers/${d}`)
      .concat(`GET /v2/tools/referrers/${dev.digest}`)
      .sort(),
  );
  t.deepEqual(
    fake
      .requests()
      .filter((r) => r.includes('/manifests/sha256:'))
      .sort(),
    [sig, sbom, sbomSig].map((d) => `GET /v2/app/manifests/${d}`).sort(),
  );

  const table = await jindrInProcess(['-r', fake.host, 'lsi', 'app']);
  t.is(table.code, 0, table.stderr);
  t.deepEqual(
    tableCells(table.stdout).map((row) => [row[1], row.at(-1)]),
    [
      ['TAG', 'REFERRERS'],
      ['v1', 'sbom, signature x2'],
      ['v2', ''],
    ],
  );
});

test('a second lsi reads the untagged referrers from its cache: the API asked again, no referrer manifest fetched', async (t) => {
  const { fake, sig, sbom, sbomSig } = await seeded(true);
  t.teardown(fake.close);
  const home = mkdtempSync(join(tmpdir(), 'jindr-lsi-referrers-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const env = { XDG_CACHE_HOME: home };
  const first = await jindrInProcess(['-r', fake.host, '--format', 'json', 'lsi', 'app'], { env });
  t.is(first.code, 0, first.stderr);
  const fetched = (from: number) =>
    fake
      .requests()
      .slice(from)
      .filter((r) => r.includes('/manifests/sha256:'));
  t.is(fetched(0).length, 3);
  const before = fake.requests().length;
  const second = await jindrInProcess(['-r', fake.host, '--format', 'json', 'lsi', 'app'], { env });
  t.is(second.code, 0, second.stderr);
  t.deepEqual(jsonLines(second.stdout), jsonLines(first.stdout));
  t.deepEqual(fetched(before), [], 'the referrer manifests come from the cache');
  t.deepEqual(
    referrerRequests(fake).slice(5).sort(),
    [v1.digest, v2.digest, sig, sbom, sbomSig].map((d) => `GET /v2/app/referrers/${d}`).sort(),
    'the API is asked again (referrers come and go)',
  );
});

test('lsi --all: an untagged referrer is a row of its own, TAG <none>, marked with its subject', async (t) => {
  const { fake, sig, sbom, sbomSig } = await seeded(true);
  t.teardown(fake.close);
  const run = await jindrInProcess(['-r', fake.host, '--format', 'json', 'lsi', '--all', 'app']);
  t.is(run.code, 0, run.stderr);
  const rows = jsonLines(run.stdout);
  const untagged = [sig, sbom, sbomSig].sort().map((digest) => ({
    tag: '',
    digest,
    referrerOf: digest === sbomSig ? sbom : v1.digest,
  }));
  t.deepEqual(
    rows.map((r) => ({ tag: r.tag, digest: r.digest, referrerOf: r.referrerOf })),
    [{ tag: 'v1', digest: v1.digest, referrerOf: undefined }, { tag: 'v2', digest: v2.digest, referrerOf: undefined }, ...untagged],
  );
  const table = await jindrInProcess(['-r', fake.host, 'lsi', '--all', 'app']);
  t.deepEqual(
    tableCells(table.stdout)
      .slice(1)
      .map((row) => row[1]),
    ['v1', 'v2', '<none>', '<none>', '<none>'],
  );
  const quiet = await jindrInProcess(['-r', fake.host, 'lsi', '-q', '--all', '--sort', 'created', 'app']);
  t.true(quiet.stdout.split('\n').includes(`${fake.host}/app@${sig}`), quiet.stdout);
});

test('lsi on a registry without the referrers API: asked once (404), then no more', async (t) => {
  const { fake } = await seeded(false);
  t.teardown(fake.close);
  const run = await jindrInProcess(['-r', fake.host, '--format', 'json', 'lsi']);
  t.is(run.code, 0, run.stderr);
  const rows = jsonLines(run.stdout);
  t.deepEqual(
    rows.map((r) => [`${r.repository}:${r.tag}`, r.referrers]),
    [
      ['app:v1', undefined],
      ['app:v2', undefined],
      ['tools:dev', undefined],
    ],
  );
  t.deepEqual(referrerRequests(fake), [`GET /v2/app/referrers/${v1.digest}`]);
  t.is(fake.log.find((r) => r.path.includes('/referrers/'))?.status, 404);
  t.false(
    fake.requests().some((r) => r.includes('/manifests/sha256:')),
    'no referrer manifest read',
  );
});

test('lsi of a registry with no images asks the referrers API nothing', async (t) => {
  const fake = await startOciRegistry();
  t.teardown(fake.close);
  const run = await jindrInProcess(['-r', fake.host, 'lsi']);
  t.is(run.code, 0, run.stderr);
  t.deepEqual(referrerRequests(fake), []);
});
