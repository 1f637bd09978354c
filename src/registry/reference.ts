// Image references: the distribution grammar (github.com/distribution/reference),
// checked before any request is made so a typo never reaches a registry. The registry
// part is a registry host (host.ts), parsed there.
//
// API
//   parseReference(input, defaultRegistry?) -> ImageReference
//       "archy"                      -> { registry: defaultRegistry, repository: "archy" }
//       "localhost:5001/a/b:v1"      -> registry "localhost:5001", repository "a/b", tag "v1"
//       "ubuntu" (no default)        -> docker.io / library/ubuntu
//       "x@sha256:<64 hex>", "x:t@sha256:..." (tag and digest; the digest wins for requests)
//     A reference without a registry means defaultRegistry (jindr's -r); without one it
//     means Docker Hub, as in `docker pull`. Throws UsageError for anything malformed.
//   parseRepositoryName(input, defaultRegistry?) -> RepositoryName (no tag/digest allowed)
//   formatReference(ref) / formatRepository(ref) -> "host/repo[:tag][@digest]"
//   isDigest(s) -> "sha256:<64 hex>" (or sha512:<128 hex>)
//   isTag(s) -> letters, digits, _ . -, at most 128, not starting with . or -
//   quote(input) -> "input" for a message: control and bidi characters escaped, long ones cut
import { UsageError } from '../errors.ts';
import { DOCKER_HUB, parseRegistryHost, splitDomain, type RegistryHost } from './host.ts';

export interface RepositoryName {
  /** Registry host[:port] as the user names it; Docker Hub is "docker.io". */
  registry: string;
  /** Repository path inside the registry, e.g. "library/ubuntu" or "team/app". */
  repository: string;
}

export interface ImageReference extends RepositoryName {
  tag?: string;
  /** "sha256:<hex>" */
  digest?: string;
}

const MAX_NAME_LENGTH = 255;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/**
 * How a user's input appears in a message: JSON-quoted, with C1 control and bidi
 * characters escaped too (a terminal would obey them) and cut after max characters.
 */
export function quote(input: string, max = 80): string {
  const cut = input.length > max ? `${input.slice(0, max)}...` : input;
  return JSON.stringify(cut).replace(
    /[\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

export function isTag(value: string): boolean {
  return TAG.test(value);
}

/** Parses an image reference; throws UsageError (naming the input) when it is malformed. */
export function parseReference(input: string, defaultRegistry: RegistryHost | string = DOCKER_HUB): ImageReference {
  const shown = quote(input);
  checkCharacters(input, shown);
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) {
      throw new UsageError(`invalid image reference ${shown}: the digest must be sha256: followed by 64 lower-case hex digits`);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) {
      throw new UsageError(
        `invalid image reference ${shown}: bad tag ${quote(tag)} (letters, digits, _ . -, at most 128, not starting with . or -)`,
      );
    }
  }
  const name = splitName(rest, defaultRegistry, shown);
  const ref: ImageReference = { ...name };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** Parses a repository name (for ls/rmr/lsi arguments): a tag or digest is an error. */
export function parseRepositoryName(input: string, defaultRegistry: RegistryHost | string = DOCKER_HUB): RepositoryName {
  const ref = parseReference(input, defaultRegistry);
  if (ref.tag !== undefined || ref.digest !== undefined) {
    throw new UsageError(`${quote(input)} names an image, not a repository: leave out the :tag / @digest`);
  }
  return { registry: ref.registry, repository: ref.repository };
}

function checkCharacters(input: string, shown: string): void {
  if (input.length === 0) throw new UsageError('empty image reference');
  if (/[\u0000-\u0020\u007f-\u009f]/.test(input)) {
    throw new UsageError(`invalid image reference ${shown}: it contains spaces or control characters`);
  }
}

function splitName(name: string, defaultRegistry: RegistryHost | string, shown: string): RepositoryName {
  if (name.length === 0) throw new UsageError(`invalid image reference ${shown}: no repository name`);
  const dots = name.split('/').find((c) => c === '.' || c === '..');
  if (dots !== undefined) throw new UsageError(`invalid image reference ${shown}: "${dots}" is not allowed as a path component`);
  const { domain, rest } = splitDomain(name);
  const hostText = domain ?? String(defaultRegistry);
  const host = domain === undefined && typeof defaultRegistry !== 'string' ? defaultRegistry : parseRegistryHost(hostText);
  if (host === 'port') throw new UsageError(`invalid image reference ${shown}: the port of ${quote(hostText)} must be from 1 to 65535`);
  if (typeof host === 'string') throw new UsageError(`invalid image reference ${shown}: ${quote(hostText)} is not a registry host[:port]`);
  if (name.length > MAX_NAME_LENGTH) {
    throw new UsageError(`invalid image reference ${shown}: the name is longer than ${MAX_NAME_LENGTH} characters`);
  }
  for (const component of rest.split('/')) {
    if (PATH_COMPONENT.test(component)) continue;
    if (component.toLowerCase() !== component && PATH_COMPONENT.test(component.toLowerCase())) {
      throw new UsageError(`invalid image reference ${shown}: repository names must be lower-case`);
    }
    throw new UsageError(
      `invalid image reference ${shown}: bad repository path component ${quote(component)} (lower-case letters and digits, separated by . _ __ or -)`,
    );
  }
  // Docker Hub's official images live under library/.
  const repository = host.hub && !rest.includes('/') ? `library/${rest}` : rest;
  return { registry: host.name, repository };
}

export function formatRepository(name: RepositoryName): string {
  return `${name.registry}/${name.repository}`;
}

export function formatReference(ref: ImageReference): string {
  let text = formatRepository(ref);
  if (ref.tag !== undefined) text += `:${ref.tag}`;
  if (ref.digest !== undefined) text += `@${ref.digest}`;
  return text;
}
