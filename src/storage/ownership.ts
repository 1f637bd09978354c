// Registry containers docker-jindr did not create (a plain `docker run ... registry:2`) are
// found and listed like ours, but gc and rmr do not stop, edit or restart them unless told
// to with --force: someone else runs them, perhaps with clients of their own.
import type { RegistryContainer } from '../server/container.ts';
import { RefusedError } from '../errors.ts';

/** Throws unless the container is ours (labelled) or force is given. */
export function refuseForeign(container: RegistryContainer, command: string, would: string, force: boolean): void {
  if (container.managed || force) return;
  throw new RefusedError(
    `the registry container ${container.name} was not created by docker jindr: ${command} would ${would}; run ${command} --force to do it anyway`,
  );
}
