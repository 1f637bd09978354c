// The storage layout of distribution's filesystem driver, and the grammar of each name in
// it. Every path a removal takes is built here from parts checked against their grammar,
// relative to the storage root (so the script that removes it can check that no component
// of it, `docker/registry/v2` included, is a symlink):
//   docker/registry/v2/repositories/<repo>/_manifests/tags/<tag>/current/link
//   docker/registry/v2/repositories/<repo>/_manifests/tags/<tag>/index/<alg>/<hex>/link
//   docker/registry/v2/repositories/<repo>/_manifests/revisions/<alg>/<hex>/link
//   docker/registry/v2/repositories/<repo>/_layers/<alg>/<hex>/link
//   docker/registry/v2/repositories/<repo>/_uploads/<uuid>/{startedat,data,hashstates/...}
//   docker/registry/v2/blobs/<alg>/<hex[0:2]>/<hex>/data
import { ResourceError } from '../errors.ts';

/** Where distribution keeps its files under the storage root, relative to it. */
export const V2 = 'docker/registry/v2';

/** Where distribution keeps its files, as an absolute path. */
export const v2 = (root: string): string => `${root === '/' ? '' : root}/${V2}`;

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
/** distribution's reference grammar for a repository name (path components, 255 characters at most). */
const REPOSITORY_NAME = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
/** distribution's tag grammar. */
const TAG_NAME = /^\w[\w.-]{0,127}$/;
/** The algorithms distribution (go-digest) knows, and the hex length each has. */
const HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
/** An upload session's id: a UUID as distribution writes it (lower-case hex). */
const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const isRepositoryName = (name: string): boolean => name.length <= 255 && REPOSITORY_NAME.test(name);
export const isTagName = (tag: string): boolean => TAG_NAME.test(tag);
export const isUploadId = (id: string): boolean => UPLOAD_ID.test(id);

/** `algorithm:hex` with the hex length of its algorithm, lower-case. */
export function isDigest(digest: string): boolean {
  const colon = digest.indexOf(':');
  const length = HEX_LENGTH[digest.slice(0, colon)];
  return colon > 0 && length !== undefined && digest.length === colon + 1 + length && /^[a-f0-9]+$/.test(digest.slice(colon + 1));
}

function checked(kind: string, value: string, ok: boolean): string {
  const article = /^[aeiou]/.test(kind) ? 'an' : 'a';
  if (!ok) throw new ResourceError(`refusing to remove ${JSON.stringify(value)} from the registry storage: not ${article} ${kind}`);
  return value;
}

const repository = (name: string): string => `${V2}/repositories/${checked('repository name', name, isRepositoryName(name))}`;
const algHex = (digest: string): string => checked('digest', digest, isDigest(digest)).replace(':', '/');

/** The storage paths of the layout, each part checked (a ResourceError otherwise). */
export const storagePath = {
  repository,
  tag: (repo: string, tag: string): string => `${repository(repo)}/_manifests/tags/${checked('tag name', tag, isTagName(tag))}`,
  tags: (repo: string): string => `${repository(repo)}/_manifests/tags`,
  revision: (repo: string, digest: string): string => `${repository(repo)}/_manifests/revisions/${algHex(digest)}`,
  layerLink: (repo: string, digest: string): string => `${repository(repo)}/_layers/${algHex(digest)}`,
  upload: (repo: string, id: string): string => `${repository(repo)}/_uploads/${checked('upload id', id, isUploadId(id))}`,
  blob: (digest: string): string => {
    const [alg, hex] = algHex(digest).split('/') as [string, string];
    return `${V2}/blobs/${alg}/${hex.slice(0, 2)}/${hex}`;
  },
};

/** Where a blob's bytes are, relative to docker/registry/v2. */
export function blobPath(digest: string): string {
  return `${storagePath.blob(digest).slice(V2.length + 1)}/data`;
}

/**
 * Why a name at this place of the layout fits no grammar (the path is relative to
 * docker/registry/v2), for the "left alone" report.
 */
export function whyLeftAlone(path: string): string {
  const parts = path.split('/');
  const parent = parts.slice(0, -1).join('/');
  if (parts[0] === 'blobs') return 'not a digest';
  if (/\/_manifests\/revisions(?:\/[^/]+)?$/.test(parent) || /\/_layers(?:\/[^/]+)?$/.test(parent)) return 'not a digest';
  if (/\/_manifests\/tags$/.test(parent)) return 'not a tag name';
  if (/\/_uploads$/.test(parent)) return 'not an upload id';
  return 'not a repository name';
}

/** A path as it can be printed on one line: control characters (a newline) escaped. */
export function printablePath(path: string): string {
  return /[\u0000-\u001f\u007f]/.test(path) ? JSON.stringify(path) : path;
}
