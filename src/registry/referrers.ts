// What refers to an image (signatures, SBOMs, attestations), as a tree: each referrer's
// own referrers under it. Found through the OCI referrers API (GET /v2/<name>/referrers/
// <digest>), else its tag schema fallback (the tag sha256-<hex> holds an index of the
// referrers), plus cosign's own tags (sha256-<hex>.sig, .att, .sbom).
import { NotFoundError } from '../errors.ts';
import { MANIFEST_LIMIT, pullScope } from './client.ts';
import type { RegistryApi } from './api.ts';
import { ManifestError } from './errors.ts';
import { fetchManifest, parseManifest, type Descriptor, type ParsedManifest } from './manifest.ts';
import type { ReferrerKind, ReferrerNode } from './referrer-types.ts';

export type { ReferrerKind, ReferrerNode } from './referrer-types.ts';

/** How deep the tree goes (a signature of an SBOM's attestation is three). */
const MAX_DEPTH = 4;

/** What an artifact type says a referrer is. */
export function referrerKind(artifactType: string | undefined): ReferrerKind {
  const t = (artifactType ?? '').toLowerCase();
  if (/\bsig\b|signature|sigstore/.test(t)) return 'signature';
  if (/spdx|cyclonedx|sbom|syft/.test(t)) return 'sbom';
  if (/in-toto|intoto|attestation|provenance|slsa|vex/.test(t)) return 'attestation';
  return 'artifact';
}

const COSIGN_KINDS: Record<string, ReferrerKind> = { sig: 'signature', att: 'attestation', sbom: 'sbom' };

/** The fallback tag for a digest: sha256:<hex> -> sha256-<hex>. */
export function fallbackTag(digest: string): string {
  return digest.replace(':', '-');
}

function artifactTypeOf(parsed: ParsedManifest): string | undefined {
  if (parsed.artifactType !== undefined) return parsed.artifactType;
  return parsed.kind === 'image' ? parsed.config.mediaType : undefined;
}

function node(d: Descriptor, via: ReferrerNode['via'], kind?: ReferrerKind, tag?: string): ReferrerNode {
  const n: ReferrerNode = {
    digest: d.digest,
    mediaType: d.mediaType,
    kind: kind ?? referrerKind(d.artifactType),
    size: d.size,
    via,
    children: [],
  };
  if (d.artifactType !== undefined) n.artifactType = d.artifactType;
  if (d.annotations !== undefined) n.annotations = d.annotations;
  if (tag !== undefined) n.tag = tag;
  return n;
}

/** The referrers API's answer: the index's descriptors; undefined when the registry has no such API. */
export async function referrersFromApi(
  client: RegistryApi,
  repository: string,
  digest: string,
  signal?: AbortSignal,
): Promise<Descriptor[] | undefined> {
  const response = await client.request({
    path: `/v2/${repository}/referrers/${digest}`,
    scopes: [pullScope(repository)],
    headers: { accept: 'application/vnd.oci.image.index.v1+json' },
    // A registry with the API never answers 404 (the spec): 404 and the others mean it has none.
    accept: [400, 404, 405, 501],
    limit: MANIFEST_LIMIT,
    signal,
  });
  if (response.status !== 200) return undefined;
  try {
    const parsed = parseManifest(response.body, 'application/vnd.oci.image.index.v1+json');
    return parsed.kind === 'index' ? parsed.manifests : undefined;
  } catch (err) {
    if (err instanceof ManifestError) return undefined;
    throw err;
  }
}

async function fromTags(
  client: RegistryApi,
  repository: string,
  digest: string,
  tags: readonly string[],
  signal?: AbortSignal,
): Promise<ReferrerNode[]> {
  const base = fallbackTag(digest);
  const found: ReferrerNode[] = [];
  await Promise.all(
    tags
      .filter((t) => t === base || t.startsWith(`${base}.`))
      .map(async (tag) => {
        let m;
        try {
          m = await fetchManifest(client, repository, tag, signal);
        } catch (err) {
          if (err instanceof NotFoundError || err instanceof ManifestError) return;
          throw err;
        }
        if (tag === base && m.parsed.kind === 'index') {
          found.push(...m.parsed.manifests.map((d) => node(d, 'tag', undefined, tag)));
          return;
        }
        const suffix = tag.slice(base.length + 1);
        const artifactType = artifactTypeOf(m.parsed);
        const d: Descriptor = {
          mediaType: m.mediaType,
          digest: m.digest,
          size: m.bytes.length,
          ...(artifactType !== undefined ? { artifactType } : {}),
        };
        found.push(node(d, 'tag', COSIGN_KINDS[suffix] ?? referrerKind(artifactType), tag));
      }),
  );
  return found;
}

/** The referrers API's answer about a digest (undefined: no API); referrersFromApi unless a caller asked already. */
export type ReferrersApi = (digest: string) => Promise<Descriptor[] | undefined>;

/**
 * The referrers of `digest` in `repository`, each with its own referrers under it. `tags`
 * is the repository's tag list (for the fallback and cosign tags).
 */
export function referrerTree(
  client: RegistryApi,
  repository: string,
  digest: string,
  tags: readonly string[],
  signal?: AbortSignal,
  api: ReferrersApi = (d) => referrersFromApi(client, repository, d, signal),
): Promise<ReferrerNode[]> {
  return tree(client, repository, digest, tags, signal, api, 0, new Set([digest]));
}

async function tree(
  client: RegistryApi,
  repository: string,
  digest: string,
  tags: readonly string[],
  signal: AbortSignal | undefined,
  api: ReferrersApi,
  depth: number,
  seen: Set<string>,
): Promise<ReferrerNode[]> {
  if (depth >= MAX_DEPTH) return [];
  const [fromApi, tagged] = await Promise.all([api(digest), fromTags(client, repository, digest, tags, signal)]);
  const nodes = new Map<string, ReferrerNode>();
  for (const d of fromApi ?? []) nodes.set(d.digest, node(d, 'api'));
  for (const n of tagged) if (!nodes.has(n.digest)) nodes.set(n.digest, n);
  const list = [...nodes.values()].filter((n) => !seen.has(n.digest));
  for (const n of list) seen.add(n.digest);
  await Promise.all(
    list.map(async (n) => {
      n.children = await tree(client, repository, n.digest, tags, signal, api, depth + 1, seen);
    }),
  );
  return list.sort((a, b) => a.kind.localeCompare(b.kind) || a.digest.localeCompare(b.digest));
}
