// Signatures, attestations and SBOMs stay with their image, through the real docker CLI and
// the executable against real registry containers (distribution 2.8.2: no referrers API, so the
// referrers are kept as the OCI 1.1 tag schema says: the fallback tag sha256-<hex> holds an
// index of them). They are built by hand in cosign's layout (sha256-<hex>.sig/.att tags: a
// simple-signing payload with cosign's annotation) and the OCI 1.1 layout (an SBOM with
// `subject` and artifactType application/spdx+json), cosign itself not being installable here.
// lsi shows them under their image, prune never counts them and removes them with it, rmi
// takes them along, cp carries them (skopeo inspect --raw as the second opinion on digests),
// gc removes those whose image no repository holds.
import { createHash } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import { e2e, startTestRegistry } from '../helpers/engine.ts';
import { pushRandomImage, type PushedManifest } from '../helpers/images.ts';
import { forgetConnections, jindrJson, jindrJsonLines, startJindrRegistry, status, type JindrRegistry } from '../helpers/jindr-registry.ts';
import { jsonLines, run, pluginBinary, runOk } from '../helpers/run.ts';
import { pushArtifact, pushCosignSignature, pushFallbackIndex } from '../helpers/ui-images.ts';

const tagOf = (digest: string, suffix = ''): string => `${digest.replace(':', '-')}${suffix}`;

interface Referrer {
  digest: string;
  kind: string;
  tag: string;
  referrers: Referrer[];
}
interface LsiRow {
  repository: string;
  tag: string;
  digest: string;
  referrers?: Referrer[];
  referrerOf?: string;
}

const registry = (t: ExecutionContext): Promise<JindrRegistry> => startJindrRegistry(t, 'registry:2', { timeoutMs: 180_000 });

interface Signed {
  images: PushedManifest[];
  sigs: { digest: string }[];
}

/** repo:v1..vN, each with cosign's signature tag (the signatures pushed after all the images). */
async function signedImages(host: string, repo: string, n: number): Promise<Signed> {
  const images: PushedManifest[] = [];
  for (let i = 1; i <= n; i++) images.push(await pushRandomImage(host, repo, `v${i}`));
  const sigs = [];
  for (const image of images) sigs.push(await pushCosignSignature(host, repo, image.digest));
  return { images, sigs };
}

/** v3's SBOM (OCI 1.1: subject + artifactType, listed by the fallback tag) and cosign's signature of that SBOM; v2's attestation. */
async function withSbom(host: string, repo: string, s: Signed) {
  const v3 = s.images[2]!;
  const sbom = await pushArtifact(host, repo, { digest: v3.digest, size: v3.size, mediaType: v3.mediaType }, 'application/spdx+json');
  await pushFallbackIndex(host, repo, v3.digest, [sbom]);
  const sbomSig = await pushCosignSignature(host, repo, sbom.digest);
  const att = await pushCosignSignature(host, repo, s.images[1]!.digest, 'att');
  return { sbom, sbomSig, att };
}

async function tagList(host: string, repo: string): Promise<string[]> {
  const res = await fetch(`http://${host}/v2/${repo}/tags/list`);
  if (res.status === 404) return [];
  return (((await res.json()) as { tags: string[] | null }).tags ?? []).sort();
}

