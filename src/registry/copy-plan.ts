// What `cp IMAGE REGISTRY [TAG...]` / `cp IMAGE --to REF [TAG...]` means: the source
// repository, the destination repository, and which source tag goes to which
// destination tag. Pure, checked before any request.
import { UsageError } from '../errors.ts';
import type { CopyItem } from './copy.ts';
import { looksLikeHost, type RegistryHost } from './host.ts';
import { formatRepository, isTag, parseReference, quote, type RepositoryName } from './reference.ts';

export interface CopyPlan {
  from: RepositoryName;
  to: RepositoryName;
  items: CopyItem[];
}

export interface CopyTarget {
  /** REGISTRY: host[:port], optionally with a namespace (ghcr.io/acme). */
  registry?: string;
  /** --to: a full destination reference, repository or repository:tag. */
  to?: string;
}

/** `ghcr.io/acme` + `app` -> ghcr.io/acme/app */
export function destinationRepository(registry: string, repository: string): RepositoryName {
  const trimmed = registry.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  const host = trimmed.split('/', 1)[0]!;
  if (!looksLikeHost(host)) {
    throw new UsageError(
      `${quote(registry)} is not a registry: give HOST[:PORT][/NAMESPACE] (e.g. ghcr.io/acme, docker.io/USER), or --to REF`,
    );
  }
  if (trimmed.includes('@') || /:[^/]*$/.test(trimmed.slice(host.length))) {
    throw new UsageError(`${quote(registry)} is not a registry: leave out :tag / @digest, or use --to REF`);
  }
  const ref = parseReference(`${trimmed}/${repository}`);
  return { registry: ref.registry, repository: ref.repository };
}

export function planCopy(image: string, sourceRegistry: RegistryHost | string, target: CopyTarget, extraTags: readonly string[]): CopyPlan {
  const source = parseReference(image, sourceRegistry);
  for (const tag of extraTags) {
    if (!isTag(tag)) throw new UsageError(`invalid tag ${quote(tag)} (letters, digits, _ . -, at most 128, not starting with . or -)`);
  }
  const from: RepositoryName = { registry: source.registry, repository: source.repository };
  const main: CopyItem = source.digest
    ? { source: source.digest, tag: source.tag }
    : { source: source.tag ?? 'latest', tag: source.tag ?? 'latest' };

  let to: RepositoryName;
  if (target.to !== undefined && target.registry !== undefined) {
    throw new UsageError('give the destination once: REGISTRY or --to REF');
  } else if (target.to !== undefined) {
    const ref = parseReference(target.to, sourceRegistry);
    if (ref.digest) throw new UsageError(`--to ${target.to}: a destination is a repository or repository:tag, not a digest`);
    to = { registry: ref.registry, repository: ref.repository };
    if (ref.tag !== undefined) {
      if (extraTags.length > 0)
        throw new UsageError(
          `--to ${target.to} names one tag: copy the other tags with --to ${formatRepository(to)} (they keep their names)`,
        );
      main.tag = ref.tag;
    }
  } else if (target.registry !== undefined) {
    to = destinationRepository(target.registry, source.repository);
  } else {
    throw new UsageError('name a destination: REGISTRY (e.g. ghcr.io/acme) or --to REF');
  }

  const items: CopyItem[] = [main];
  for (const tag of extraTags) {
    if (!items.some((i) => i.source === tag && i.tag === tag)) items.push({ source: tag, tag });
  }
  if (from.registry === to.registry && from.repository === to.repository && items.every((i) => i.tag === undefined || i.tag === i.source)) {
    throw new UsageError(`source and destination are the same (${formatRepository(to)}): nothing to copy`);
  }
  return { from, to, items };
}
