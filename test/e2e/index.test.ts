// `index` (the executable on its own) against real registry containers: an
// image assembled from two single-platform tags in other repositories pulls for arm64 and
// runs through qemu (aarch64), inspect and skopeo see both platforms; the Docker format is
// kept; add and rm edit it; a mix of formats and a repeated platform are refused.
import { createHash } from 'node:crypto';
import { e2e, startTestRegistry } from '../helpers/engine.ts';
import { buildArchy, MEDIA_TYPES, pushImageManifest } from '../helpers/images.ts';
import { docker, errorLine, makeDockerConfig, removePulledImages, run, jindr as jindrAlone } from '../helpers/run.ts';

interface IndexJson {
  reference: string;
  digest: string;
  mediaType: string;
  entries: { platform: string; digest: string; source: string }[];
}

async function skopeoRaw(
  ref: string,
): Promise<{ bytes: Buffer; doc: { mediaType: string; manifests: { digest: string; platform: { architecture: string } }[] } }> {
  const r = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);
  if (r.code !== 0) throw new Error(`skopeo inspect --raw ${ref}: ${r.stderr}`);
  const bytes = Buffer.from(r.stdout, 'latin1');
  return { bytes, doc: JSON.parse(r.stdout) };
}

e2e(
  'registry:3: index create from amd64 and arm64 tags of two other repositories; docker pull --platform linux/arm64 runs aarch64',
  async (t) => {
    const reg = await startTestRegistry({ image: 'registry:3' });
    const cfg = makeDockerConfig();
    t.teardown(async () => {
      await removePulledImages(reg.host);
      await reg.remove();
      cfg.cleanup();
    });
    const h = reg.host;
    const amd = buildArchy('oci').manifests[0]!;
    const arm = buildArchy('oci').manifests[1]!;
    await pushImageManifest(h, 'build/amd', '1.0', amd);
    await pushImageManifest(h, 'build/arm', '1.0', arm);
    const jindr = (...args: string[]) => jindrAlone(['-r', h, ...args], { env: cfg.env });

    const created = await jindr('index', 'create', 'app:1.0', 'build/amd:1.0', `${h}/build/arm:1.0`, '--format', 'json');
    t.is(created.code, 0, created.stderr);
    const result = JSON.parse(created.stdout) as IndexJson;
    t.is(result.mediaType, MEDIA_TYPES.oci.index);
    t.deepEqual(
      result.entries.map((e) => [e.platform, e.digest]),
      [
        ['linux/amd64', amd.digest],
        ['linux/arm64', arm.digest],
      ],
    );

    const { bytes, doc } = await skopeoRaw(`${h}/app:1.0`);
    t.is('sha256:' + createHash('sha256').update(bytes).digest('hex'), result.digest, 'the registry holds the bytes that were pushed');
    t.is(doc.mediaType, MEDIA_TYPES.oci.index);
    t.deepEqual(
      doc.manifests.map((m) => m.platform.architecture),
      ['amd64', 'arm64'],
    );
    for (const child of [amd, arm]) {
      const raw = await skopeoRaw(`${h}/app@${child.digest}`);
      t.true(raw.bytes.equals(child.bytes), 'each child copied into app byte for byte');
    }

    const inspect = await jindr('inspect', 'app:1.0');
    t.is(inspect.code, 0, inspect.stderr);
    t.regex(inspect.stdout, new RegExp(`linux/amd64\\s+${amd.digest}`));
    t.regex(inspect.stdout, new RegExp(`linux/arm64\\s+${arm.digest}`));

    const pull = await docker(['pull', '--platform', 'linux/arm64', `${h}/app:1.0`]);
    t.is(pull.code, 0, pull.stderr);
    const arch = await docker(['run', '--rm', '--platform', 'linux/arm64', `${h}/app:1.0`]);
    t.is(arch.stdout.trim(), 'aarch64', arch.stderr);
    const amdRun = await docker(['run', '--rm', '--platform', 'linux/amd64', `${h}/app:1.0`]);
    t.is(amdRun.stdout.trim(), 'x86_64', amdRun.stderr);

    // Refusals: one line, nothing written.
    const list = buildArchy('docker').manifests[1]!;
    await pushImageManifest(h, 'build/arm-docker', '1.0', list);
    const mixed = await jindr('index', 'create', 'mixed', 'build/amd:1.0', 'build/arm-docker:1.0');
    t.regex(
      errorLine(t, mixed, 1),
      /cannot mix OCI and Docker manifests in one index: localhost:\d+\/build\/amd:1\.0 is OCI; localhost:\d+\/build\/arm-docker:1\.0 is Docker v2s2/,
    );
    const twice = await jindr('index', 'create', 'twice', 'build/amd:1.0', 'app:1.0');
    t.regex(errorLine(t, twice, 1), /two images for linux\/amd64: localhost:\d+\/build\/amd:1\.0 and localhost:\d+\/app:1\.0/);
    for (const name of ['mixed', 'twice']) {
      const res = await fetch(`http://${h}/v2/${name}/tags/list`);
      t.is(res.status, 404, `${name} was never written`);
    }
  },
);

