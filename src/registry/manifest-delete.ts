// The two delete requests the distribution API has. Deciding WHAT may be deleted
// (tags sharing a digest, indexes using a manifest) is the caller's job; see remove.ts.
import { NotFoundError, RegistryError } from '../errors.ts';
import { deleteScope } from './client.ts';
import type { RegistryApi } from './api.ts';
import { RegistryApiError } from './errors.ts';

function deletesDisabled(client: RegistryApi): RegistryError {
  return new RegistryError(
    `${client.host} does not allow deleting (storage.delete.enabled is off in its configuration; ` +
      `a registry started by docker jindr start has it on)`,
    { status: 405 },
  );
}

/** DELETE by digest: removes the manifest and with it every tag on that digest. */
export async function deleteManifest(client: RegistryApi, repository: string, digest: string, signal?: AbortSignal): Promise<void> {
  const response = await client.request({
    method: 'DELETE',
    path: `/v2/${repository}/manifests/${digest}`,
    scopes: [deleteScope(repository)],
    accept: [404, 405],
    signal,
  });
  if (response.status === 404) throw new NotFoundError(`no image ${client.host}/${repository}@${digest}`);
  if (response.status === 405) throw deletesDisabled(client);
}

/**
 * DELETE by tag, which only registry 3.x has: it removes just that tag. Returns false
 * when the registry does not support it (2.x answers 400 DIGEST_INVALID; others 405 or
 * UNSUPPORTED), so the caller falls back to deleting by digest. Our test rig's
 * registry:3 stand-in is distribution 2.8.2, so there the fallback is what runs.
 */
export async function deleteTag(client: RegistryApi, repository: string, tag: string, signal?: AbortSignal): Promise<boolean> {
  try {
    const response = await client.request({
      method: 'DELETE',
      path: `/v2/${repository}/manifests/${tag}`,
      scopes: [deleteScope(repository)],
      accept: [404],
      signal,
    });
    if (response.status === 404) throw new NotFoundError(`no image ${client.host}/${repository}:${tag}`);
    return true;
  } catch (err) {
    if (
      err instanceof RegistryApiError &&
      (err.status === 400 || err.status === 405 || err.codes.includes('UNSUPPORTED') || err.codes.includes('DIGEST_INVALID'))
    ) {
      return false;
    }
    throw err;
  }
}
