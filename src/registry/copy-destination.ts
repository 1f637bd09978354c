// The manifest requests a copy makes of its destination: a HEAD (what a tag or digest names
// there) and a PUT (a manifest's own bytes under a tag or digest), each run again from its
// start when the registry restarts under it (restart-retry.ts). And `early`, for a request
// asked before its answer is needed (a warm copy asks its questions at once, not in turn).
import { DigestMismatchError, type Repo } from './blobs.ts';
import { header, pushScope } from './client.ts';
import { MANIFEST_ACCEPT, type Manifest } from './manifest.ts';
import { acrossRestarts } from './restart-retry.ts';

/** What a HEAD of a manifest found: nothing, or a manifest and the digest the registry named (none: it named none). */
export interface HeadAnswer {
  found: boolean;
  digest?: string;
}

/**
 * work, asked now and awaited later: its failure is met where it is awaited (as if asked
 * there), never as an unhandled rejection meanwhile, nor at all when nobody awaits it.
 */
export function early<T>(work: Promise<T>): Promise<T> {
  work.catch(() => undefined);
  return work;
}

/** A HEAD of reference (tag or digest), asked with scope (push by default: a copy writes next). */
export async function headManifest(
  to: Repo,
  reference: string,
  signal?: AbortSignal,
  scope = pushScope(to.repository),
): Promise<HeadAnswer> {
  const response = await acrossRestarts(
    to.client,
    () =>
      to.client.request({
        method: 'HEAD',
        path: `/v2/${to.repository}/manifests/${reference}`,
        scopes: [scope],
        headers: { accept: MANIFEST_ACCEPT },
        accept: [404],
        signal,
      }),
    { signal },
  );
  if (response.status !== 200) return { found: false };
  const digest = header(response, 'docker-content-digest');
  return digest === undefined ? { found: true } : { found: true, digest };
}

/** Whether a HEAD of reference (tag or digest) found the manifest digest. */
export function resolvesTo(answer: HeadAnswer, reference: string, digest: string): boolean {
  if (!answer.found) return false;
  // Registries answer HEAD by digest with that digest; for a tag the header says where it points.
  return answer.digest === digest || (reference === digest && answer.digest === undefined);
}

/** PUTs the manifest's own bytes with its own media type under reference (tag or digest). */
export async function putManifest(to: Repo, manifest: Manifest, reference: string, signal: AbortSignal): Promise<void> {
  const response = await acrossRestarts(
    to.client,
    () =>
      to.client.request({
        method: 'PUT',
        path: `/v2/${to.repository}/manifests/${reference}`,
        scopes: [pushScope(to.repository)],
        headers: { 'content-type': manifest.mediaType },
        body: manifest.bytes,
        signal,
      }),
    { signal },
  );
  const stored = header(response, 'docker-content-digest');
  if (stored && stored !== manifest.digest) {
    throw new DigestMismatchError(`${to.client.host} stored manifest ${manifest.digest} as ${stored}: it rewrote the manifest`);
  }
}
