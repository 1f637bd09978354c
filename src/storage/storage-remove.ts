// Removing from a registry's filesystem storage, inside its container. Every path is built
// by storage-layout.ts from parts checked against their grammar and reaches `rm` as its
// own argument ("$@", quoted): no word splitting, no globbing of a name, no eval. Before
// anything goes, each component of the path from the storage root down is checked: a
// symlink anywhere on it is reported ("S <path>") and the path left alone, so no removal
// leads outside the storage. `rm -r` itself never follows a symlink inside what it removes.
import type { RepositoryPlan } from './reachability.ts';
import { BATCH, run } from './storage-exec.ts';
import type { Exec } from '../server/container-exec.ts';
import type { LeftAlone, UploadSession } from './storage-listing.ts';
import { isDigest, isRepositoryName, storagePath, V2 } from './storage-layout.ts';
import { ResourceError } from '../errors.ts';

/** Shell functions: `real PATH` is true when no component of PATH is a symlink (else prints "S <component>"). */
export const REAL_PATH_SH = `
real() {
  p=; r=$1
  while :; do
    c=\${r%%/*}; p=\${p:+$p/}$c
    if [ -L "$p" ]; then echo "S $p"; return 1; fi
    [ "$r" = "$c" ] && return 0
    r=\${r#*/}
  done
}
`;

// Targets, each one argument: rm:PATH (a path of the layout), repo:PATH (a repository's
// _manifests, _layers and _uploads, then its directories while empty: `team` may hold the
// repository `team/app` too), hist:ALG/HEX:PATH (the history entry for a digest in every
// tag of the repository at PATH: the glob is the script's own, each name it yields is
// checked against the tag grammar before it is used).
const REMOVE_SCRIPT = `${REAL_PATH_SH}
tagname() {
  case "$1" in ''|[.-]*|*[!A-Za-z0-9_.-]*) return 1 ;; esac
  [ \${#1} -le 128 ]
}
cd "$1" 2>/dev/null || exit 0
shift
for a in "$@"; do
  case "$a" in
    rm:*)
      p=\${a#rm:}
      real "$p" || continue
      rm -rf -- "$p" || exit 1 ;;
    repo:*)
      d=\${a#repo:}
      real "$d" && [ -d "$d" ] || continue
      for s in _manifests _layers _uploads; do
        real "$d/$s" || continue
        rm -rf -- "$d/$s" || exit 1
      done
      while rmdir -- "$d" 2>/dev/null; do case "$d" in ${V2}/repositories/*/*) d=\${d%/*} ;; *) break ;; esac; done ;;
    hist:*)
      x=\${a#hist:}; g=\${x%%:*}; d=\${x#*:}/_manifests/tags
      real "$d" && [ -d "$d" ] || continue
      for t in "$d"/*; do
        tagname "\${t##*/}" || continue
        real "$t/index/$g" || continue
        rm -rf -- "$t/index/$g" || exit 1
      done ;;
    *) echo "not a removal target: $a" >&2; exit 2 ;;
  esac
done
`;

/** What a removal left alone: the symlinks on the way (relative to docker/registry/v2). */
export type Removal = LeftAlone[];

function leftAloneIn(output: string): LeftAlone[] {
  const paths = new Set([...output.matchAll(/^S (.+)$/gm)].map((m) => m[1]!.replace(/^docker\/registry\/v2\/?/, '') || V2));
  return [...paths].map((path) => ({ path, why: 'a symlink' }));
}

/**
 * Runs the removal script on the targets (the builders below make them), in their order, one
 * exec per BATCH of them: a caller with several kinds of removal at one moment (gc's
 * manifests and uploads, its blobs and their layer links) hands them over together.
 */
export async function removeTargets(exec: Exec, root: string, targets: readonly string[], what: string): Promise<Removal> {
  const out: LeftAlone[] = [];
  for (let i = 0; i < targets.length; i += BATCH) {
    const stdout = await run(exec, ['sh', '-c', REMOVE_SCRIPT, 'sh', root, ...targets.slice(i, i + BATCH)], what);
    for (const l of leftAloneIn(stdout.toString('utf8'))) if (!out.some((o) => o.path === l.path)) out.push(l);
  }
  return out;
}

/** A tag's history entries for a digest, in every tag of a repository (`_manifests/tags/<tag>/index/<alg>/<hex>`). */
const historyTarget = (repository: string, digest: string): string => {
  const revision = storagePath.revision(repository, digest);
  return `hist:${revision.slice(revision.lastIndexOf('/revisions/') + '/revisions/'.length)}:${storagePath.repository(repository)}`;
};

const manifestTargets = (repository: string, digest: string): string[] => [
  `rm:${storagePath.revision(repository, digest)}`,
  historyTarget(repository, digest),
];

/**
 * Removes the repositories' storage (manifests, layer links, uploads), leaving the blobs for
 * the registry's blob collection and nested repositories where they are. Every name is
 * checked before anything is removed.
 */
export async function removeRepositories(exec: Exec, root: string, names: readonly string[]): Promise<Removal> {
  const targets = names.map((n) => `repo:${storagePath.repository(n)}`);
  return removeTargets(exec, root, targets, 'removing repository storage');
}

/**
 * Removes tags (their `_manifests/tags/<tag>` directories: what a DELETE by tag does in
 * registry 3.x) and manifests' revision links with their tags' history entries.
 */
export async function removeManifestLinks(
  exec: Exec,
  root: string,
  repository: string,
  tags: readonly string[],
  digests: readonly string[],
): Promise<Removal> {
  const targets = [...tags.map((t) => `rm:${storagePath.tag(repository, t)}`), ...digests.flatMap((d) => manifestTargets(repository, d))];
  return removeTargets(exec, root, targets, 'removing manifests');
}

/**
 * The plan's manifests, removed as the registry's own vacuum does (the revision link and the
 * tags' history entries), and the storage of repositories left with no tags. The blobs stay
 * for the registry's blob collection to sweep.
 */
export function planTargets(plans: readonly RepositoryPlan[]): string[] {
  for (const plan of plans)
    if (!isRepositoryName(plan.name))
      throw new ResourceError(`refusing to remove the storage of ${JSON.stringify(plan.name)}: not a repository name`);
  return plans.flatMap((plan) =>
    plan.removeRepository ? [`repo:${storagePath.repository(plan.name)}`] : plan.remove.flatMap((d) => manifestTargets(plan.name, d)),
  );
}

/** Repositories' links to blobs (`_layers/<alg>/<hex>`), as registry 3.x's collection removes them for the blobs it deletes. */
export function layerLinkTargets(links: readonly { repository: string; digest: string }[]): string[] {
  return links.map((l) => `rm:${storagePath.layerLink(l.repository, l.digest)}`);
}

/** Blobs (`blobs/<alg>/<hex[0:2]>/<hex>`). */
export function blobTargets(digests: readonly string[]): string[] {
  for (const d of digests) if (!isDigest(d)) throw new ResourceError(`refusing to remove ${JSON.stringify(d)}: not a digest`);
  return digests.map((d) => `rm:${storagePath.blob(d)}`);
}

/** Upload sessions (`_uploads/<uuid>`). */
export function uploadTargets(sessions: readonly Pick<UploadSession, 'repository' | 'id'>[]): string[] {
  return sessions.map((s) => `rm:${storagePath.upload(s.repository, s.id)}`);
}
