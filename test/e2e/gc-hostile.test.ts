// A hostile storage: names with spaces, globs, newlines, a leading `-`, dots, non-ASCII,
// and symlinks to outside the storage, planted at every level of a real registry's tree
// (repositories, _manifests, _layers, _uploads, blobs) beside real images and real
// garbage. gc, prune and rmr run through the real docker CLI; a hash of every file (and
// symlink target) of the data dir before and after each shows that exactly the planned
// garbage went and nothing else, the dirs the symlinks point to included, and the images
// still read with skopeo byte for byte.
import type { ExecutionContext } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { e2e } from '../helpers/engine.ts';
import { pushArchy, pushRandomImage, pushUntaggedManifest, sha256 } from '../helpers/images.ts';
import { forgetConnections, startJindrRegistry, type JindrRegistry } from '../helpers/jindr-registry.ts';
import { dockerOk, run } from '../helpers/run.ts';

/** Every name a hand edit, a broken copy or a hostile volume could leave. */
const HOSTILE = ['* x', 'a b', '?', '[x]', 'nl\nname', '-rf', '..x', '...', 'é-ü', '*', 'x y*'];

/** path (relative to dir) -> what it is: a file's hash, a symlink's target, or a dir. Symlinks are never followed. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    const full = join(dir, rel);
    const st = lstatSync(full);
    if (st.isSymbolicLink()) out.set(rel, `-> ${readlinkSync(full)}`);
    else if (st.isFile()) out.set(rel, createHash('sha256').update(readFileSync(full)).digest('hex'));
    else if (st.isDirectory()) {
      out.set(rel, 'dir');
      for (const e of readdirSync(full)) walk(rel === '' ? e : `${rel}/${e}`);
    }
  };
  walk('');
  return out;
}

/** What went, what appeared, what changed between two snapshots. */
function difference(before: Map<string, string>, after: Map<string, string>) {
  return {
    removed: [...before.keys()].filter((p) => !after.has(p)).sort(),
    added: [...after.keys()].filter((p) => !before.has(p)).sort(),
    changed: [...before.keys()].filter((p) => after.has(p) && after.get(p) !== before.get(p)).sort(),
  };
}

/** The paths of `before` at or under one of the prefixes. */
const under = (before: Map<string, string>, prefixes: readonly string[]): string[] =>
  [...before.keys()].filter((p) => prefixes.some((pre) => p === pre || p.startsWith(pre + '/'))).sort();

/** Two hex digits no blob of dir starts with. */
function freePrefix(dir: string): string {
  const taken = new Set(readdirSync(dir));
  return [...Array(256).keys()].map((n) => n.toString(16).padStart(2, '0')).find((p) => !taken.has(p))!;
}

const hexOf = (digest: string): string => digest.slice('sha256:'.length);
const repoDir = (repo: string): string => `docker/registry/v2/repositories/${repo}`;

function file(path: string, content: string | Buffer, when?: Date): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  if (when) utimesSync(path, when, when);
}

/** Every file and dir under path dated `when` (the storage aged: nothing young for the grace period). */
function age(path: string, when: Date): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) for (const e of readdirSync(path)) age(join(path, e), when);
  utimesSync(path, when, when);
}

/** An upload session left open with `bytes` sent: its id. */
async function leaveUpload(host: string, repo: string, bytes: number): Promise<string> {
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await start.arrayBuffer();
  if (start.status !== 202) throw new Error(`POST upload: HTTP ${start.status}`);
  const location = new URL(start.headers.get('location')!, `http://${host}`);
  const patch = await fetch(location, {
    method: 'PATCH',
    body: randomBytes(bytes),
    headers: { 'content-type': 'application/octet-stream' },
  });
  await patch.arrayBuffer();
  if (patch.status !== 202) throw new Error(`PATCH upload: HTTP ${patch.status}`);
  return start.headers.get('docker-upload-uuid')!;
}

async function skopeoDigest(t: ExecutionContext, ref: string): Promise<string> {
  const r = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);
  t.is(r.code, 0, `skopeo inspect --raw ${ref}: ${r.stderr}`);
  return sha256(Buffer.from(r.stdout, 'latin1'));
}

/** The registry container's own /etc, file by file (but those the engine writes at each start): a symlink to /etc in the storage must lead nothing there. */
const etcOf = (reg: JindrRegistry): Promise<string> =>
  dockerOk([
    'exec',
    reg.name,
    'sh',
    '-c',
    'find /etc | sort; find /etc -type f ! -name hosts ! -name hostname ! -name resolv.conf -exec md5sum {} + | sort',
  ]);

const OLD = new Date(Date.now() - 3 * 86_400_000);
const YESTERDAY = new Date(Date.now() - 86_400_000);

