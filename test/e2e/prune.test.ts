// `prune` (the executable on its own) on registries docker-jindr runs (both
// images): exactly the newest N tags stay, a tag sharing its digest with a kept tag goes
// alone, an index's children and referrers survive and still pull; --dry-run predicts
// what the run then frees. (registry:3's DELETE by tag runs in test/storage/untag.test.ts:
// the rig's registry:3 is 2.8.2, so here tags go from storage on both images.)
import type { ExecutionContext } from 'ava';
import { e2e, registryImages } from '../helpers/engine.ts';
import { pushArchy, pushImageManifest, pushManifestBytes, pushRandomImage, type PushedManifest } from '../helpers/images.ts';
import {
  forgetConnections,
  jindrJson,
  jindrJsonLines,
  pushReferrer,
  startJindrRegistry,
  status,
  type JindrRegistry,
} from '../helpers/jindr-registry.ts';
import { docker, errorLine, run, jindr } from '../helpers/run.ts';

interface PruneJson {
  dryRun: boolean;
  cancelled: boolean;
  tags: { repository: string; tag: string; digest: string; pushed: string; sharedWith: string[] }[];
  manifests: number;
  blobs: number;
  bytes: number;
}

const tagsOf = async (reg: JindrRegistry): Promise<string[]> => {
  const rows = await jindrJsonLines<{ repository: string; tag: string }>(reg, 'lsi');
  return rows.map((r) => `${r.repository}:${r.tag}`).sort();
};

async function skopeoRaw(t: ExecutionContext, ref: string): Promise<void> {
  const r = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);
  t.is(r.code, 0, `skopeo inspect --raw ${ref}: ${r.stderr}`);
}

for (const image of registryImages) {
  e2e(`${image}: prune --keep 2 keeps exactly the newest two; shared digests, an index's children and referrers survive`, async (t) => {
    const reg = await startJindrRegistry(t, image);
    const { host } = reg;
    // app: v1 (A), v2 (B), latest on B (protected), v3 (C), v4 (D), then v9 on A again.
    const v1 = await pushRandomImage(host, 'app', 'v1');
    const v2 = await pushRandomImage(host, 'app', 'v2');
    await pushManifestBytes(host, 'app', 'latest', v2);
    const v3 = await pushRandomImage(host, 'app', 'v3', { layers: 2, layerSize: 8192 });
    await pushRandomImage(host, 'app', 'v4');
    await pushManifestBytes(host, 'app', 'v9', v1);
    // archy: "arm" tags the index's arm64 child, then old1 (with a signature), old2, and the index as "multi".
    const archy = await pushArchy(host, { tag: 'multi-build' });
    const arm = archy.manifests[1]!;
    await pushImageManifest(host, 'archy', 'arm', arm);
    const old1: PushedManifest = await pushRandomImage(host, 'archy', 'old1');
    const sigOfOld1 = await pushReferrer(host, 'archy', old1);
    await pushRandomImage(host, 'archy', 'old2');
    await pushManifestBytes(host, 'archy', 'multi', archy);
    const sigOfIndex = await pushReferrer(host, 'archy', archy);
    const sigOfChild = await pushReferrer(host, 'archy', arm);
    // multi-build was the first push of the index: it goes, and the index stays under multi.

    const dry = await jindrJson<PruneJson>(reg, 'prune', '--grace', '0', '--keep', '2', '--dry-run');
    const expected = ['app:v1', 'app:v2', 'app:v3', 'archy:arm', 'archy:multi-build', 'archy:old1'];
    t.deepEqual(dry.tags.map((x) => `${x.repository}:${x.tag}`).sort(), expected);
    t.deepEqual(dry.tags.find((x) => x.tag === 'v1')!.sharedWith, ['v9']);
    t.deepEqual(dry.tags.find((x) => x.tag === 'v2')!.sharedWith, ['latest']);
    t.deepEqual(dry.tags.find((x) => x.tag === 'multi-build')!.sharedWith, ['multi']);
    t.true(dry.tags.every((x) => typeof x.pushed === 'string' && !Number.isNaN(Date.parse(x.pushed))));
    const v3Bytes = v3.size + v3.config.size + v3.layers.reduce((s, l) => s + l.size, 0);
    const old1Bytes = old1.size + old1.config.size + old1.layers.reduce((s, l) => s + l.size, 0) + sigOfOld1.size;
    t.true(
      dry.bytes >= v3Bytes + old1Bytes,
      `predicted ${dry.bytes} bytes, at least v3's ${v3Bytes} and old1's ${old1Bytes} with its signature`,
    );
    t.deepEqual((await tagsOf(reg)).length, 11, 'a dry run removes nothing');

    const real = await jindrJson<PruneJson>(reg, 'prune', '--grace', '0', '--keep', '2', '-f');
    await forgetConnections();
    t.deepEqual(real.tags.map((x) => `${x.repository}:${x.tag}`).sort(), expected);
    t.deepEqual(
      { manifests: real.manifests, blobs: real.blobs, bytes: real.bytes },
      { manifests: dry.manifests, blobs: dry.blobs, bytes: dry.bytes },
      'the dry run predicted what went',
    );
    t.deepEqual(await tagsOf(reg), ['app:latest', 'app:v4', 'app:v9', 'archy:multi', 'archy:old2']);

    // Gone: v3's image and old1's with its signature, manifests and blobs.
    t.is(await status(host, 'app', 'manifests', v3.digest), 404);
    for (const l of v3.layers) t.is(await status(host, 'app', 'blobs', l.digest), 404);
    t.is(await status(host, 'archy', 'manifests', old1.digest), 404);
    t.is(await status(host, 'archy', 'manifests', sigOfOld1.digest), 404);
    // Kept: the images other tags point to, the index, its children, its referrers.
    t.is(await status(host, 'app', 'manifests', v1.digest), 200, 'v1 went as a tag only: v9 still has its image');
    t.is(await status(host, 'app', 'manifests', v2.digest), 200);
    for (const m of [archy, ...archy.manifests, sigOfIndex, sigOfChild])
      t.is(await status(host, 'archy', 'manifests', m.digest), 200, m.digest);
    for (const child of archy.manifests) await skopeoRaw(t, `${host}/archy@${child.digest}`);
    for (const platform of ['linux/arm64', 'linux/amd64']) {
      const pull = await docker(['pull', '--platform', platform, `${host}/archy:multi`]);
      t.is(pull.code, 0, `docker pull --platform ${platform}: ${pull.stderr}`);
    }
    const arch = await docker(['run', '--rm', '--platform', 'linux/arm64', `${host}/archy:multi`]);
    t.is(arch.stdout.trim(), 'aarch64', arch.stderr);
    const again = await jindrJson<PruneJson>(reg, 'prune', '--grace', '0', '--keep', '2', '-f');
    t.deepEqual(again.tags, [], 'nothing more to prune');
  });
}

