// cp carries an image's signatures, attestations and SBOMs: after the image's tags are
// written, its referrers (referrers.ts: the referrers API, the fallback tag sha256-<hex>,
// cosign's sha256-<hex>.sig/.att/.sbom; each one's own referrers) are copied byte for byte,
// by digest, cosign's under their tags. The fallback tag goes as the source has it when the
// destination has none; when the destination has one, the referrers it lacks are added to it
// (the OCI spec's tag schema: clients maintain that index). Referrers the source's API gave
// are listed in the destination's fallback tag when the destination has no referrers API.
import type { Repo } from './blobs.ts';
import { listTags } from './catalog.ts';
import { ManifestError } from './errors.ts';
import { NotFoundError } from '../errors.ts';
import { digestOf, fetchManifest, parseManifest, type Descriptor, type Manifest } from './manifest.ts';
import { fallbackTag, referrersFromApi, referrerTree, type ReferrerKind, type ReferrerNode } from './referrers.ts';
import { referrerTagOf } from './referrer-tags.ts';
import { early } from './copy-destination.ts';

/** What copy.ts lends: source manifests read once, and a manifest put (with all it points at) unless there. */
export interface ManifestPlacer {
  source(digest: string): Promise<Manifest>;
  place(manifest: Manifest, reference: string): Promise<void>;
}

export interface CarriedReferrer {
  digest: string;
  kind: ReferrerKind;
  /** The digest it is about. */
  subject: string;
  /** The tag it was written under at the destination (cosign's), if any. */
  tag?: string;
}

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/**
 * What carrying referrers asks the source, each once, asked as early as copy.ts knows it is
 * needed (the tag list and an image's referrers API as soon as the image's digest is known,
 * while the destination is still asked about the image) and answered where it is awaited.
 */
export class ReferrerLookups {
  private readonly from: Repo;
  private readonly signal: AbortSignal | undefined;
  private tagList: Promise<string[]> | undefined;
  private readonly api = new Map<string, Promise<Descriptor[] | undefined>>();

  constructor(from: Repo, signal?: AbortSignal) {
    this.from = from;
    this.signal = signal;
  }

  /** Starts asking what the referrers of digest will need: the tag list, and the API about digest. */
  ask(digest: string): void {
    void this.tags();
    void this.referrers(digest);
  }

  tags(): Promise<string[]> {
    this.tagList ??= early(listTags(this.from.client, this.from.repository, this.signal));
    return this.tagList;
  }

  /** The referrers API's answer about digest (undefined: the source has no API). */
  referrers = (digest: string): Promise<Descriptor[] | undefined> => {
    let answer = this.api.get(digest);
    if (answer === undefined) {
      answer = early(referrersFromApi(this.from.client, this.from.repository, digest, this.signal));
      this.api.set(digest, answer);
    }
    return answer;
  };
}

async function maybe(work: Promise<Manifest>): Promise<Manifest | undefined> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof NotFoundError || err instanceof ManifestError) return undefined;
    throw err;
  }
}

function descriptorOf(n: ReferrerNode): Descriptor {
  return {
    mediaType: n.mediaType,
    digest: n.digest,
    size: n.size,
    ...(n.artifactType !== undefined ? { artifactType: n.artifactType } : {}),
    ...(n.annotations !== undefined ? { annotations: n.annotations } : {}),
  };
}

/** An OCI index of `manifests`, as a fallback tag holds it. */
function referrersIndex(manifests: Descriptor[]): Manifest {
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
  return { digest: digestOf(bytes), mediaType: OCI_INDEX, bytes, parsed: parseManifest(bytes, OCI_INDEX) };
}

/**
 * Copies the referrers of `roots` (and of an index root's platforms, where the source's tags
 * name them) from `from` to `to`. Returns what was carried, each subject before its referrers.
 */
export async function carryReferrers(
  placer: ManifestPlacer,
  from: Repo,
  to: Repo,
  roots: readonly Manifest[],
  lookups: ReferrerLookups,
  signal?: AbortSignal,
): Promise<CarriedReferrer[]> {
  const tags = await lookups.tags();
  const named = new Set(tags.map((t) => referrerTagOf(t)?.subject).filter((d): d is string => d !== undefined));
  const subjects = new Set<string>();
  for (const root of roots) {
    subjects.add(root.digest);
    // cosign sign --recursive signs each platform too: found by their tags (no API question each).
    if (root.parsed.kind === 'index') for (const child of root.parsed.manifests) if (named.has(child.digest)) subjects.add(child.digest);
  }
  const trees = await Promise.all(
    [...subjects].map(async (s) => ({
      subject: s,
      nodes: await referrerTree(from.client, from.repository, s, tags, signal, lookups.referrers),
    })),
  );
  const carried: CarriedReferrer[] = [];
  /** subject -> descriptors found through the source's API (to list in a fallback tag when the destination has no API). */
  const byApi = new Map<string, Descriptor[]>();
  const walk = async (subject: string, nodes: readonly ReferrerNode[]): Promise<void> => {
    for (const n of nodes) {
      const manifest = await placer.source(n.digest);
      await placer.place(manifest, manifest.digest);
      const own = n.tag !== undefined && referrerTagOf(n.tag)?.suffix !== undefined ? n.tag : undefined;
      if (own !== undefined) await placer.place(manifest, own);
      if (n.via === 'api') byApi.set(subject, [...(byApi.get(subject) ?? []), descriptorOf(n)]);
      carried.push({ digest: n.digest, kind: n.kind, subject, ...(own !== undefined ? { tag: own } : {}) });
      await walk(n.digest, n.children);
    }
  };
  for (const { subject, nodes } of trees) await walk(subject, nodes);
  if (carried.length === 0) return carried;

  // The fallback tags: of every subject and referrer the source keeps one for, and of those the API gave.
  const parents = new Set([...subjects, ...carried.map((c) => c.digest)]);
  const tagSet = new Set(tags);
  for (const parent of parents) {
    const tag = fallbackTag(parent);
    const source = tagSet.has(tag) ? await maybe(fetchManifest(from.client, from.repository, tag, signal)) : undefined;
    const fromSource = source?.parsed.kind === 'index' ? source.parsed.manifests : [];
    let fromApi = byApi.get(parent) ?? [];
    if (fromApi.length > 0 && (await referrersFromApi(to.client, to.repository, parent, signal)) !== undefined) fromApi = [];
    if (fromSource.length === 0 && fromApi.length === 0) continue;
    const there = await maybe(fetchManifest(to.client, to.repository, tag, signal));
    const present = there?.parsed.kind === 'index' ? there.parsed.manifests : [];
    const missing = [...fromSource, ...fromApi].filter(
      (d, i, all) => !present.some((p) => p.digest === d.digest) && all.findIndex((x) => x.digest === d.digest) === i,
    );
    if (missing.length === 0) continue;
    // The source's own index when the destination has none and nothing is added: the same digest.
    const index = there === undefined && source !== undefined && fromApi.length === 0 ? source : referrersIndex([...present, ...missing]);
    await placer.place(index, tag);
  }
  return carried;
}