e2e('a hostile storage: gc, prune and rmr remove exactly the planned garbage; no name is interpreted, no symlink followed', async (t) => {
  const reg = await startJindrRegistry(t, 'registry:3', { timeoutMs: 120_000 });
  const { host, data } = reg;
  const v2 = join(data, 'docker/registry/v2');

  // Real images: a two-platform index, single images, the repository `x` a glob `* x` would hit, a nested one.
  const archy = await pushArchy(host);
  const v1 = await pushRandomImage(host, 'app', 'v1');
  const v2img = await pushRandomImage(host, 'app', 'v2');
  const x = await pushRandomImage(host, 'x', 'v1');
  const nested = await pushRandomImage(host, 'team/app', 'v1');
  await pushRandomImage(host, 'gone', 'v1');
  // Real garbage: an untagged manifest, an old upload; and a young upload that the grace period keeps.
  const untagged = await pushUntaggedManifest(host, 'app');
  const oldUpload = await leaveUpload(host, 'app', 2_000_000);
  age(data, OLD);
  utimesSync(join(v2, 'repositories/app/_manifests/tags/v2/current/link'), YESTERDAY, YESTERDAY);
  const youngUpload = await leaveUpload(host, 'app', 1_000_000);

  // Outside the storage, in the data dir: what a followed symlink would reach. It looks like storage.
  const outside = join(data, 'outside');
  const hostlike = join(data, 'hostlike');
  for (const dir of [outside, hostlike]) {
    file(join(dir, 'keep.txt'), 'must stay');
    file(join(dir, `_manifests/revisions/sha256/${hexOf(untagged.digest)}/link`), untagged.digest, OLD);
    file(join(dir, `_manifests/tags/v1/index/sha256/${hexOf(untagged.digest)}/link`), untagged.digest, OLD);
    file(join(dir, `_layers/sha256/${hexOf(untagged.config.digest)}/link`), untagged.config.digest, OLD);
    file(join(dir, `_uploads/${oldUpload}/data`), 'an old upload', OLD);
    file(join(dir, `sha256/${hexOf(untagged.digest).slice(0, 2)}/${hexOf(untagged.digest)}/data`), 'blob', OLD);
    file(join(dir, `${hexOf(untagged.digest)}/data`), 'blob', OLD);
  }
  const relOut = (from: string): string => '../'.repeat(from.split('/').length - 1) + 'outside';
  const link = (rel: string, target: string): void => {
    mkdirSync(dirname(join(data, rel)), { recursive: true });
    symlinkSync(target, join(data, rel));
  };
  const garbage = hexOf(untagged.digest);
  for (const name of HOSTILE) {
    const r = (p: string) => join(v2, 'repositories', p);
    file(r(`${name}/_manifests/tags/v1/current/link`), v2img.digest, OLD);
    file(r(`${name}/_manifests/revisions/sha256/${hexOf(v2img.digest)}/link`), v2img.digest, OLD);
    file(r(`app/_manifests/revisions/sha256/${name}/link`), 'sha256:' + name, OLD);
    file(r(`app/_manifests/revisions/${name}/${garbage}/link`), untagged.digest, OLD);
    file(r(`app/_manifests/tags/${name}/current/link`), v1.digest, OLD);
    file(r(`app/_manifests/tags/${name}/index/sha256/${garbage}/link`), untagged.digest, OLD);
    file(r(`app/_layers/sha256/${name}/link`), 'sha256:' + name, OLD);
    file(r(`app/_uploads/${name}/data`), 'upload', OLD);
    file(r(`app/_uploads/${name}/startedat`), OLD.toISOString(), OLD);
    file(join(v2, `blobs/sha256/${name}/${garbage}/data`), 'blob', OLD);
    file(join(v2, `blobs/sha256/${garbage.slice(0, 2)}/${name}/data`), 'blob', OLD);
  }
  // Symlinks at every level: to a dir of the data dir outside the storage (relative and absolute), and to /etc.
  const syms: Array<[string, 'out' | 'abs' | 'etc']> = [
    ['docker/registry/v2/repositories/lnk-out', 'out'],
    ['docker/registry/v2/repositories/lnk-etc', 'etc'],
    ['docker/registry/v2/repositories/team/lnk-abs', 'abs'],
    ['docker/registry/v2/repositories/lnkm/_manifests', 'abs'],
    ['docker/registry/v2/repositories/app/_manifests/revisions/sha512', 'out'],
    ['docker/registry/v2/repositories/app/_manifests/tags/linked', 'out'],
    [`docker/registry/v2/repositories/app/_manifests/revisions/sha256/${'e'.repeat(64)}`, 'abs'],
    ['docker/registry/v2/repositories/x/_layers/sha512', 'out'],
    ['docker/registry/v2/repositories/team/app/_uploads', 'etc'],
    [`docker/registry/v2/repositories/app/_uploads/${oldUpload.replace(/^.{8}/, '00000000')}`, 'out'],
    ['docker/registry/v2/repositories/gone/_uploads', 'abs'],
    ['docker/registry/v2/blobs/sha512', 'out'],
    [`docker/registry/v2/blobs/sha256/${freePrefix(join(v2, 'blobs/sha256'))}`, 'abs'],
  ];
  // The upload directories a push leaves (empty) become symlinks.
  for (const repo of ['team/app', 'gone']) rmSync(join(v2, 'repositories', repo, '_uploads'), { recursive: true, force: true });
  for (const [rel, kind] of syms) link(rel, kind === 'out' ? relOut(rel) : kind === 'abs' ? '/var/lib/registry/hostlike' : '/etc');
  const etcBefore = await etcOf(reg);

  // gc: the untagged manifest with its blobs and links, and the old upload; nothing else.
  const before = snapshot(data);
  const gc = await reg.jindr('gc', '--grace', '1h');
  t.is(gc.code, 0, gc.stderr);
  await forgetConnections();
  t.regex(gc.stderr, /left alone: repositories\/app\/_manifests\/revisions\/sha256\/\* x \(not a digest\)/);
  t.regex(gc.stderr, /left alone: repositories\/lnk-out \(a symlink\)/);
  t.regex(gc.stderr, /removed 1 upload session \(2\.00MB\)/);
  // distribution's own collection, the judge of the blob sweep, cannot walk such a storage: the blobs wait, said in one line.
  t.regex(
    gc.stderr,
    /warning: no blob was collected: registry garbage-collect --dry-run failed .*invalid path.*move the names left alone out of the storage/,
  );
  const afterGc = snapshot(data);
  t.deepEqual(
    difference(before, afterGc),
    {
      removed: under(before, [`${repoDir('app')}/_manifests/revisions/sha256/${garbage}`, `${repoDir('app')}/_uploads/${oldUpload}`]),
      added: [],
      changed: [],
    },
    'exactly the garbage went',
  );
  t.true(afterGc.has(`${repoDir('app')}/_uploads/${youngUpload}/data`), 'the young upload stays');

  // prune --keep 1 app: the tag v1, then its image; nothing else (the hostile tags are not tags).
  const prune = await reg.jindr('prune', '--grace', '1h', '--keep', '1', '-f', 'app');
  t.is(prune.code, 0, prune.stderr);
  await forgetConnections();
  const afterPrune = snapshot(data);
  t.deepEqual(
    difference(afterGc, afterPrune),
    {
      removed: under(afterGc, [
        `${repoDir('app')}/_manifests/tags/v1`,
        `${repoDir('app')}/_manifests/revisions/sha256/${hexOf(v1.digest)}`,
      ]),
      added: [],
      changed: [],
    },
    'exactly the pruned tag and its image went',
  );

  // rmr gone: its storage, but not through the symlinked _uploads (which stays, and so does the directory holding it).
  const rmr = await reg.jindr('rmr', 'gone');
  t.is(rmr.code, 0, rmr.stderr);
  await forgetConnections();
  const afterRmr = snapshot(data);
  t.deepEqual(
    difference(afterPrune, afterRmr),
    {
      removed: under(afterPrune, [`${repoDir('gone')}/_manifests`, `${repoDir('gone')}/_layers`]),
      added: [],
      changed: [],
    },
    'exactly the repository went',
  );

  t.is(await etcOf(reg), etcBefore, "the registry container's /etc is untouched");
  for (const [ref, digest] of [
    ['archy:latest', archy.digest],
    ...archy.manifests.map((m) => [`archy@${m.digest}`, m.digest]),
    ['app:v2', v2img.digest],
    ['x:v1', x.digest],
    ['team/app:v1', nested.digest],
  ] as const) {
    t.is(await skopeoDigest(t, `${host}/${ref}`), digest, ref);
  }
});

