// The real Podman (4.3 on Debian 12) reading what save writes. `podman load` takes only an
// OCI archive whose index.json has one entry: c/common 0.50's load opens it as
// oci-archive with no name, and c/image then wants "the only image" of the index ("more
// than one image in oci, choose an image"). `podman pull oci-archive:FILE:NAME` picks an
// entry by its org.opencontainers.image.ref.name, so it reads every image of a two-image
// save and of a save with referrers (a cosign signature, an OCI 1.1 SBOM). The image
// Podman stores has the registry's manifest digest, and its config's digest as its ID.
// Each test gives Podman its own storage in a temporary directory (--root, vfs).
import { join } from 'node:path';
import { e2e, startTestRegistry, type TestRegistry } from '../helpers/engine.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { pushArchy, pushRandomImage } from '../helpers/images.ts';
import { pushArtifact, pushCosignSignature, pushFallbackIndex } from '../helpers/ui-images.ts';
import { jindr, run, type RunResult } from '../helpers/run.ts';

const cleanups = cleanupsAfterAll();

async function registry(): Promise<TestRegistry> {
  const r = await startTestRegistry();
  cleanups.push(() => r.remove());
  return r;
}

/** Podman with its own storage under dir: nothing of another test's is touched. */
function podman(dir: string): (args: string[]) => Promise<RunResult> {
  const own = ['--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--storage-driver', 'vfs'];
  return (args) => run('podman', [...own, ...args]);
}

/** What Podman stored under name: image ID (the config's digest) and manifest digest. */
async function stored(p: (args: string[]) => Promise<RunResult>, name: string): Promise<string> {
  const inspected = await p(['image', 'inspect', name, '--format', 'sha256:{{.Id}} {{.Digest}}']);
  if (inspected.code !== 0) throw new Error(`podman image inspect ${name}: ${inspected.stderr}`);
  return inspected.stdout.trim();
}

function indexNames(file: string, dir: string): Promise<string[]> {
  return run('tar', ['-xOf', file, 'index.json'], { cwd: dir }).then((r) =>
    (JSON.parse(r.stdout) as { manifests: Array<{ annotations: Record<string, string> }> }).manifests.map(
      (m) => m.annotations['org.opencontainers.image.ref.name']!,
    ),
  );
}

const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';

e2e('a two-image save: podman load refuses it (Podman 4.3), podman pull oci-archive:FILE:NAME reads each image', async (t) => {
  const src = await registry();
  const archy = await pushArchy(src.host, { tag: 'v1' });
  const app = await pushRandomImage(src.host, 'app', 'v1', { layers: 2, layerSize: 20_000 });
  const dir = cleanups.tempDir('jindr-save-podman-two-');
  const file = join(dir, 'two.tar');
  const saved = await jindr(['-r', src.host, 'save', 'archy:v1', 'app:v1', '-o', file]);
  t.is(saved.code, 0, saved.stderr);
  t.deepEqual(await indexNames(file, dir), [`${src.host}/archy:v1`, `${src.host}/app:v1`]);

  const p = podman(dir);
  const load = await p(['load', '-i', file]);
  t.not(load.code, 0, 'Podman 4.3 loads an OCI archive of one entry only (README says so)');
  t.regex(load.stderr, /oci-archive: loading index: more than one image in oci, choose an image/);

  for (const name of [`${src.host}/archy:v1`, `${src.host}/app:v1`]) {
    const pulled = await p(['pull', `oci-archive:${file}:${name}`]);
    t.is(pulled.code, 0, pulled.stderr);
  }
  // The index is kept as it was (its digest); the image is the engine's platform of it.
  const config = archy.manifests.find((m) => m.platform.architecture === arch)!.config.digest;
  t.is(await stored(p, `${src.host}/archy:v1`), `${config} ${archy.digest}`);
  t.is(await stored(p, `${src.host}/app:v1`), `${app.config.digest} ${app.digest}`);
  const images = await p(['images', '--format', '{{.Repository}}:{{.Tag}}']);
  t.deepEqual(images.stdout.trim().split('\n').sort(), [`${src.host}/app:v1`, `${src.host}/archy:v1`]);
});

e2e('an image saved with a cosign signature and an OCI 1.1 SBOM: podman pull oci-archive:FILE:NAME reads it', async (t) => {
  const src = await registry();
  const app = await pushRandomImage(src.host, 'signed', 'v1', { layers: 1, layerSize: 30_000 });
  const sbom = await pushArtifact(src.host, 'signed', app, 'application/spdx+json');
  await pushFallbackIndex(src.host, 'signed', app.digest, [sbom]);
  await pushCosignSignature(src.host, 'signed', app.digest);
  const dir = cleanups.tempDir('jindr-save-podman-ref-');
  const file = join(dir, 'signed.tar');
  const saved = await jindr(['-r', src.host, 'save', 'signed:v1', '-o', file]);
  t.is(saved.code, 0, saved.stderr);
  t.regex(saved.stderr, /saved 1 image, 2 referrer entries/);
  const fallback = `${src.host}/signed:${app.digest.replace(':', '-')}`;
  t.deepEqual((await indexNames(file, dir)).sort(), [`${src.host}/signed:v1`, fallback, `${fallback}.sig`].sort());

  const p = podman(dir);
  const load = await p(['load', '-i', file]);
  t.not(load.code, 0, 'Podman 4.3 loads an OCI archive of one entry only (README says so)');
  t.regex(load.stderr, /more than one image in oci, choose an image/);

  const pulled = await p(['pull', `oci-archive:${file}:${src.host}/signed:v1`]);
  t.is(pulled.code, 0, pulled.stderr);
  t.is(await stored(p, `${src.host}/signed:v1`), `${app.config.digest} ${app.digest}`);
  // Its layer is the registry's: the uncompressed digests Podman stored are the config's diff IDs.
  const layers = await p(['image', 'inspect', `${src.host}/signed:v1`, '--format', '{{json .RootFS.Layers}}']);
  t.is(layers.code, 0, layers.stderr);
  const diffIds = (JSON.parse(app.config.bytes.toString()) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
  t.deepEqual(JSON.parse(layers.stdout) as string[], diffIds);
});
