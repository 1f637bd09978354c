// Reading a registry's filesystem storage (the layout of storage-layout.ts) from inside a
// container. The registry API cannot list untagged manifests, so the snapshot comes from
// storage. Every name in it is checked against its grammar: one that fits none (a space,
// a glob, a newline, a leading `-`, non-ASCII) and every symlink is reported as left
// alone, never taken for a repository, tag, digest or upload, so nothing is built from it.
import { readManifest, type ManifestContent, type RepositoryState } from './reachability.ts';
import { ResourceError } from '../errors.ts';
import { BATCH, run } from './storage-exec.ts';
import type { Exec } from '../server/container-exec.ts';
import { blobPath, isDigest, isRepositoryName, isTagName, isUploadId, printablePath, v2, V2, whyLeftAlone } from './storage-layout.ts';

// `read` is a shell builtin: no process per tag, even with thousands; `stat` runs in
// batches (find -exec +). Link files have no final newline, so read's status is ignored.
// Times (mtime, seconds) and "now" both come from the container's clock, for the grace
// period (grace-period.ts). find never follows a symlink; names with a newline are pruned from
// the line-based part and listed after "Z", NUL-separated: first the symlinks, then (after
// an empty record) the names outside [A-Za-z0-9._-] or starting with `.` or `-`.
const LIST_SCRIPT = `
NL='
'
echo "N $(date +%s)"
cd "$1" 2>/dev/null || exit 0
for d in docker docker/registry ${V2}; do if [ -L "$d" ]; then echo "Y $d"; exit 0; fi; done
cd ${V2} 2>/dev/null || exit 0
if [ -L repositories ]; then echo "Y repositories"; elif [ -d repositories ]; then
  cd repositories
  find . -name "*$NL*" -prune -o -type d -name _manifests -print | while IFS= read -r f; do echo "R $f"; done
  find . -name "*$NL*" -prune -o -type f -path '*/_manifests/tags/*/current/link' -print | while IFS= read -r f; do c=; IFS= read -r c < "$f"; echo "T $f $c"; done
  find . -name "*$NL*" -prune -o -type f -path '*/_manifests/revisions/*/*/link' -exec stat -c 'V %Y %n' {} +
  find . -name "*$NL*" -prune -o -type f -path '*/_layers/*/*/link' -exec stat -c 'L %Y %n' {} +
  find . -name "*$NL*" -prune -o -type f -path '*/_uploads/*' -exec stat -c 'U %s %Y %n' {} +
  cd ..
fi
if [ -L blobs ]; then echo "Y blobs"; elif [ -d blobs ]; then find blobs -name "*$NL*" -prune -o -type f -name data -exec stat -c 'B %s %Y %n' {} +; fi
echo Z
for d in repositories blobs; do [ -d "$d" ] && [ ! -L "$d" ] && find "$d" -mindepth 1 \\( -name '*[!A-Za-z0-9._-]*' -o -name '[.-]*' \\) -prune -o -type l -print0; done
printf '\\0'
for d in repositories blobs; do [ -d "$d" ] && [ ! -L "$d" ] && find "$d" -mindepth 1 \\( -name '*[!A-Za-z0-9._-]*' -o -name '[.-]*' \\) -prune -print0; done
exit 0
`;

/** When things were last written, in seconds of the container's clock. */
export interface StorageTimes {
  /** The container's clock when the listing was taken. */
  now: number;
  /** digest -> mtime of its data. */
  blobs: Map<string, number>;
  /** linkKey(repository, digest) -> mtime of the layer link (`_layers/<alg>/<hex>/link`). */
  layers: Map<string, number>;
  /** linkKey(repository, digest) -> mtime of the revision link. */
  revisions: Map<string, number>;
  /** repository -> newest mtime of any file of its uploads in progress (`_uploads`). */
  uploads: Map<string, number>;
}

/** An upload session (`_uploads/<uuid>`): what it holds and when it was last written. */
export interface UploadSession {
  repository: string;
  id: string;
  bytes: number;
  /** The newest mtime of its files. */
  mtime: number;
}

/** A name that fits no grammar, or a symlink: never removed, never followed. */
export interface LeftAlone {
  /** Relative to docker/registry/v2. */
  path: string;
  why: string;
}

