// ls, lsi, inspect, rmi, rmr: the built binary against real registry containers of
// both images, with a two-platform OCI index, the same as a Docker manifest list, an
// index with an arm/v7 variant and a buildx-style attestation, and a single image under
// two tags. skopeo is the second opinion on digests.
import { e2e, registryImages, startTestRegistry, waitForRegistry, type TestRegistry } from '../helpers/engine.ts';
import {
  buildArchy,
  buildRandomImage,
  pushArchy,
  pushBlob,
  pushImageManifest,
  pushManifestBytes,
  sha256,
  type Blob,
} from '../helpers/images.ts';
import { dockerOk, jindr, run, jsonLines } from '../helpers/run.ts';

async function skopeoDigest(ref: string): Promise<string> {
  const result = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);
  if (result.code !== 0) throw new Error(`skopeo inspect ${ref}: ${result.stderr}`);
  return sha256(Buffer.from(result.stdout, 'latin1'));
}

function blobOf(value: unknown, mediaType: string): Blob {
  const bytes = Buffer.from(JSON.stringify(value));
  return { digest: sha256(bytes), size: bytes.length, mediaType, bytes };
}

/** An OCI index: amd64 (archy's), linux/arm/v7 (a random image), and an attestation for amd64. */
async function pushVariantIndex(
  host: string,
  repo: string,
  tag: string,
): Promise<{ index: Blob; amd64: string; armv7: string; attestation: string }> {
  const amd64 = buildArchy('oci').manifests[0]!;
  const armv7 = buildRandomImage({ layers: 1 });
  await pushImageManifest(host, repo, amd64.digest, amd64);
  await pushImageManifest(host, repo, armv7.digest, armv7);
  const statement = blobOf(
    { _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://spdx.dev/Document' },
    'application/vnd.in-toto+json',
  );
  const config = blobOf(
    { architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [statement.digest] } },
    'application/vnd.oci.image.config.v1+json',
  );
  await pushBlob(host, repo, statement);
  await pushBlob(host, repo, config);
  const desc = (b: Blob) => ({ mediaType: b.mediaType, digest: b.digest, size: b.size });
  const attestation = blobOf(
    { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: desc(config), layers: [desc(statement)] },
    'application/vnd.oci.image.manifest.v1+json',
  );
  await pushManifestBytes(host, repo, attestation.digest, attestation);
  const index = blobOf(
    {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { ...desc(amd64), platform: { os: 'linux', architecture: 'amd64' } },
        { ...desc(armv7), platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
        {
          ...desc(attestation),
          platform: { os: 'unknown', architecture: 'unknown' },
          annotations: { 'vnd.docker.reference.digest': amd64.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
        },
      ],
    },
    'application/vnd.oci.image.index.v1+json',
  );
  await pushManifestBytes(host, repo, tag, index);
  return { index, amd64: amd64.digest, armv7: armv7.digest, attestation: attestation.digest };
}

async function ok(args: string[]): Promise<string> {
  const r = await jindr(args);
  if (r.code !== 0) throw new Error(`jindr ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

const lines = (text: string): string[] =>
  text
    .trim()
    .split('\n')
    .map((l) => l.trimEnd());

for (const image of registryImages) {
  e2e(`${image}: ls, lsi, inspect show every format, platform and digest`, async (t) => {
    const reg: TestRegistry = await startTestRegistry({ image });
    t.teardown(() => reg.remove());
    const h = reg.host;
    const oci = await pushArchy(h);
    const list = await pushArchy(h, { repo: 'archy-docker', format: 'docker' });
    const variant = await pushVariantIndex(h, 'team/variant', 'v1');
    const single = buildRandomImage({ layers: 2, format: 'docker' });
    await pushImageManifest(h, 'single', 'a', single);
    await pushManifestBytes(h, 'single', 'b', single);

    t.deepEqual(lines(await ok(['-r', h, 'ls', '-q'])), [`${h}/archy`, `${h}/archy-docker`, `${h}/single`, `${h}/team/variant`]);
    t.deepEqual(lines(await ok(['-r', h, 'repos'])), ['REPOSITORY', `${h}/archy`, `${h}/archy-docker`, `${h}/single`, `${h}/team/variant`]);

    const table = lines(await ok(['-r', h, 'images']));
    t.regex(table[0]!, /^REPOSITORY\s+TAG\s+IMAGE ID\s+PLATFORMS\s+CREATED\s+SIZE\s+REFERRERS$/);
    const short = (d: string) => d.slice(7, 19);
    t.regex(table[1]!, new RegExp(`^${h}/archy\\s+latest\\s+${short(oci.digest)}\\s+linux/amd64,linux/arm64\\s+\\d`));
    t.regex(table[2]!, new RegExp(`^${h}/archy-docker\\s+latest\\s+${short(list.digest)}\\s+linux/amd64,linux/arm64\\s+\\d`));
    t.regex(table[3]!, new RegExp(`^${h}/single\\s+a\\s+${short(single.digest)}\\s+linux/amd64\\s+\\d`));
    t.regex(table[5]!, new RegExp(`^${h}/team/variant\\s+v1\\s+${short(variant.index.digest)}\\s+linux/amd64,linux/arm/v7\\s+\\d`));
    t.is(table.length, 6);

    const json = jsonLines(await ok(['-r', h, 'lsi', '--format', 'json', 'archy', 'single']));
    t.deepEqual(
      json.map((r) => [r.repository, r.tag, r.digest, r.platforms]),
      [
        ['archy', 'latest', oci.digest, ['linux/amd64', 'linux/arm64']],
        ['single', 'a', single.digest, ['linux/amd64']],
        ['single', 'b', single.digest, ['linux/amd64']],
      ],
    );
    // SIZE of an index: every distinct config and layer of its platforms, once.
    t.is(
      json[0]!.size,
      oci.manifests.reduce((sum, m) => sum + m.config.size + m.layers.reduce((s, l) => s + l.size, 0), 0),
    );
    t.is(json[1]!.size, single.config.size + single.layers.reduce((s, l) => s + l.size, 0));
    t.deepEqual(lines(await ok(['-r', h, 'lsi', '-q', `${h}/single`])), [`${h}/single:a`, `${h}/single:b`]);

    // --format as `docker images` has it: a template per row, a table of chosen fields, {{json .}} of the fields shown.
    t.deepEqual(lines(await ok(['-r', h, 'lsi', '--format', '{{.Repository}}:{{.Tag}}', 'single'])), [`${h}/single:a`, `${h}/single:b`]);
    t.deepEqual(lines(await ok(['-r', h, 'lsi', 'single', '--format', 'table {{.Tag}}\\t{{.ID}}\\t{{.Digest}}'])), [
      'TAG       IMAGE ID       DIGEST',
      `a         ${short(single.digest)}   ${single.digest}`,
      `b         ${short(single.digest)}   ${single.digest}`,
    ]);
    t.like(JSON.parse(await ok(['-r', h, 'lsi', '--format', '{{json .}}', 'archy'])), {
      Repository: `${h}/archy`,
      Tag: 'latest',
      Platforms: 'linux/amd64,linux/arm64',
    });
    t.deepEqual(lines(await ok(['-r', h, 'inspect', '--format', '{{.Tag}} {{.Platform | upper}}', 'archy'])), [
      'latest (INDEX)',
      'latest LINUX/AMD64',
      'latest LINUX/ARM64',
    ]);
    const unknown = await jindr(['-r', h, 'lsi', '--format', '{{.Repository}} {{.Size2}}']);
    t.is(unknown.code, 2);
    t.is(
      unknown.stderr,
      "docker-jindr: --format: unknown field .Size2 for 'docker-jindr lsi': use .Repository .Tag .ID .Platforms .Created .Size .Referrers .Digest .CreatedAt .PushedAt\n",
    );

    const ins = lines(await ok(['-r', h, 'inspect', 'archy', 'archy-docker:latest']));
    t.regex(ins[0]!, /^IMAGE\s+TAG\s+PLATFORM\s+DIGEST$/);
    t.regex(ins[1]!, new RegExp(`^${h}/archy\\s+latest\\s+\\(index\\)\\s+${oci.digest}$`));
    t.regex(ins[2]!, new RegExp(`^\\s+linux/amd64\\s+${oci.manifests[0]!.digest}$`));
    t.regex(ins[3]!, new RegExp(`^\\s+linux/arm64\\s+${oci.manifests[1]!.digest}$`));
    t.regex(ins[4]!, new RegExp(`^${h}/archy-docker\\s+latest\\s+\\(index\\)\\s+${list.digest}$`));
    t.is(ins.length, 7);
    // A second opinion on the digests shown.
    t.is(await skopeoDigest(`${h}/archy:latest`), oci.digest);
    t.is(await skopeoDigest(`${h}/archy-docker:latest`), list.digest);

    const v = lines(await ok(['-r', h, 'ins', `${h}/team/variant:v1`]));
    t.regex(v[1]!, new RegExp(`\\(index\\)\\s+${variant.index.digest}$`));
    t.regex(v[2]!, new RegExp(`^\\s+linux/amd64\\s+${variant.amd64}$`));
    t.regex(v[3]!, new RegExp(`^\\s+linux/arm/v7\\s+${variant.armv7}$`));
    t.regex(v[4]!, new RegExp(`^\\s+attestation for linux/amd64\\s+${variant.attestation}$`));

    const byDigest = jsonLines(await ok(['-r', h, 'inspect', '--format', 'json', `single@${single.digest}`]));
    t.like(byDigest[0], { image: `${h}/single`, tag: '', digest: single.digest, kind: 'image' });
    t.is(await skopeoDigest(`${h}/single:a`), single.digest);

    const layered = lines(await ok(['-r', h, 'inspect', '--layers', 'single:a']));
    t.regex(layered[0]!, /SIZE\s+SHARED WITH$/);
    // single:b uses the same layers: one other tag in the registry shares each.
    t.regex(layered[2]!, new RegExp(`^\\s+layer 1\\s+${single.layers[0]!.digest}\\s+\\S+\\s+1$`));
    t.regex(layered[3]!, new RegExp(`^\\s+layer 2\\s+${single.layers[1]!.digest}\\s+\\S+\\s+1$`));
    const archyLayers = jsonLines<{ platforms: Array<{ layers: Array<{ digest: string; sharedWith: number }> }> }>(
      await ok(['-r', h, 'inspect', '--layers', '--format', 'json', 'archy']),
    );
    // archy-docker holds the same layers; archy's amd64 layer is in team/variant:v1 too.
    t.deepEqual(
      archyLayers[0]!.platforms.map((p) => p.layers.map((l) => l.sharedWith)),
      [[2], [1]],
    );

    const missing = await jindr(['-r', h, 'inspect', 'archy:nope']);
    t.is(missing.code, 1);
    t.is(missing.stderr, `docker-jindr: no image ${h}/archy:nope\n`);
    const noRepo = await jindr(['-r', h, 'lsi', 'nothere']);
    t.is(noRepo.code, 1);
    t.is(noRepo.stderr, `docker-jindr: no repository ${h}/nothere\n`);
    const bad = await jindr(['-r', h, 'inspect', 'Archy']);
    t.is(bad.code, 2);
    t.regex(bad.stderr, /lower-case/);
  });

  e2e(`${image}: rmi deletes only what was named, rmr empties and unlists a repository`, async (t) => {
    // On a bridge: rmr finds the registry's container by its published port, to remove the storage.
    const reg: TestRegistry = await startTestRegistry({ image, network: 'bridge' });
    t.teardown(() => reg.remove());
    const h = reg.host;
    const oci = await pushArchy(h);
    const single = buildRandomImage({ layers: 1 });
    await pushImageManifest(h, 'single', 'a', single);
    await pushManifestBytes(h, 'single', 'b', single);
    const other = buildRandomImage({ layers: 1 });
    await pushImageManifest(h, 'single', 'c', other);
    await pushArchy(h, { repo: 'gone', format: 'docker' });
    await pushArchy(h, { repo: 'gone/nested' });

    // Unknown names: an error, and nothing is touched (single:c is named with it).
    const unknown = await jindr(['-r', h, 'rmi', 'single:c', 'single:nope']);
    t.is(unknown.code, 1);
    t.is(unknown.stderr, `docker-jindr: no image ${h}/single:nope\n`);

    // The registry deletes by digest: single:a would take single:b along.
    const refused = await jindr(['-r', h, 'rmi', 'single:a']);
    t.is(refused.code, 1);
    t.regex(
      refused.stderr,
      /single:b points at the same digest and would be deleted too.*--force|--force.*single:b points at the same digest/,
    );
    // A platform image of a tagged index: deleting it would break archy:latest.
    const child = await jindr(['-r', h, 'rmi', `archy@${oci.manifests[0]!.digest}`]);
    t.is(child.code, 1);
    t.regex(child.stderr, /archy:latest uses it as a platform image and would break/);
    t.deepEqual(lines(await ok(['-r', h, 'lsi', '-q', 'single'])), [`${h}/single:a`, `${h}/single:b`, `${h}/single:c`]);

    t.is(await ok(['-r', h, 'rmi', 'single:c']), `Untagged: ${h}/single:c\nDeleted: ${h}/single@${other.digest}\n`);
    // Naming both tags on the digest is not a refusal.
    const both = await ok(['-r', h, 'delimage', 'single:a', `${h}/single:b`]);
    t.is(both, `Untagged: ${h}/single:a\nUntagged: ${h}/single:b\nDeleted: ${h}/single@${single.digest}\n`, 'one digest: Deleted once');
    t.deepEqual(lines(await ok(['-r', h, 'lsi', '-q', 'single'])), ['']);

    await pushManifestBytes(h, 'single', 'x', single);
    await pushManifestBytes(h, 'single', 'y', single);
    const forced = jsonLines(await ok(['-r', h, 'rmi', '--force', '--format', 'json', 'single:x']));
    t.like(forced[0], { repository: 'single', tag: 'x', digest: single.digest, action: 'deleted', alsoRemovedTags: ['y'] });

    // A plain `docker run` registry, not made by `docker jindr up`: rmr edits its storage only with --force.
    const noRepo = await jindr(['-r', h, 'rmr', '--force', 'gone', 'nothere']);
    t.is(noRepo.code, 1);
    t.is(noRepo.stderr, `docker-jindr: no repository ${h}/nothere\n`);
    const removed = await jindr(['-r', h, 'delrepo', '-f', 'gone']);
    t.is(removed.code, 0, removed.stderr);
    t.is(removed.stdout, `Deleted: ${h}/gone (3 manifests)\n`);
    t.regex(removed.stderr, /removed the repositories' storage/);
    // gone/nested is a repository of its own under gone/: still there and whole.
    t.deepEqual(lines(await ok(['-r', h, 'ls', '-q'])), [`${h}/archy`, `${h}/gone/nested`, `${h}/single`]);
    t.deepEqual(lines(await ok(['-r', h, 'lsi', '-q', 'gone/nested'])), [`${h}/gone/nested:latest`]);
    // Pushing into a removed repository again gives a whole image (the registry forgot its blob links).
    const again = await pushArchy(h, { repo: 'gone', format: 'docker' });
    await dockerOk(['restart', reg.name]);
    await waitForRegistry(`http://127.0.0.1:${reg.port}/v2/`);
    t.deepEqual(lines(await ok(['-r', h, 'lsi', '-q', 'gone'])), [`${h}/gone:latest`]);
    for (const layer of again.manifests.flatMap((m) => m.layers)) {
      const res = await fetch(`http://${h}/v2/gone/blobs/${layer.digest}`, { method: 'HEAD' });
      t.is(res.status, 200, `layer ${layer.digest} of the re-pushed image`);
    }
  });
}

e2e('ls, lsi and their -q lists are in a human order: app2 before app10, v2 before v10', async (t) => {
  const reg: TestRegistry = await startTestRegistry({});
  t.teardown(() => reg.remove());
  const h = reg.host;
  const image = buildRandomImage({ layers: 1 });
  await pushImageManifest(h, 'app10', 'v1', image);
  await pushImageManifest(h, 'app2', 'v10', image);
  for (const tag of ['v9', 'v2', 'latest']) await pushManifestBytes(h, 'app2', tag, image);
  t.deepEqual(lines(await ok(['-r', h, 'ls', '-q'])), [`${h}/app2`, `${h}/app10`]);
  t.deepEqual(lines(await ok(['-r', h, 'lsi', '-q'])), [
    `${h}/app2:latest`,
    `${h}/app2:v2`,
    `${h}/app2:v9`,
    `${h}/app2:v10`,
    `${h}/app10:v1`,
  ]);
});
