// save and load end to end (dist/docker-jindr, real registry containers): the OCI layout
// save writes is read by skopeo (oci-archive:) and Podman (podman load); save → load into a
// second registry keeps every digest (skopeo inspect --raw); referrers (the fallback tag's
// index, cosign's .sig tag) travel with their image; --format docker is loaded by the real
// `docker load`, its image ID the config's digest; an archive from the real `docker save`
// loads into a registry; a save that fails leaves no file under the name asked for.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { e2e, startTestRegistry, type TestRegistry } from '../helpers/engine.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { blobsOf, pushArchy, pushRandomImage } from '../helpers/images.ts';
import { pushArtifact, pushCosignSignature, pushFallbackIndex } from '../helpers/ui-images.ts';
import { docker, dockerOk, jindr, jsonLines, makeDockerConfig, run, tinyImage } from '../helpers/run.ts';

const cleanups = cleanupsAfterAll();

async function registry(): Promise<TestRegistry> {
  const r = await startTestRegistry();
  cleanups.push(() => r.remove());
  return r;
}

const digestOf = (bytes: string | Buffer): string => 'sha256:' + createHash('sha256').update(bytes).digest('hex');

async function rawDigest(reference: string): Promise<string> {
  const result = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', reference]);
  if (result.code !== 0) throw new Error(`skopeo inspect ${reference}: ${result.stderr}`);
  return digestOf(result.stdout);
}

async function tags(host: string, repo: string): Promise<string[]> {
  const res = await fetch(`http://${host}/v2/${repo}/tags/list`);
  return ((await res.json()) as { tags: string[] | null }).tags ?? [];
}

e2e('save → skopeo and load: every platform and referrer, digests unchanged; load again pushes no blob', async (t) => {
  const src = await registry();
  const dst = await registry();
  const archy = await pushArchy(src.host, { tag: 'v1' });
  const app = await pushRandomImage(src.host, 'app', 'v1', { layers: 2, layerSize: 50_000 });
  const sbom = await pushArtifact(src.host, 'app', app, 'application/spdx+json');
  await pushFallbackIndex(src.host, 'app', app.digest, [sbom]);
  const sig = await pushCosignSignature(src.host, 'app', app.digest);
  const dir = cleanups.tempDir('jindr-save-');
  const file = join(dir, 'images.tar');

  const saved = await jindr(['-r', src.host, 'save', 'archy:v1', 'app:v1', '-o', file, '--format', 'json']);
  t.is(saved.code, 0, saved.stderr);
  t.deepEqual(
    jsonLines<{ name: string; digest: string; platforms: string[]; referrers: number }>(saved.stdout).map((r) => [
      r.name,
      r.digest,
      r.referrers,
    ]),
    [
      [`${src.host}/archy:v1`, archy.digest, 0],
      [`${src.host}/app:v1`, app.digest, 2],
    ],
  );
  t.deepEqual(readdirSync(dir), ['images.tar'], 'no temporary file left');

  // skopeo reads it, by the names in index.json.
  t.is(await rawDigest(`oci-archive:${file}:${src.host}/archy:v1`), archy.digest);
  t.is(await rawDigest(`oci-archive:${file}:${src.host}/app:v1`), app.digest);
  const fallback = `${src.host}/app:${app.digest.replace(':', '-')}`;
  t.is(await rawDigest(`oci-archive:${file}:${fallback}.sig`), sig.digest);
  const copied = await run('skopeo', [
    'copy',
    '--all',
    '--dest-tls-verify=false',
    `oci-archive:${file}:${src.host}/archy:v1`,
    `docker://${dst.host}/viaskopeo:v1`,
  ]);
  t.is(copied.code, 0, copied.stderr);
  t.is(await rawDigest(`docker://${dst.host}/viaskopeo:v1`), archy.digest);

  // load into another registry: the same digests; the referrers under their tags.
  const loaded = await jindr(['-r', dst.host, 'load', file, '--format', 'json']);
  t.is(loaded.code, 0, loaded.stderr);
  const blobs = blobsOf(archy).length + blobsOf(app).length + 2 + 2; // sbom: empty config + layer; sig: config + payload
  t.regex(loaded.stderr, new RegExp(`loaded 2 images, 2 referrer entries: blobs: ${blobs} pushed`));
  t.deepEqual(
    jsonLines<{ name: string; digest: string }>(loaded.stdout).map((r) => [r.name, r.digest]),
    [
      [`${dst.host}/archy:v1`, archy.digest],
      [`${dst.host}/app:v1`, app.digest],
    ],
  );
  t.is(await rawDigest(`docker://${dst.host}/archy:v1`), archy.digest);
  for (const m of archy.manifests) t.is(await rawDigest(`docker://${dst.host}/archy@${m.digest}`), m.digest);
  t.is(await rawDigest(`docker://${dst.host}/app:v1`), app.digest);
  t.is(await rawDigest(`docker://${dst.host}/app@${sbom.digest}`), sbom.digest);
  t.is(await rawDigest(`docker://${dst.host}/app:${app.digest.replace(':', '-')}.sig`), sig.digest);
  t.deepEqual((await tags(dst.host, 'app')).sort(), ['v1', app.digest.replace(':', '-'), `${app.digest.replace(':', '-')}.sig`].sort());

  const again = await jindr(['-r', dst.host, 'load', file]);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stderr, new RegExp(`blobs: 0 pushed \\(0B\\), ${blobs} already there`));
});

