// lsi's referrers that only the OCI referrers API knows: untagged manifests with a `subject`
// on a registry with the API and no fallback tag (zot, Harbor). The cost is bounded: the
// API is asked first for one listed image; a registry that answers 400/404/405/501 has no
// API and is asked no more (one request per registry listed). One that answers is asked
// once for every other listed image digest, and once for each referrer it names (their own
// referrers, a signature of an SBOM), all at once within the client's limit. Each referrer
// no tag lists is read by digest (kept by the manifest cache for the next listing) and
// becomes a row with no tag, its subject set: referrer-groups.ts puts it under its image.
import type { RegistryApi } from './api.ts';
import { NotFoundError } from '../errors.ts';
import { ManifestError } from './errors.ts';
import type { Descriptor } from './manifest.ts';
import { referrersFromApi } from './referrers.ts';
import { isReferrerTag } from './referrer-tags.ts';

/** How deep referrers of referrers go (as referrerTree). */
const MAX_DEPTH = 4;

interface Listed {
  repository: string;
  tag: string;
  digest: string;
  error?: string;
  subject?: string;
  artifactType?: string;
}

/**
 * The rows of the referrers the API names for `rows` (one registry's listing) that no
 * listed tag holds, read by the listing's reader (ImageReader) as rows with no tag.
 */
export async function apiReferrerRows<T extends Listed>(
  client: RegistryApi,
  rows: readonly T[],
  reader: { describeDigest(repository: string, digest: string): Promise<T> },
  signal?: AbortSignal,
): Promise<T[]> {
  const key = (repository: string, digest: string): string => `${repository}@${digest}`;
  const listed = new Set(rows.filter((r) => r.digest !== '').map((r) => key(r.repository, r.digest)));
  const asked = new Set<string>();
  const images: Array<{ repository: string; digest: string }> = [];
  for (const r of rows) {
    if (r.digest === '' || r.error !== undefined || r.subject !== undefined || isReferrerTag(r.tag)) continue;
    if (asked.has(key(r.repository, r.digest))) continue;
    asked.add(key(r.repository, r.digest));
    images.push({ repository: r.repository, digest: r.digest });
  }
  const [first, ...rest] = images;
  if (first === undefined) return [];
  const firstAnswer = await referrersFromApi(client, first.repository, first.digest, signal);
  if (firstAnswer === undefined) return []; // no referrers API: nothing more to ask

  const found: T[] = [];
  const visit = async (repository: string, subject: string, list: readonly Descriptor[], depth: number): Promise<void> => {
    await Promise.all(
      list.map(async (d) => {
        const k = key(repository, d.digest);
        if (asked.has(k)) return;
        asked.add(k);
        const [row, more] = await Promise.all([
          listed.has(k) ? undefined : readReferrer(repository, subject, d),
          depth + 1 < MAX_DEPTH ? referrersFromApi(client, repository, d.digest, signal) : undefined,
        ]);
        if (row !== undefined) found.push(row);
        if (more !== undefined) await visit(repository, d.digest, more, depth + 1);
      }),
    );
  };
  const readReferrer = async (repository: string, subject: string, d: Descriptor): Promise<T | undefined> => {
    let row: T;
    try {
      row = await reader.describeDigest(repository, d.digest);
    } catch (err) {
      // Deleted since the API answered, or not a manifest docker-jindr reads: left out.
      if (err instanceof NotFoundError || err instanceof ManifestError) return undefined;
      throw err;
    }
    const artifactType = row.artifactType ?? d.artifactType;
    return { ...row, subject, ...(artifactType !== undefined ? { artifactType } : {}) };
  };
  await Promise.all([
    visit(first.repository, first.digest, firstAnswer, 0),
    ...rest.map(async (image) => {
      const list = await referrersFromApi(client, image.repository, image.digest, signal);
      if (list !== undefined) await visit(image.repository, image.digest, list, 0);
    }),
  ]);
  return found.sort((a, b) => a.repository.localeCompare(b.repository) || a.digest.localeCompare(b.digest));
}

/** The listing with each repository's referrer rows after its tags (repositories in listed order). */
export function withReferrerRows<T extends Listed>(rows: readonly T[], referrers: readonly T[]): T[] {
  if (referrers.length === 0) return [...rows];
  const out: T[] = [];
  for (const [i, r] of rows.entries()) {
    out.push(r);
    if (rows[i + 1]?.repository !== r.repository) out.push(...referrers.filter((x) => x.repository === r.repository));
  }
  return out;
}