async function skopeoDigest(reference: string): Promise<string> {
  const r = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reference}`]);
  if (r.code !== 0) throw new Error(`skopeo inspect --raw ${reference}: ${r.stderr}`);
  return 'sha256:' + createHash('sha256').update(r.stdout).digest('hex');
}

e2e('lsi shows signatures, attestations and SBOMs under their image; --all and -q --all list them as tags', async (t) => {
  const r = await registry(t);
  const s = await signedImages(r.host, 'app', 3);
  const { sbom, sbomSig, att } = await withSbom(r.host, 'app', s);
  const [v1, v2, v3] = s.images as [PushedManifest, PushedManifest, PushedManifest];

  const rows = await jindrJsonLines<LsiRow>(r, 'lsi', 'app');
  t.deepEqual(
    rows.map((x) => x.tag),
    ['v1', 'v2', 'v3'],
  );
  const strip = (list: Referrer[] | undefined): unknown =>
    (list ?? []).map((x) => ({ kind: x.kind, digest: x.digest, tag: x.tag, referrers: strip(x.referrers) }));
  t.deepEqual(strip(rows[0]!.referrers), [{ kind: 'signature', digest: s.sigs[0]!.digest, tag: tagOf(v1.digest, '.sig'), referrers: [] }]);
  t.deepEqual(strip(rows[1]!.referrers), [
    { kind: 'attestation', digest: att.digest, tag: tagOf(v2.digest, '.att'), referrers: [] },
    { kind: 'signature', digest: s.sigs[1]!.digest, tag: tagOf(v2.digest, '.sig'), referrers: [] },
  ]);
  t.deepEqual(strip(rows[2]!.referrers), [
    {
      kind: 'sbom',
      digest: sbom.digest,
      tag: tagOf(v3.digest),
      referrers: [{ kind: 'signature', digest: sbomSig.digest, tag: tagOf(sbom.digest, '.sig'), referrers: [] }],
    },
    { kind: 'signature', digest: s.sigs[2]!.digest, tag: tagOf(v3.digest, '.sig'), referrers: [] },
  ]);

  const table = await r.jindr('lsi', 'app');
  t.is(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  t.regex(lines[0]!, /^REPOSITORY\s+TAG\s+IMAGE ID\s+PLATFORMS\s+CREATED\s+SIZE\s+REFERRERS$/);
  t.is(lines.length, 4, table.stdout);
  t.regex(lines[1]!, /\sv1\s.*\ssignature$/);
  t.regex(lines[2]!, /\sv2\s.*\sattestation, signature$/);
  t.regex(lines[3]!, /\sv3\s.*\ssbom, signature x2$/);

  const all = await jindrJsonLines<LsiRow>(r, 'lsi', 'app', '--all');
  t.is(all.length, 9, all.map((x) => x.tag).join(' '));
  t.is(all.find((x) => x.tag === tagOf(v1.digest, '.sig'))?.referrerOf, v1.digest);
  t.is(all.find((x) => x.tag === tagOf(sbom.digest, '.sig'))?.referrerOf, sbom.digest);
  t.is(all.find((x) => x.tag === 'v1')?.referrerOf, undefined);
  const quiet = await r.jindr('lsi', '-q', 'app');
  t.deepEqual(
    quiet.stdout.trim().split('\n'),
    ['v1', 'v2', 'v3'].map((v) => `${r.host}/app:${v}`),
  );
  const quietAll = await r.jindr('lsi', '-q', '--all', 'app');
  t.is(quietAll.stdout.trim().split('\n').length, 9);
});

e2e('prune --keep 2 on 3 tags and 3 signature tags removes one image tag and its signature, nothing else', async (t) => {
  const r = await registry(t);
  const s = await signedImages(r.host, 'svc', 3);
  const [v1] = s.images as [PushedManifest];
  interface PruneJson {
    tags: { tag: string; referrerOf?: string }[];
  }
  const dry = await jindrJson<PruneJson>(r, 'prune', 'svc', '--keep', '2', '--grace', '0', '--dry-run');
  t.deepEqual(
    dry.tags.map((x) => [x.tag, x.referrerOf]).sort(),
    [
      ['v1', undefined],
      [tagOf(v1.digest, '.sig'), v1.digest],
    ].sort(),
  );
  const text = await r.jindr('prune', 'svc', '--keep', '2', '--grace', '0', '-f');
  await forgetConnections();
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, new RegExp(`Untagged: ${r.host}/svc:${tagOf(v1.digest, '.sig')}, with the image it is about`));
  t.deepEqual(await tagList(r.host, 'svc'), ['v2', 'v3', tagOf(s.images[1]!.digest, '.sig'), tagOf(s.images[2]!.digest, '.sig')].sort());
  t.is(await status(r.host, 'svc', 'manifests', s.sigs[0]!.digest), 404, "v1's signature manifest was collected");
  t.is(await status(r.host, 'svc', 'manifests', s.sigs[1]!.digest), 200);
});

e2e("rmi removes an image's cosign tags, its fallback tag and the referrers it lists, and says so", async (t) => {
  const r = await registry(t);
  const s = await signedImages(r.host, 'rm', 3);
  const { sbom, sbomSig, att } = await withSbom(r.host, 'rm', s);
  const [, v2, v3] = s.images as [PushedManifest, PushedManifest, PushedManifest];
  const out = await r.jindr('rmi', 'rm:v3');
  t.is(out.code, 0, out.stderr);
  for (const d of [sbom.digest, sbomSig.digest, s.sigs[2]!.digest])
    t.true(out.stdout.includes(`Deleted: ${r.host}/rm@${d} (`), `${d}: ${out.stdout}`);
  t.regex(out.stdout, new RegExp(`\\(signature of ${v3.digest.slice(7, 19)}, tag ${tagOf(v3.digest, '.sig')}\\)`));
  t.deepEqual(
    await tagList(r.host, 'rm'),
    ['v1', 'v2', tagOf(s.images[0]!.digest, '.sig'), tagOf(v2.digest, '.att'), tagOf(v2.digest, '.sig')].sort(),
  );
  for (const d of [sbom.digest, sbomSig.digest, s.sigs[2]!.digest]) t.is(await status(r.host, 'rm', 'manifests', d), 404, d);
  t.is(await status(r.host, 'rm', 'manifests', att.digest), 200, "v2's attestation stays");

  // JSON: the removal row carries what went with it.
  const json = await jindrJsonLines<{ tag: string; referrers?: { kind: string }[] }>(r, 'rmi', 'rm:v2');
  t.deepEqual(json[0]!.referrers?.map((x) => x.kind).sort(), ['attestation', 'signature']);
});

e2e('cp carries signatures, the SBOM, its signature and the fallback tag, digests unchanged; --no-referrers leaves them', async (t) => {
  const r = await registry(t);
  const dst = await startTestRegistry({ image: 'registry:2' });
  t.teardown(() => dst.remove());
  const s = await signedImages(r.host, 'cpy', 3);
  const { sbom, sbomSig } = await withSbom(r.host, 'cpy', s);
  const v3 = s.images[2]!;
  const out = await r.jindr('cp', 'cpy:v3', dst.host);
  t.is(out.code, 0, out.stderr);
  t.regex(out.stderr, /with them: 1 sbom, 2 signatures/);
  t.deepEqual(await tagList(dst.host, 'cpy'), ['v3', tagOf(v3.digest), tagOf(v3.digest, '.sig'), tagOf(sbom.digest, '.sig')].sort());
  for (const tag of ['v3', tagOf(v3.digest), tagOf(v3.digest, '.sig'), tagOf(sbom.digest, '.sig')]) {
    t.is(await skopeoDigest(`${dst.host}/cpy:${tag}`), await skopeoDigest(`${r.host}/cpy:${tag}`), tag);
  }
  t.is(await skopeoDigest(`${dst.host}/cpy@${sbom.digest}`), sbom.digest);
  t.is(await skopeoDigest(`${dst.host}/cpy:${tagOf(sbom.digest, '.sig')}`), sbomSig.digest);
  // And lsi at the destination sees them under the image.
  const rows = jsonLines<LsiRow>(await runOk(pluginBinary, ['-r', dst.host, 'lsi', 'cpy', '--format', 'json'], { env: r.env }));
  t.deepEqual(
    rows.map((x) => [x.tag, x.referrers?.length]),
    [['v3', 2]],
  );

  // Again: nothing new, nothing written; JSON names what travelled.
  const again = jsonLines<{ digest: string; referrers?: { kind: string; subject: string }[] }>(
    (await r.jindr('cp', 'cpy:v3', dst.host, '--format', 'json')).stdout,
  );
  t.deepEqual(again[0]!.referrers?.map((x) => x.kind).sort(), ['sbom', 'signature', 'signature']);

  const bare = await r.jindr('cp', 'cpy:v1', '--to', `${dst.host}/bare`, '--no-referrers');
  t.is(bare.code, 0, bare.stderr);
  t.deepEqual(await tagList(dst.host, 'bare'), ['v1']);
});

e2e('gc removes a signature tag whose image no repository holds (deleted by another tool), reports it, keeps the rest', async (t) => {
  const r = await registry(t);
  const s = await signedImages(r.host, 'tmp', 2);
  const [v1, v2] = s.images as [PushedManifest, PushedManifest];
  // Another tool deletes v1 by digest: its signature tag is left behind.
  const del = await fetch(`http://${r.host}/v2/tmp/manifests/${v1.digest}`, { method: 'DELETE' });
  t.is(del.status, 202);
  interface GcJson {
    orphanReferrers: { repository: string; tag: string; subject: string }[];
  }
  const dry = await jindrJson<GcJson>(r, 'gc', '--grace', '0', '--dry-run');
  t.deepEqual(
    dry.orphanReferrers.map((o) => [o.repository, o.tag, o.subject]),
    [['tmp', tagOf(v1.digest, '.sig'), v1.digest]],
  );
  t.true((await tagList(r.host, 'tmp')).includes(tagOf(v1.digest, '.sig')), 'a dry run removes nothing');
  const real = await r.jindr('gc', '--grace', '0');
  await forgetConnections();
  t.is(real.code, 0, real.stderr);
  t.regex(
    real.stderr,
    new RegExp(`removed tag tmp:${tagOf(v1.digest, '.sig')}: the image it is about \\(${v1.digest}\\) is in no repository`),
  );
  t.deepEqual(await tagList(r.host, 'tmp'), ['v2', tagOf(v2.digest, '.sig')].sort());
  t.is(await status(r.host, 'tmp', 'manifests', s.sigs[0]!.digest), 404);
  t.is(await status(r.host, 'tmp', 'manifests', s.sigs[1]!.digest), 200);
});
