// Blobs on a registry: HEAD, streamed GET, cross-repository mount, opening an upload
// (the session itself is upload.ts's). Bodies are never held in memory or on disk: a blob
// flows from the source response through a hashing Transform into the upload.
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { RegistryError } from '../errors.ts';
import { chunksPassed } from './chunk-garbage.ts';
import { header, pullScope, pushScope, type RegistryClient } from './client.ts';

/** A repository on a registry, reached through that registry's client. */
export interface Repo {
  client: RegistryClient;
  repository: string;
}

/** The bytes did not hash to the digest that named them: never committed. */
export class DigestMismatchError extends RegistryError {}

const blobPath = (repo: Repo, digest: string) => `/v2/${repo.repository}/blobs/${digest}`;

/** Whether repo has the blob. Asked with the push scope, which destinations need anyway. */
export async function blobExists(repo: Repo, digest: string, signal?: AbortSignal): Promise<boolean> {
  const response = await repo.client.request({
    method: 'HEAD',
    path: blobPath(repo, digest),
    scopes: [pushScope(repo.repository)],
    accept: [404],
    signal,
  });
  return response.status === 200;
}

/** A streamed GET of the blob (redirects to storage followed by the client). */
export async function openBlob(repo: Repo, digest: string, signal?: AbortSignal): Promise<{ body: Readable; size: number | undefined }> {
  const response = await repo.client.stream({ path: blobPath(repo, digest), scopes: [pullScope(repo.repository)], signal });
  const length = Number(header(response, 'content-length'));
  return { body: response.body, size: Number.isFinite(length) && length >= 0 ? length : undefined };
}

function locationOf(repo: Repo, response: { headers: Record<string, string | string[] | undefined> }, what: string): string {
  const location = header(response, 'location');
  if (!location) throw new RegistryError(`${repo.client.host} sent no upload location for ${what} in ${repo.repository}`);
  return new URL(location, repo.client.origin + '/').href;
}

export type MountResult = { mounted: true } | { mounted: false; location: string };

/**
 * Asks the registry to link the blob from another repository of the same registry.
 * A registry that declines (202: ECR, some Harbor versions, a source it cannot read)
 * opens an upload session instead, whose location is returned for the upload.
 */
export async function mountBlob(repo: Repo, digest: string, from: string, signal?: AbortSignal): Promise<MountResult> {
  const query = new URLSearchParams({ mount: digest, from });
  const response = await repo.client.request({
    method: 'POST',
    path: `/v2/${repo.repository}/blobs/uploads/?${query}`,
    scopes: [pushScope(repo.repository), pullScope(from)],
    signal,
  });
  if (response.status === 201) return { mounted: true };
  return { mounted: false, location: locationOf(repo, response, digest) };
}

export async function startUpload(repo: Repo, signal?: AbortSignal): Promise<string> {
  const response = await repo.client.request({
    method: 'POST',
    path: `/v2/${repo.repository}/blobs/uploads/`,
    scopes: [pushScope(repo.repository)],
    signal,
  });
  return locationOf(repo, response, 'an upload');
}

/**
 * A pass-through that hashes what flows and fails at the end (or as soon as too many
 * bytes arrive) unless the bytes match digest and size. onBytes sees each chunk's length.
 */
export class DigestVerifier extends Transform {
  readonly digest: string;
  readonly size: number;
  private readonly hash;
  private seen = 0;
  private readonly onBytes: ((n: number) => void) | undefined;
  mismatch: DigestMismatchError | undefined;

  constructor(digest: string, size: number, onBytes?: (n: number) => void) {
    super();
    const algorithm = digest.slice(0, digest.indexOf(':'));
    if (algorithm !== 'sha256' && algorithm !== 'sha512') throw new RegistryError(`unsupported digest algorithm in ${digest}`);
    this.digest = digest;
    this.size = size;
    this.hash = process.getBuiltinModule('node:crypto').createHash(algorithm);
    this.onBytes = onBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.size) return callback(this.fail(`more than the ${this.size} bytes its descriptor gives`));
    this.hash.update(chunk);
    this.onBytes?.(chunk.length);
    chunksPassed(chunk.length);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.seen !== this.size) return callback(this.fail(`${this.seen} bytes instead of ${this.size}`));
    const actual = `${this.digest.slice(0, this.digest.indexOf(':'))}:${this.hash.digest('hex')}`;
    if (actual !== this.digest) return callback(this.fail(`content hashing to ${actual}`));
    callback();
  }

  private fail(what: string): DigestMismatchError {
    this.mismatch = new DigestMismatchError(`blob ${this.digest} arrived with ${what}: not copied`);
    return this.mismatch;
  }
}
