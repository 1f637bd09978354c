// Image names as an engine resolves them, for comparing what the user asked for with what
// a container runs: `registry:2`, `docker.io/library/registry:2` and `registry:2` given as
// `library/registry:2` are one image; so, on Podman, is `localhost/registry:2` (Podman's
// name for an image it has only locally, e.g. loaded with `podman load`).
import { formatReference, parseReference } from '../registry/reference.ts';
import type { EngineKind } from './identity.ts';

/** The fully qualified form: registry, repository (library/ for Docker Hub's), :latest when untagged. */
export function normalImageName(name: string, kind: EngineKind): string {
  const local = kind === 'podman' && /^localhost\/[^/]/.test(name) ? name.slice('localhost/'.length) : name;
  try {
    const ref = parseReference(local);
    if (ref.tag === undefined && ref.digest === undefined) ref.tag = 'latest';
    return formatReference(ref);
  } catch {
    return name; // not a name (an image ID, say): only the same text is the same
  }
}

/** Whether two names mean the same image on this engine. */
export function sameImage(a: string, b: string, kind: EngineKind): boolean {
  return a === b || normalImageName(a, kind) === normalImageName(b, kind);
}