export interface StorageListing {
  repositories: RepositoryState[];
  /** digest -> size in bytes, for every blob (layers, configs and manifests alike). */
  blobs: Map<string, number>;
  times: StorageTimes;
  uploads: UploadSession[];
  leftAlone: LeftAlone[];
}

/** How the listing keys a repository's link to a digest. */
export function linkKey(repository: string, digest: string): string {
  return `${repository}@${digest}`;
}

/** "left alone: PATH (WHY)", for people. */
export const describeLeftAlone = (l: LeftAlone): string => `left alone: ${printablePath(l.path)} (${l.why})`;

/** Parses LIST_SCRIPT's output. */
export function parseListing(text: string): StorageListing {
  const z = text.indexOf('\nZ\n');
  const lines = (z < 0 ? text : text.slice(0, z)).split('\n');
  const repos = new Map<string, { tags: Map<string, string>; manifests: string[] }>();
  const blobs = new Map<string, number>();
  const times: StorageTimes = { now: 0, blobs: new Map(), layers: new Map(), revisions: new Map(), uploads: new Map() };
  const sessions = new Map<string, UploadSession>();
  const leftAlone = new Map<string, string>();
  const refuse = (path: string, why: string): void => void (leftAlone.has(path) || leftAlone.set(path, why));
  /** The repository, if its name fits the grammar. */
  const repo = (name: string): { tags: Map<string, string>; manifests: string[] } | undefined => {
    if (!isRepositoryName(name)) return void refuse(`repositories/${name}`, 'not a repository name');
    let r = repos.get(name);
    if (!r) repos.set(name, (r = { tags: new Map(), manifests: [] }));
    return r;
  };
  const digestAt = (name: string, alg: string, hex: string, path: string): string | undefined => {
    if (!isRepositoryName(name)) return void refuse(`repositories/${name}`, 'not a repository name');
    const digest = `${alg}:${hex}`;
    return isDigest(digest) ? digest : void refuse(path, 'not a digest');
  };
  for (const line of lines) {
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^N (\d+)$/))) {
      times.now = Number(m[1]);
    } else if ((m = line.match(/^Y (.+)$/))) {
      refuse(m[1]!.replace(/^docker\/registry\/v2\/?/, '') || V2, 'a symlink');
    } else if ((m = line.match(/^R \.\/(.+)\/_manifests$/))) {
      repo(m[1]!);
    } else if ((m = line.match(/^T \.\/(.+)\/_manifests\/tags\/([^/]+)\/current\/link (.*)$/))) {
      const [, name, tag, target] = m as unknown as [string, string, string, string];
      const r = repo(name);
      if (!r) continue;
      if (!isTagName(tag)) refuse(`repositories/${name}/_manifests/tags/${tag}`, 'not a tag name');
      else if (!isDigest(target)) refuse(`repositories/${name}/_manifests/tags/${tag}/current/link`, 'its link is not a digest');
      else r.tags.set(tag, target);
    } else if ((m = line.match(/^V (\d+) \.\/(.+)\/_manifests\/revisions\/([^/]+)\/([^/]+)\/link$/))) {
      const digest = digestAt(m[2]!, m[3]!, m[4]!, `repositories/${m[2]}/_manifests/revisions/${m[3]}/${m[4]}`);
      if (digest === undefined) continue;
      repo(m[2]!)!.manifests.push(digest);
      times.revisions.set(linkKey(m[2]!, digest), Number(m[1]));
    } else if ((m = line.match(/^L (\d+) \.\/(.+)\/_layers\/([^/]+)\/([^/]+)\/link$/))) {
      const digest = digestAt(m[2]!, m[3]!, m[4]!, `repositories/${m[2]}/_layers/${m[3]}/${m[4]}`);
      if (digest === undefined) continue;
      // A repository holding layer links is one, as distribution's catalog says (it lists the
      // folders with _layers): on S3, where no empty _manifests folder stays once its last
      // manifest went, this is what still names the repository.
      repo(m[2]!);
      times.layers.set(linkKey(m[2]!, digest), Number(m[1]));
    } else if ((m = line.match(/^U (\d+) (\d+) \.\/(.+)\/_uploads\/([^/]+)\/.+$/))) {
      const [, size, mtime, name, id] = m as unknown as [string, string, string, string, string];
      if (!isRepositoryName(name)) refuse(`repositories/${name}`, 'not a repository name');
      else if (!isUploadId(id)) refuse(`repositories/${name}/_uploads/${id}`, 'not an upload id');
      else {
        const key = linkKey(name, id);
        const s = sessions.get(key) ?? { repository: name, id, bytes: 0, mtime: 0 };
        sessions.set(key, { ...s, bytes: s.bytes + Number(size), mtime: Math.max(s.mtime, Number(mtime)) });
        times.uploads.set(name, Math.max(Number(mtime), times.uploads.get(name) ?? 0));
      }
    } else if ((m = line.match(/^B (\d+) (\d+) blobs\/([^/]+)\/([^/]+)\/([^/]+)\/data$/))) {
      const digest = `${m[3]}:${m[5]}`;
      if (!isDigest(digest) || m[4] !== m[5]!.slice(0, 2)) refuse(`blobs/${m[3]}/${m[4]}/${m[5]}`, 'not a digest');
      else {
        blobs.set(digest, Number(m[1]));
        times.blobs.set(digest, Number(m[2]));
      }
    }
  }
  if (z >= 0) {
    const records = text.slice(z + 3).split('\0');
    const gap = records.indexOf('');
    records.slice(0, gap).forEach((p) => refuse(p, 'a symlink'));
    records
      .slice(gap + 1)
      .filter(Boolean)
      .forEach((p) => refuse(p, whyLeftAlone(p)));
  }
  const repositories = [...repos.entries()]
    .map(([name, r]) => ({ name, tags: r.tags, manifests: r.manifests.sort() }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const uploads = [...sessions.values()].sort((a, b) => a.repository.localeCompare(b.repository) || a.id.localeCompare(b.id));
  const alone = [...leftAlone].map(([path, why]) => ({ path, why })).sort((a, b) => a.path.localeCompare(b.path));
  return { repositories, blobs, times, uploads, leftAlone: alone };
}

export async function listStorage(exec: Exec, root: string): Promise<StorageListing> {
  const out = await run(exec, ['sh', '-c', LIST_SCRIPT, 'sh', root], 'listing the registry storage');
  return parseListing(out.toString('utf8'));
}

/**
 * Reads manifests' bytes with `cat` (sizes are known from the listing, so the output is
 * split by length) and checks each against its digest.
 */
export async function readManifests(
  exec: Exec,
  root: string,
  digests: Iterable<string>,
  blobs: ReadonlyMap<string, number>,
): Promise<Map<string, ManifestContent>> {
  const contents = new Map<string, ManifestContent>();
  const present: string[] = [];
  for (const d of new Set(digests)) {
    if (blobs.has(d) && isDigest(d)) present.push(d);
    else contents.set(d, { kind: 'missing' });
  }
  for (let i = 0; i < present.length; i += BATCH) {
    const batch = present.slice(i, i + BATCH);
    const out = await run(
      exec,
      ['sh', '-c', 'cd "$1" && shift && cat -- "$@"', 'sh', v2(root), ...batch.map(blobPath)],
      'reading manifests',
    );
    let offset = 0;
    for (const d of batch) {
      const size = blobs.get(d)!;
      const bytes = out.subarray(offset, offset + size);
      offset += size;
      contents.set(d, digestMatches(d, bytes) ? readManifest(bytes) : { kind: 'invalid', reason: 'content does not match its digest' });
    }
    if (offset !== out.length) throw new ResourceError('reading manifests: the registry storage changed while it was read');
  }
  return contents;
}

/**
 * What each manifest the listing names (every revision and every tag) holds, by digest:
 * read once with readManifests; `missing` for a digest the storage does not hold.
 */
export async function readListedManifests(exec: Exec, root: string, listing: StorageListing): Promise<(digest: string) => ManifestContent> {
  const contents = await readManifests(
    exec,
    root,
    listing.repositories.flatMap((r) => [...r.manifests, ...r.tags.values()]),
    listing.blobs,
  );
  return (digest) => contents.get(digest) ?? { kind: 'missing' };
}

function digestMatches(digest: string, bytes: Uint8Array): boolean {
  const [alg, hex] = digest.split(':');
  // node:crypto on demand: lsi imports this module (push dates) and hashes nothing of it.
  return process.getBuiltinModule('node:crypto').createHash(alg!).update(bytes).digest('hex') === hex;
}