e2e('registry:2: a Docker manifest list stays one; index add and rm edit it', async (t) => {
  const reg = await startTestRegistry({ image: 'registry:2' });
  const cfg = makeDockerConfig();
  t.teardown(async () => {
    await removePulledImages(reg.host);
    await reg.remove();
    cfg.cleanup();
  });
  const h = reg.host;
  const [amd, arm] = buildArchy('docker').manifests;
  await pushImageManifest(h, 'app', 'amd', amd!);
  await pushImageManifest(h, 'app', 'arm', arm!);
  const jindr = async (...args: string[]): Promise<IndexJson> => {
    const r = await jindrAlone(['-r', h, ...args, '--format', 'json'], { env: cfg.env });
    if (r.code !== 0) throw new Error(`docker jindr ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as IndexJson;
  };

  const one = await jindr('index', 'create', 'app', 'app:amd');
  t.is(one.mediaType, MEDIA_TYPES.docker.index);
  t.is(one.reference, `${h}/app:latest`, 'the tag defaults to latest');
  const two = await jindr('index', 'add', 'app:latest', `app@${arm!.digest}`);
  t.deepEqual(
    two.entries.map((e) => e.platform),
    ['linux/amd64', 'linux/arm64'],
  );
  const { doc } = await skopeoRaw(`${h}/app:latest`);
  t.is(doc.mediaType, MEDIA_TYPES.docker.index);
  t.deepEqual(
    doc.manifests.map((m) => m.digest),
    [amd!.digest, arm!.digest],
  );
  const pull = await docker(['pull', '--platform', 'linux/arm64', `${h}/app:latest`]);
  t.is(pull.code, 0, pull.stderr);
  const arch = await docker(['run', '--rm', '--platform', 'linux/arm64', `${h}/app:latest`]);
  t.is(arch.stdout.trim(), 'aarch64', arch.stderr);

  const cut = await jindr('index', 'rm', 'app', 'linux/amd64');
  t.deepEqual(
    cut.entries.map((e) => [e.platform, e.digest]),
    [['linux/arm64', arm!.digest]],
  );
  t.deepEqual(
    (await skopeoRaw(`${h}/app:latest`)).doc.manifests.map((m) => m.digest),
    [arm!.digest],
  );
  const unknown = await jindrAlone(['-r', h, 'index', 'rm', 'app', 'linux/s390x'], { env: cfg.env });
  t.regex(errorLine(t, unknown, 1), /app:latest has no linux\/s390x \(it has linux\/arm64\)/);
});

e2e(
  'registry:3: index create over a two-platform tag is refused, pointing to index add; --force replaces it and names the old digest',
  async (t) => {
    const reg = await startTestRegistry({ image: 'registry:3' });
    const cfg = makeDockerConfig();
    t.teardown(async () => {
      await reg.remove();
      cfg.cleanup();
    });
    const h = reg.host;
    const [amd, arm] = buildArchy('oci').manifests;
    await pushImageManifest(h, 'archy', 'amd', amd!);
    await pushImageManifest(h, 'archy', 'arm', arm!);
    const jindr = (...args: string[]) => jindrAlone(['-r', h, ...args], { env: cfg.env });
    const both = await jindr('index', 'create', 'archy:latest', 'archy:amd', 'archy:arm', '--format', 'json');
    t.is(both.code, 0, both.stderr);
    const before = (JSON.parse(both.stdout) as IndexJson).digest;

    const refused = await jindr('index', 'create', 'archy:latest', `archy@${amd!.digest}`);
    t.is(
      errorLine(t, refused, 1),
      `docker-jindr: ${h}/archy:latest already exists (an index of linux/amd64, linux/arm64, ${before}): add platforms to it with docker jindr index add ${h}/archy:latest SOURCE..., or replace it with --force`,
    );
    const kept = await skopeoRaw(`${h}/archy:latest`);
    t.is('sha256:' + createHash('sha256').update(kept.bytes).digest('hex'), before, 'the tag still names both platforms');

    // The same index again: the same digest, nothing replaced, no --force needed.
    const same = await jindr('index', 'create', 'archy:latest', 'archy:amd', 'archy:arm', '--format', 'json');
    t.is(same.code, 0, same.stderr);
    t.is((JSON.parse(same.stdout) as IndexJson & { replaced?: string }).replaced, undefined);

    const forced = await jindr('index', 'create', '--force', 'archy:latest', `archy@${amd!.digest}`);
    t.is(forced.code, 0, forced.stderr);
    t.regex(forced.stderr, new RegExp(`^Created ${h}/archy:latest: sha256:[0-9a-f]{64} \\(OCI index, replacing ${before}\\)\\n$`));
    const now = await skopeoRaw(`${h}/archy:latest`);
    t.deepEqual(
      now.doc.manifests.map((m) => m.digest),
      [amd!.digest],
    );
    const json = await jindr('--format', 'json', 'index', 'create', '-f', 'archy:latest', 'archy:amd', 'archy:arm');
    t.is(json.code, 0, json.stderr);
    const back = JSON.parse(json.stdout) as IndexJson & { replaced?: string };
    t.is(back.replaced, 'sha256:' + createHash('sha256').update(now.bytes).digest('hex'));
    t.is(back.digest, before, 'both platforms again, the same bytes as the first time');
  },
);
