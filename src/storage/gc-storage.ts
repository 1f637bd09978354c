// Reading and pruning a registry's filesystem storage from inside a container, with the
// shell and tools every registry image has (busybox: sh, find, ls, cat, rm, rmdir).
// The registry API cannot list untagged manifests, so the snapshot comes from storage:
//   <root>/docker/registry/v2/repositories/<repo>/_manifests/tags/<tag>/current/link
//   <root>/docker/registry/v2/repositories/<repo>/_manifests/revisions/<alg>/<hex>/link
//   <root>/docker/registry/v2/blobs/<alg>/<hex[0:2]>/<hex>/data
import { readManifest, type ManifestContent, type RepositoryPlan, type RepositoryState } from './gc-plan.ts';
import { ResourceError } from '../errors.ts';

export interface ExecResult {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs a command in the container that sees the registry's storage. */
export type Exec = (cmd: readonly string[]) => Promise<ExecResult>;

export const DEFAULT_STORAGE_ROOT = '/var/lib/registry';

/** The filesystem root the registry uses: its env override, else the image default. */
export function storageRoot(env: readonly string[]): string {
  const prefix = 'REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY=';
  const value = env.findLast((e) => e.startsWith(prefix))?.slice(prefix.length);
  return value ? value.replace(/\/+$/, '') || '/' : DEFAULT_STORAGE_ROOT;
}

const OTHER_DRIVERS = ['s3', 'gcs', 'azure', 'swift', 'oss', 'inmemory'];

/**
 * The storage driver and filesystem root from the registry's config file and env (env
 * wins, as in the registry). A plain reading of the YAML: the keys gc needs are simple.
 */
export function storageOf(configYaml: string, env: readonly string[]): { driver: string; root: string } {
  const envValue = (key: string) => env.find((e) => e.startsWith(key + '='))?.slice(key.length + 1);
  const storageSection = /^storage:\s*\n((?:[ \t]+.*\n?|\s*\n)*)/m.exec(configYaml)?.[1] ?? '';
  const driverKeys = [...storageSection.matchAll(/^[ \t]+([a-z0-9]+):/gm)].map((m) => m[1]!);
  const driver = envValue('REGISTRY_STORAGE') || (driverKeys.includes('filesystem') ? 'filesystem' : driverKeys.find((k) => OTHER_DRIVERS.includes(k)) ?? 'filesystem');
  const configured = /^[ \t]+rootdirectory:[ \t]*["']?([^"'\s#]+)/m.exec(storageSection)?.[1];
  const root = storageRoot(configured ? [`REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY=${configured}`, ...env] : env);
  return { driver, root };
}

/** Where the registry keeps its data: it must be the filesystem driver for gc. */
export async function readStorageRoot(exec: Exec, configPath: string, env: readonly string[], container: string): Promise<string> {
  const result = await exec(['cat', configPath]);
  const { driver, root } = storageOf(result.exitCode === 0 ? result.stdout.toString('utf8') : '', env);
  if (driver !== 'filesystem') {
    throw new ResourceError(`gc works with the registry's filesystem storage only; ${container} uses the ${driver} driver`);
  }
  return root;
}

/** Where distribution keeps its files under the storage root. */
export const v2 = (root: string): string => `${root === '/' ? '' : root}/docker/registry/v2`;

// `read` is a shell builtin: no process per tag, even with thousands; `stat` runs in
// batches (find -exec +). Link files have no final newline, so read's status is ignored.
// Times (mtime, seconds) and "now" both come from the container's clock, for the grace
// period (gc-grace.ts): blob data, layer and revision links, and every file of an upload.
const LIST_SCRIPT = `
echo "N $(date +%s)"
cd "$1" 2>/dev/null || exit 0
if [ -d repositories ]; then
  cd repositories
  find . -type d -name _manifests | while IFS= read -r f; do echo "R $f"; done
  find . -type f -path '*/_manifests/tags/*/current/link' | while IFS= read -r f; do c=; IFS= read -r c < "$f"; echo "T $f $c"; done
  find . -type f -path '*/_manifests/revisions/*/*/link' -exec stat -c 'V %Y %n' {} +
  find . -type f -path '*/_layers/*/*/link' -exec stat -c 'L %Y %n' {} +
  find . -type f -path '*/_uploads/*' -exec stat -c 'U %Y %n' {} +
  cd ..
fi
if [ -d blobs ]; then find blobs -type f -name data -exec stat -c 'B %s %Y %n' {} +; fi
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

export interface StorageListing {
  repositories: RepositoryState[];
  /** digest -> size in bytes, for every blob (layers, configs and manifests alike). */
  blobs: Map<string, number>;
  times: StorageTimes;
}

/** How the listing keys a repository's link to a digest. */
export function linkKey(repository: string, digest: string): string {
  return `${repository}@${digest}`;
}

/** Parses LIST_SCRIPT's output. */
export function parseListing(text: string): StorageListing {
  const repos = new Map<string, { tags: Map<string, string>; manifests: string[] }>();
  const repo = (name: string) => {
    let r = repos.get(name);
    if (!r) repos.set(name, (r = { tags: new Map(), manifests: [] }));
    return r;
  };
  const blobs = new Map<string, number>();
  const times: StorageTimes = { now: 0, blobs: new Map(), layers: new Map(), revisions: new Map(), uploads: new Map() };
  const newest = (map: Map<string, number>, key: string, mtime: number) => map.set(key, Math.max(mtime, map.get(key) ?? mtime));
  for (const line of text.split('\n')) {
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^N (\d+)$/))) {
      times.now = Number(m[1]);
    } else if ((m = line.match(/^R \.\/(.+)\/_manifests$/))) {
      repo(m[1]!);
    } else if ((m = line.match(/^T \.\/(.+)\/_manifests\/tags\/([^/]+)\/current\/link (\S+)$/))) {
      repo(m[1]!).tags.set(m[2]!, m[3]!);
    } else if ((m = line.match(/^V (\d+) \.\/(.+)\/_manifests\/revisions\/([^/]+)\/([^/]+)\/link$/))) {
      const digest = `${m[3]}:${m[4]}`;
      repo(m[2]!).manifests.push(digest);
      times.revisions.set(linkKey(m[2]!, digest), Number(m[1]));
    } else if ((m = line.match(/^L (\d+) \.\/(.+)\/_layers\/([^/]+)\/([^/]+)\/link$/))) {
      times.layers.set(linkKey(m[2]!, `${m[3]}:${m[4]}`), Number(m[1]));
    } else if ((m = line.match(/^U (\d+) \.\/(.+?)\/_uploads\//))) {
      newest(times.uploads, m[2]!, Number(m[1]));
    } else if ((m = line.match(/^B (\d+) (\d+) blobs\/([^/]+)\/[^/]+\/([^/]+)\/data$/))) {
      blobs.set(`${m[3]}:${m[4]}`, Number(m[1]));
      times.blobs.set(`${m[3]}:${m[4]}`, Number(m[2]));
    }
  }
  const repositories = [...repos.entries()]
    .map(([name, r]) => ({ name, tags: r.tags, manifests: r.manifests.sort() }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { repositories, blobs, times };
}

/** Where a blob's bytes are, relative to docker/registry/v2. */
export function blobPath(digest: string): string {
  const [alg, hex] = digest.split(':') as [string, string];
  return `blobs/${alg}/${hex.slice(0, 2)}/${hex}/data`;
}

export async function run(exec: Exec, cmd: readonly string[], what: string): Promise<Buffer> {
  const result = await exec(cmd);
  if (result.exitCode !== 0) {
    throw new ResourceError(`${what} failed in the registry container (exit ${result.exitCode}): ${lastLine(result.stderr)}`);
  }
  return result.stdout;
}

export function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}

export async function listStorage(exec: Exec, root: string): Promise<StorageListing> {
  const out = await run(exec, ['sh', '-c', LIST_SCRIPT, 'sh', v2(root)], 'listing the registry storage');
  return parseListing(out.toString('utf8'));
}

/** Arguments per exec, well under any ARG_MAX. */
export const BATCH = 1000;

/**
 * Reads manifests' bytes with `cat` (sizes are known from the listing, so the output is
 * split by length) and checks each against its digest.
 */
export async function readManifests(exec: Exec, root: string, digests: Iterable<string>, blobs: ReadonlyMap<string, number>): Promise<Map<string, ManifestContent>> {
  const contents = new Map<string, ManifestContent>();
  const present: string[] = [];
  for (const d of new Set(digests)) {
    if (blobs.has(d)) present.push(d);
    else contents.set(d, { kind: 'missing' });
  }
  for (let i = 0; i < present.length; i += BATCH) {
    const batch = present.slice(i, i + BATCH);
    const out = await run(exec, ['sh', '-c', 'cd "$1" && shift && cat -- "$@"', 'sh', v2(root), ...batch.map(blobPath)], 'reading manifests');
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

function digestMatches(digest: string, bytes: Uint8Array): boolean {
  const [alg, hex] = digest.split(':');
  if (alg !== 'sha256' && alg !== 'sha512') return true; // nothing to check it with
  // node:crypto on demand: lsi imports this module (push dates) and hashes nothing of it.
  return process.getBuiltinModule('node:crypto').createHash(alg).update(bytes).digest('hex') === hex;
}

// Globs are expanded on purpose (a tag's history entry for a removed manifest); the names
// in them are checked first (checkRepositoryName), so they hold no spaces, globs or `..`.
// A repository's own entries go, then its directories while empty: `team` may hold the
// repository `team/app` too. No repositories directory: nothing to remove.
const REMOVE_SCRIPT = `
[ -d "$1/repositories" ] || exit 0
cd "$1/repositories" && shift || exit 1
for p in "$@"; do
  case "$p" in
    repo:*)
      d=\${p#repo:}
      [ -d "$d" ] || continue
      rm -rf -- "$d/_manifests" "$d/_layers" "$d/_uploads" || exit 1
      while rmdir -- "$d" 2>/dev/null; do case "$d" in */*) d=\${d%/*} ;; *) break ;; esac; done ;;
    *) rm -rf -- $p || exit 1 ;;
  esac
done
`;

/** The distribution's repository name grammar: lower-case path components, no `.` or `..` alone. */
const REPOSITORY_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** A name that becomes a path in a removal: anything else could reach outside the repository. */
function checkRepositoryName(name: string): void {
  if (!REPOSITORY_NAME.test(name)) throw new ResourceError(`refusing to remove the storage of ${JSON.stringify(name)}: not a repository name`);
}

/** A digest that becomes a path: algorithm and lower-case hex only (no globs, no `/`). */
export function checkDigest(digest: string): void {
  if (!/^[a-z0-9]+:[a-f0-9]+$/.test(digest)) throw new ResourceError(`refusing to remove ${JSON.stringify(digest)}: not a digest`);
}

async function removeTargets(exec: Exec, root: string, targets: readonly string[], what: string): Promise<void> {
  for (let i = 0; i < targets.length; i += BATCH) {
    await run(exec, ['sh', '-c', REMOVE_SCRIPT, 'sh', v2(root), ...targets.slice(i, i + BATCH)], what);
  }
}

/**
 * Removes the repositories' storage (manifests, layer links, uploads), leaving the blobs for
 * the registry's blob collection and nested repositories where they are. Every name is
 * checked before anything is removed.
 */
export async function removeRepositories(exec: Exec, root: string, names: readonly string[]): Promise<void> {
  names.forEach(checkRepositoryName);
  await removeTargets(exec, root, names.map((n) => `repo:${n}`), 'removing repository storage');
}

/** A tag name as distribution allows it: never a path separator, never `..` alone. */
const TAG_NAME = /^[\w][\w.-]{0,127}$/;

/**
 * Removes tags (their `_manifests/tags/<tag>` directories: what a DELETE by tag does in
 * registry 3.x) and manifests' revision links with their tags' history entries.
 */
export async function removeManifestLinks(exec: Exec, root: string, repository: string, tags: readonly string[], digests: readonly string[]): Promise<void> {
  checkRepositoryName(repository);
  for (const t of tags) if (!TAG_NAME.test(t)) throw new ResourceError(`refusing to remove the tag ${JSON.stringify(t)}: not a tag name`);
  const targets = tags.map((t) => `${repository}/_manifests/tags/${t}`);
  for (const digest of digests) {
    const [alg, hex] = digest.split(':');
    if (!/^[a-z0-9]+$/.test(alg ?? '') || !/^[a-f0-9]+$/.test(hex ?? '')) throw new ResourceError(`refusing to remove ${JSON.stringify(digest)}: not a digest`);
    targets.push(`${repository}/_manifests/revisions/${alg}/${hex}`, `${repository}/_manifests/tags/*/index/${alg}/${hex}`);
  }
  await removeTargets(exec, root, targets, 'removing manifests');
}

/**
 * Removes the plan's manifests as the registry's own vacuum does (the revision link and
 * the tags' history entries), and the storage of repositories left with no tags. The
 * blobs stay for the registry's blob collection to sweep.
 */
export async function removeFromStorage(exec: Exec, root: string, plans: readonly RepositoryPlan[]): Promise<void> {
  plans.forEach((plan) => checkRepositoryName(plan.name));
  const targets: string[] = [];
  for (const plan of plans) {
    if (plan.removeRepository) {
      targets.push(`repo:${plan.name}`);
      continue;
    }
    for (const digest of plan.remove) {
      const [alg, hex] = digest.split(':');
      targets.push(`${plan.name}/_manifests/revisions/${alg}/${hex}`, `${plan.name}/_manifests/tags/*/index/${alg}/${hex}`);
    }
  }
  await removeTargets(exec, root, targets, 'removing manifests');
}

/** Removes repositories' links to blobs (`_layers/<alg>/<hex>`), as registry 3.x's collection does for the blobs it deletes. */
export async function removeLayerLinks(exec: Exec, root: string, links: readonly { repository: string; digest: string }[]): Promise<void> {
  links.forEach((l) => checkRepositoryName(l.repository));
  links.forEach((l) => checkDigest(l.digest));
  const targets = links.map((l) => `${l.repository}/_layers/${l.digest.replace(':', '/')}`);
  await removeTargets(exec, root, targets, 'removing layer links');
}
