// What `cp REPO DESTINATION --all-tags` / `--tags REGEX` means: the source repository,
// the destination repository (a registry keeps the name, --to names another), and which
// tags go. --tags is anchored as regsync anchors it: the whole tag must match. Pure,
// checked before any request.
import { UsageError } from '../errors.ts';
import { destinationRepository, type CopyTarget } from './copy-plan.ts';
import type { RegistryHost } from './host.ts';
import { formatRepository, parseReference, quote, type RepositoryName } from './reference.ts';

export interface TagsCopyPlan {
  from: RepositoryName;
  to: RepositoryName;
  /** The anchored pattern of --tags; undefined: every tag (--all-tags). */
  pattern: RegExp | undefined;
}

export interface TagSelection {
  allTags: boolean;
  /** --tags REGEX. */
  tags?: string | undefined;
  /** Tags named one by one (cp's TAG... positionals): not with --all-tags / --tags. */
  namedTags: readonly string[];
}

/** --tags REGEX as regsync reads it: ^(?:REGEX)$. */
export function tagPattern(regex: string): RegExp {
  try {
    return new RegExp(`^(?:${regex})$`);
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '') : String(err);
    throw new UsageError(`--tags ${quote(regex)} is not a regular expression (${reason}): e.g. --tags 'v1\\..*'`);
  }
}

/** Whether the command line asks for many tags (then planTagsCopy applies, not planCopy). */
export function wantsManyTags(selection: Pick<TagSelection, 'allTags' | 'tags'>): boolean {
  return selection.allTags || selection.tags !== undefined;
}

export function planTagsCopy(
  repository: string,
  sourceRegistry: RegistryHost | string,
  target: CopyTarget,
  selection: TagSelection,
): TagsCopyPlan {
  const flag = selection.allTags ? '--all-tags' : '--tags';
  if (selection.allTags && selection.tags !== undefined) throw new UsageError('give --all-tags or --tags REGEX, not both');
  if (selection.namedTags.length > 0) {
    throw new UsageError(`${flag} chooses the tags: leave out ${selection.namedTags.map((t) => quote(t)).join(' ')}, or drop ${flag}`);
  }
  const pattern = selection.tags !== undefined ? tagPattern(selection.tags) : undefined;
  const source = parseReference(repository, sourceRegistry);
  if (source.tag !== undefined || source.digest !== undefined) {
    throw new UsageError(`${flag} copies tags of a repository: name the repository without :tag / @digest (${quote(repository)})`);
  }
  const from: RepositoryName = { registry: source.registry, repository: source.repository };
  let to: RepositoryName;
  if (target.to !== undefined && target.registry !== undefined) {
    throw new UsageError('give the destination once: REGISTRY or --to REF');
  } else if (target.to !== undefined) {
    const ref = parseReference(target.to, sourceRegistry);
    if (ref.tag !== undefined || ref.digest !== undefined) {
      throw new UsageError(
        `--to ${target.to}: with ${flag} the destination is a repository (the tags keep their names): leave out :tag / @digest`,
      );
    }
    to = { registry: ref.registry, repository: ref.repository };
  } else if (target.registry !== undefined) {
    to = destinationRepository(target.registry, source.repository);
  } else {
    throw new UsageError('name a destination: REGISTRY (e.g. ghcr.io/acme) or --to HOST/REPO');
  }
  if (from.registry === to.registry && from.repository === to.repository) {
    throw new UsageError(`source and destination are the same (${formatRepository(to)}): nothing to copy`);
  }
  return { from, to, pattern };
}