e2e('an abandoned 20 MB upload: du shows it on its own line, gc --grace 0s removes it and says so', async (t) => {
  const reg = await startJindrRegistry(t, 'registry:2', { timeoutMs: 120_000 });
  await pushRandomImage(reg.host, 'app', 'v1');
  const id = await leaveUpload(reg.host, 'app', 20_000_000);
  const du = await reg.jindr('du', '--grace', '0s');
  t.is(du.code, 0, du.stderr);
  t.regex(du.stdout, /^\(1 upload session\)\s+20\.0MB\s+-\s+-\s+20\.0MB$/m);
  const json = JSON.parse((await reg.jindr('du', '--format', 'json')).stdout) as {
    uploads: { sessions: number; bytes: number; reclaimable: number };
  };
  t.like(json.uploads, { sessions: 1, reclaimable: 0 }, 'within the default grace period gc would keep it');
  t.true(
    json.uploads.bytes >= 20_000_000 && json.uploads.bytes < 20_010_000,
    `the data and the session's own files: ${json.uploads.bytes}`,
  );
  const gc = await reg.jindr('gc', '--grace', '0s');
  t.is(gc.code, 0, gc.stderr);
  t.notRegex(gc.stdout, /nothing to collect/);
  t.regex(gc.stderr, /removed 1 upload session \(20\.0MB\) last written more than 0s ago \(--grace\)/);
  t.regex(gc.stdout, /SPACE FREED\n0\s+0\s+0\s+20\.0MB/);
  t.false(lstatSafe(join(reg.data, 'docker/registry/v2/repositories/app/_uploads', id)));
  await forgetConnections();
  const after = JSON.parse((await reg.jindr('du', '--format', 'json')).stdout) as { uploads: { sessions: number } };
  t.is(after.uploads.sessions, 0);
});

function lstatSafe(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