e2e('--no-referrers: one index.json entry per image, which Podman loads', async (t) => {
  const src = await registry();
  const app = await pushRandomImage(src.host, 'app', 'v2', { layers: 1, layerSize: 20_000 });
  await pushCosignSignature(src.host, 'app', app.digest);
  const dir = cleanups.tempDir('jindr-save-podman-');
  const file = join(dir, 'app.tar');
  const saved = await jindr(['-r', src.host, 'save', 'app:v2', '--no-referrers', '-o', file]);
  t.is(saved.code, 0, saved.stderr);
  const index = await run('tar', ['-xOf', file, 'index.json']);
  const entries = (JSON.parse(index.stdout) as { manifests: Array<{ digest: string; annotations: Record<string, string> }> }).manifests;
  t.deepEqual(
    entries.map((e) => [e.digest, e.annotations['org.opencontainers.image.ref.name']]),
    [[app.digest, `${src.host}/app:v2`]],
  );
  // Podman's own storage in the temporary directory: nothing of another test's is touched.
  const podman = ['--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--storage-driver', 'vfs'];
  const load = await run('podman', [...podman, 'load', '-i', file]);
  t.is(load.code, 0, load.stderr);
  t.regex(load.stdout + load.stderr, new RegExp(`Loaded image: ${src.host}/app:v2`));
  const images = await run('podman', [...podman, 'images', '--digests', '--format', '{{.Repository}}:{{.Tag}} {{.Digest}}']);
  t.is(images.stdout.trim(), `${src.host}/app:v2 ${app.digest}`);
});

