// save and load as whole commands in this process, against the in-process OCI registry
// (test/fakes/oci-registry.ts), which speaks the referrers API the real distribution 2.8
// stand-ins lack: referrers found through the API are recorded in the layout as the
// fallback tag's index (sha256-<hex>, as regclient's OCI layouts hold them), and loaded into
// a registry without the API they are found again through that tag. Usage errors too.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { RegistryClient } from '../../src/registry/client.ts';
import { referrerTree } from '../../src/registry/referrers.ts';
import { startOciRegistry, type OciRegistry } from '../fakes/oci-registry.ts';
import { buildManifest, sha256, tar } from '../helpers/images.ts';
import { dockerConfigEnv, jindrInProcess } from '../helpers/in-process.ts';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const EMPTY = Buffer.from('{}');
const image = buildManifest(
  'oci',
  { os: 'linux', architecture: 'amd64' },
  [tar([{ name: 'a', type: 'file', data: Buffer.from('a') }])],
  ['/a'],
);

function artifact(artifactType: string, subject: { digest: string; size: number }) {
  const empty = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(EMPTY), size: 2 };
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType,
      config: empty,
      layers: [empty],
      subject: { mediaType: OCI_MANIFEST, ...subject },
    }),
  );
  return { bytes, digest: sha256(bytes), size: bytes.length };
}
const sbom = artifact('application/spdx+json', image);
const sbomSig = artifact('application/vnd.cncf.notary.signature', sbom);

async function registry(t: ExecutionContext, referrers: boolean): Promise<OciRegistry> {
  const r = await startOciRegistry({ referrers });
  t.teardown(() => r.close());
  return r;
}

function setup(t: ExecutionContext): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-save-inproc-'));
  const config = dockerConfigEnv();
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
    config.cleanup();
  });
  return { dir, env: { ...config.env, XDG_CACHE_HOME: join(dir, 'cache') } };
}

test('referrers found through the API travel as the fallback tag index, and are found again where there is no API', async (t) => {
  const src = await registry(t, true);
  src.store.pushImage('app', 'v1', image);
  src.store.putBlob('app', EMPTY);
  for (const a of [sbom, sbomSig]) src.store.putManifest('app', a.digest, a.bytes, OCI_MANIFEST);
  const dst = await registry(t, false);
  const { dir, env } = setup(t);
  const file = join(dir, 'app.tar');

  const saved = await jindrInProcess(['-r', src.host, 'save', 'app:v1', '-o', file, '--format', 'json'], { env });
  t.is(saved.code, 0, saved.stderr);
  t.like(JSON.parse(saved.stdout), { name: `${src.host}/app:v1`, digest: image.digest, referrers: 2 });
  const loaded = await jindrInProcess(['-r', dst.host, 'load', file], { env });
  t.is(loaded.code, 0, loaded.stderr);
  const fallback = (d: string) => d.replace(':', '-');
  t.deepEqual(dst.store.tags('app')?.sort(), [fallback(image.digest), fallback(sbom.digest), 'v1'].sort());
  const client = new RegistryClient(dst.host);
  t.teardown(() => client.close());
  const tree = await referrerTree(client, 'app', image.digest, dst.store.tags('app') ?? []);
  t.deepEqual(
    tree.map((n) => [n.digest, n.kind, n.children.map((c) => c.digest)]),
    [[sbom.digest, 'sbom', [sbomSig.digest]]],
  );
  t.deepEqual(dst.store.manifest('app', sbomSig.digest)?.bytes, sbomSig.bytes, 'bytes unchanged');
});

test('--no-referrers leaves them out', async (t) => {
  const src = await registry(t, true);
  src.store.pushImage('app', 'v1', image);
  src.store.putBlob('app', EMPTY);
  src.store.putManifest('app', sbom.digest, sbom.bytes, OCI_MANIFEST);
  const dst = await registry(t, false);
  const { dir, env } = setup(t);
  const file = join(dir, 'app.tar');
  const saved = await jindrInProcess(['-r', src.host, 'save', 'app:v1', '--no-referrers', '-o', file], { env });
  t.is(saved.code, 0, saved.stderr);
  t.is((await jindrInProcess(['-r', dst.host, 'load', file], { env })).code, 0);
  t.deepEqual(dst.store.tags('app'), ['v1']);
  t.is(dst.store.manifest('app', sbom.digest), undefined);
});

test('usage: no -o, --platform without --format docker, a bad --platform, load of a file that is not there', async (t) => {
  const { dir, env } = setup(t);
  const cases: Array<[string[], number, RegExp]> = [
    [['save', 'app'], 2, /name the archive with -o FILE/],
    [['save', 'app', '-o', join(dir, 'x.tar'), '--platform', 'linux/arm64'], 2, /--platform belongs to --format docker/],
    [['save', 'app', '-o', join(dir, 'x.tar'), '--format', 'docker', '--platform', 'arm64'], 2, /give OS\/ARCH\[\/VARIANT\]/],
    [['load', join(dir, 'missing.tar')], 1, /no file .*missing\.tar/],
  ];
  for (const [argv, code, message] of cases) {
    const result = await jindrInProcess(['-r', 'localhost:1', ...argv], { env });
    t.is(result.code, code, `${argv.join(' ')}: ${result.stderr}`);
    t.regex(result.stderr, message);
    t.is(result.stderr.trim().split('\n')[0]!.startsWith('docker-jindr: '), true);
  }
  t.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.tar')),
    [],
  );
});

test('save of an image the registry does not have writes nothing', async (t) => {
  const src = await registry(t, false);
  const { dir, env } = setup(t);
  const result = await jindrInProcess(['-r', src.host, 'save', 'nope:v1', '-o', join(dir, 'x.tar')], { env });
  t.is(result.code, 1);
  t.regex(result.stderr, /no (image|repository) .*nope/);
  t.deepEqual(
    readdirSync(dir).filter((f) => f !== 'cache'),
    [],
  );
});

test('a fallback index naming a referrer deleted since: the others are saved, under an index made anew that loads', async (t) => {
  const src = await registry(t, false);
  src.store.pushImage('app', 'v1', image);
  src.store.putBlob('app', EMPTY);
  src.store.putManifest('app', sbom.digest, sbom.bytes, OCI_MANIFEST);
  const gone = artifact('application/vnd.example.gone', image);
  const listing = (items: Array<{ digest: string; size: number }>) =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: items.map((i) => ({ mediaType: OCI_MANIFEST, ...i })),
      }),
    );
  const fallbackTag = image.digest.replace(':', '-');
  src.store.putManifest(
    'app',
    fallbackTag,
    listing([sbom, gone].map((a) => ({ digest: a.digest, size: a.size }))),
    'application/vnd.oci.image.index.v1+json',
  );
  const dst = await registry(t, false);
  const { dir, env } = setup(t);
  const file = join(dir, 'app.tar');
  const saved = await jindrInProcess(['-r', src.host, 'save', 'app:v1', '-o', file, '--format', 'json'], { env });
  t.is(saved.code, 0, saved.stderr);
  t.like(JSON.parse(saved.stdout), { referrers: 1 });
  const loaded = await jindrInProcess(['-r', dst.host, 'load', file], { env });
  t.is(loaded.code, 0, loaded.stderr);
  const client = new RegistryClient(dst.host);
  t.teardown(() => client.close());
  const tree = await referrerTree(client, 'app', image.digest, dst.store.tags('app') ?? []);
  t.deepEqual(
    tree.map((n) => n.digest),
    [sbom.digest],
  );
});