e2e(
  'prune asks first: no terminal and no -f is refused in one line; "n" on a terminal removes nothing; --older-than spares recent tags',
  async (t) => {
    const reg = await startJindrRegistry(t, 'registry:3');
    for (const tag of ['v1', 'v2', 'v3']) await pushRandomImage(reg.host, 'app', tag);
    await pushRandomImage(reg.host, 'other', 'v1');
    const before = await tagsOf(reg);

    // A pattern option takes one value: the repository after it is a repository.
    const matched = await jindrJson<PruneJson>(
      reg,
      'prune',
      '--grace',
      '0',
      '--match',
      'v?',
      'app',
      '--exclude',
      'v3',
      '--keep',
      '0',
      '--dry-run',
    );
    t.deepEqual(
      matched.tags.map((x) => `${x.repository}:${x.tag}`),
      ['app:v2', 'app:v1'],
    );

    const refused = await reg.jindr('prune', '--grace', '0', '--keep', '1');
    t.regex(errorLine(t, refused, 2), /prune asks before removing anything and there is no terminal to ask on: add -f\/--force/);

    // A terminal (script gives the command a pty), answered "n".
    const cmd = `docker jindr -r ${reg.host} prune --keep 1`;
    const asked = await run('script', ['-qec', `${cmd} app`, '/dev/null'], { env: reg.env, input: 'n\n' });
    t.is(asked.code, 0, asked.stdout);
    t.regex(
      asked.stdout,
      /WARNING! This will remove 2 tags from localhost:\d+, then collect garbage \([^)]+ to free\):\r?\n {2}app:v2\r?\n {2}app:v1\r?\nAre you sure you want to continue\? \[y\/N\]/,
    );
    t.regex(asked.stdout, /prune cancelled: nothing was removed/);
    t.deepEqual(await tagsOf(reg), before);

    const recent = await jindrJson<PruneJson>(reg, 'prune', '--grace', '0', '--older-than', '1h', '-f');
    t.deepEqual(recent.tags, [], 'every tag was pushed within the hour');
    const bad = await reg.jindr('prune', '--grace', '0', '--older-than', '30 days', '-f');
    t.regex(errorLine(t, bad, 2), /--older-than needs a duration such as 30d, 12h, 90m/);
    const none = await reg.jindr('prune', '--grace', '0', '-f');
    t.regex(errorLine(t, none, 2), /prune needs a rule: --keep N, --older-than DURATION, or both/);
    t.deepEqual(await tagsOf(reg), before);
  },
);

e2e('prune on a registry this engine does not run is refused in one line', async (t) => {
  const reg = await startJindrRegistry(t, 'registry:2');
  const result = await jindr(['-r', 'localhost:1', 'prune', '--keep', '1', '-f'], { env: reg.env });
  t.regex(
    errorLine(t, result, 1),
    /prune works on a registry this Docker engine runs .*: no registry container serves localhost:1 on this Docker engine/,
  );
});