e2e("--format docker: docker load reads it; the image ID is the config's digest, for the platform asked", async (t) => {
  const src = await registry();
  const archy = await pushArchy(src.host, { tag: 'v3' });
  const dir = cleanups.tempDir('jindr-save-docker-');
  const ref = `${src.host}/archy:v3`;
  t.teardown(async () => void (await docker(['rmi', ref])));
  for (const [platform, architecture] of [
    [undefined, 'amd64'],
    ['linux/arm64', 'arm64'],
  ] as const) {
    const file = join(dir, `${architecture}.tar`);
    const saved = await jindr([
      '-r',
      src.host,
      'save',
      'archy:v3',
      '--format',
      'docker',
      ...(platform ? ['--platform', platform] : []),
      '-o',
      file,
    ]);
    t.is(saved.code, 0, saved.stderr);
    const loaded = await docker(['load', '-i', file]);
    t.is(loaded.code, 0, loaded.stderr);
    t.regex(loaded.stdout, new RegExp(`Loaded image: ${ref}`));
    const config = archy.manifests.find((m) => m.platform.architecture === architecture)!.config.digest;
    t.is((await dockerOk(['image', 'inspect', ref, '--format', '{{.Id}} {{.Architecture}}'])).trim(), `${config} ${architecture}`);
    await dockerOk(['rmi', ref]);
  }
  const wrong = await jindr([
    '-r',
    src.host,
    'save',
    'archy:v3',
    '--format',
    'docker',
    '--platform',
    'linux/s390x',
    '-o',
    join(dir, 'x.tar'),
  ]);
  t.is(wrong.code, 1);
  t.regex(wrong.stderr, /has no linux\/s390x image \(it has linux\/amd64, linux\/arm64\)/);
  t.false(existsSync(join(dir, 'x.tar')));
});

e2e('an archive from the real docker save loads into a registry; docker pulls the same image ID back', async (t) => {
  const dst = await registry();
  const ref = await tinyImage(t, 'jindr-save-test.invalid');
  const id = (await dockerOk(['image', 'inspect', ref, '--format', '{{.Id}}'])).trim();
  const dir = cleanups.tempDir('jindr-docker-save-');
  const file = join(dir, 'tiny.tar');
  await dockerOk(['save', '-o', file, ref]);
  const loaded = await jindr(['-r', dst.host, 'load', file, '--tag', 'tiny:loaded']);
  t.is(loaded.code, 0, loaded.stderr);
  t.regex(loaded.stdout, new RegExp(`${dst.host}/tiny:loaded`));
  const pulled = `${dst.host}/tiny:loaded`;
  t.teardown(async () => void (await docker(['rmi', pulled])));
  await dockerOk(['pull', pulled]);
  t.is((await dockerOk(['image', 'inspect', pulled, '--format', '{{.Id}}'])).trim(), id);
});

e2e('a save that fails half way leaves no archive under the name asked for, and no temporary file', async (t) => {
  const src = await registry();
  const app = await pushRandomImage(src.host, 'app', 'v1', { layers: 2, layerSize: 30_000 });
  // The registry loses a layer: the save fails when it gets there, after writing others.
  const res = await fetch(`http://${src.host}/v2/app/blobs/${app.layers[1]!.digest}`, { method: 'DELETE' });
  t.is(res.status, 202);
  const dir = cleanups.tempDir('jindr-save-fail-');
  const saved = await jindr(['-r', src.host, 'save', 'app:v1', '-o', join(dir, 'app.tar')]);
  t.is(saved.code, 1, saved.stderr);
  t.is(saved.stderr.trim().split('\n').length, 1, saved.stderr);
  t.deepEqual(readdirSync(dir), []);
});

e2e('through the docker CLI: docker jindr save --format docker -o - | docker load', async (t) => {
  const src = await registry();
  const app = await pushRandomImage(src.host, 'piped', 'v1', { layers: 1, layerSize: 10_000 });
  const config = makeDockerConfig();
  cleanups.push(() => config.cleanup());
  const ref = `${src.host}/piped:v1`;
  t.teardown(async () => void (await docker(['rmi', ref])));
  const piped = await run('sh', ['-c', `docker jindr -r ${src.host} save piped:v1 --format docker -o - | docker load`], {
    env: config.env,
  });
  t.is(piped.code, 0, piped.stderr);
  t.regex(piped.stdout, new RegExp(`Loaded image: ${ref}`));
  t.regex(piped.stderr, /saved 1 image: 2 blobs, .* to standard output/);
  t.is((await dockerOk(['image', 'inspect', ref, '--format', '{{.Id}}'])).trim(), app.config.digest);
});
