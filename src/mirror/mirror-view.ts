// What a mirror holds, read from its storage, answering the distribution API's read and
// delete requests in-process. A mirror's own API cannot say it: in proxy mode, tag lists
// and manifests by tag come from the upstream first (each manifest GET counts as a pull on
// Docker Hub, and is cached), and deletes are refused. So ls, lsi, inspect, rmi and rmr
// are handed this view instead of an HTTP client (src/registry/api.ts):
//   GET /v2/_catalog, GET /v2/<name>/tags/list, GET|HEAD /v2/<name>/manifests/<ref>,
//   GET|HEAD /v2/<name>/blobs/<digest> (small blobs: image configs),
//   DELETE /v2/<name>/manifests/<tag> (the tag alone, as registry 3.x does),
//   DELETE /v2/<name>/manifests/<digest> (the manifest and every tag on it).
// What a delete leaves unreferenced goes at the next `gc`.
import { isJsonObject, isString, parseJson } from '../json-shape.ts';
import type { RegistryApi } from '../registry/api.ts';
import type { RegistryRequest, RegistryResponse } from '../registry/client.ts';
import type { Headers } from '../registry/connection.ts';
import { isRegistryErrorCode, RegistryApiError } from '../registry/errors.ts';
import { isDigest } from '../registry/reference.ts';
import { blobPath, v2 } from '../storage/storage-layout.ts';
import { listStorage, type StorageListing } from '../storage/storage-listing.ts';
import { removeManifestLinks } from '../storage/storage-remove.ts';
import type { Exec } from '../server/container-exec.ts';
import { BATCH } from '../storage/storage-exec.ts';
import type { RepositoryState } from '../storage/reachability.ts';

/** Blobs served whole: configs and manifests, never layers. */
const MAX_BLOB_BYTES = 8 * 1024 * 1024;

type Answer = { status: number; headers?: Headers; body?: Buffer; code?: string; message?: string };

export class MirrorView implements RegistryApi {
  readonly host: string;
  private readonly exec: Exec;
  private readonly root: string;
  private snapshot: Promise<StorageListing> | undefined;
  /** Blobs asked for and not yet read (readAsked). */
  private readonly asked: { digest: string; size: number; resolve: (b: Buffer | undefined) => void; reject: (e: unknown) => void }[] = [];

  /** listing: the storage as already read, if it was. */
  constructor(host: string, exec: Exec, root: string, listing?: StorageListing) {
    this.host = host;
    this.exec = exec;
    this.root = root;
    if (listing) this.snapshot = Promise.resolve(listing);
  }

  async request(req: RegistryRequest): Promise<RegistryResponse> {
    const method = req.method ?? 'GET';
    const path = new URL(req.path, `http://${this.host}`).pathname;
    const answer = await this.answer(method, path);
    const body =
      answer.body ??
      (answer.code ? Buffer.from(JSON.stringify({ errors: [{ code: answer.code, message: answer.message ?? '' }] })) : Buffer.alloc(0));
    const response = {
      status: answer.status,
      headers: answer.headers ?? {},
      url: `http://${this.host}${path}`,
      body: method === 'HEAD' ? Buffer.alloc(0) : body,
    };
    if (response.status < 300 || req.accept?.includes(response.status)) return response;
    throw new RegistryApiError(
      `${this.host} (a mirror, read from its storage): ${answer.code ?? response.status}: ${answer.message ?? ''} (${method} ${path})`,
      {
        status: response.status,
        ...(answer.code === undefined ? {} : isRegistryErrorCode(answer.code) ? { codes: [answer.code] } : { otherCodes: [answer.code] }),
      },
    );
  }

  async close(): Promise<void> {}

  /** What the storage holds; read once, and again after a delete. */
  listing(): Promise<StorageListing> {
    this.snapshot ??= listStorage(this.exec, this.root);
    return this.snapshot;
  }

  private async answer(method: string, path: string): Promise<Answer> {
    const read = method === 'GET' || method === 'HEAD';
    if (path === '/v2/' || path === '/v2') return read ? json({}) : unsupported(method);
    if (path === '/v2/_catalog')
      return read ? json({ repositories: (await this.listing()).repositories.map((r) => r.name) }) : unsupported(method);
    const m = /^\/v2\/(.+)\/(tags\/list|manifests\/[^/]+|blobs\/[^/]+)$/.exec(path);
    if (!m) return { status: 404, code: 'NOT_FOUND', message: 'no such route' };
    const repo = (await this.listing()).repositories.find((r) => r.name === m[1]);
    if (!repo) return { status: 404, code: 'NAME_UNKNOWN', message: `repository ${m[1]} is not in the mirror` };
    const [kind, ref] = m[2]!.split('/') as [string, string | undefined];
    if (kind === 'tags') return read ? json({ name: repo.name, tags: [...repo.tags.keys()] }) : unsupported(method);
    if (kind === 'blobs') return read ? this.blob(ref!) : unsupported(method);
    if (method === 'DELETE') return this.remove(repo, ref!);
    return read ? this.manifest(repo, ref!) : unsupported(method);
  }

  private async manifest(repo: RepositoryState, ref: string): Promise<Answer> {
    const digest = isDigest(ref) ? (repo.manifests.includes(ref) ? ref : undefined) : repo.tags.get(ref);
    const bytes = digest === undefined ? undefined : await this.readBlob(digest);
    if (digest === undefined || bytes === undefined)
      return { status: 404, code: 'MANIFEST_UNKNOWN', message: `${repo.name}:${ref} is not in the mirror` };
    const mediaType = declaredMediaType(bytes);
    return { status: 200, body: bytes, headers: { 'docker-content-digest': digest, ...(mediaType ? { 'content-type': mediaType } : {}) } };
  }

  private async blob(digest: string): Promise<Answer> {
    const size = (await this.listing()).blobs.get(digest);
    if (!isDigest(digest) || size === undefined)
      return { status: 404, code: 'BLOB_UNKNOWN', message: `blob ${digest} is not in the mirror` };
    if (size > MAX_BLOB_BYTES)
      return { status: 405, code: 'UNSUPPORTED', message: "a mirror's layers are read through its registry, not its storage" };
    const bytes = await this.readBlob(digest);
    return bytes
      ? { status: 200, body: bytes, headers: { 'docker-content-digest': digest } }
      : { status: 404, code: 'BLOB_UNKNOWN', message: `blob ${digest} is not in the mirror` };
  }

  private async readBlob(digest: string): Promise<Buffer | undefined> {
    const size = (await this.listing()).blobs.get(digest);
    if (size === undefined) return undefined;
    return new Promise((resolve, reject) => {
      this.asked.push({ digest, size, resolve, reject });
      if (this.asked.length === 1) setImmediate(() => void this.readAsked());
    });
  }

  /**
   * The blobs asked for in the same turn (lsi asks for many manifests and configs at once),
   * read with one `cat` of them all, cut by their listed sizes; one by one when that cannot
   * be trusted (one went, or changed, since the listing).
   */
  private async readAsked(): Promise<void> {
    const batch = this.asked.splice(0, BATCH);
    if (this.asked.length > 0) setImmediate(() => void this.readAsked());
    try {
      const out =
        batch.length > 1
          ? await this.exec(['sh', '-c', 'cd "$1" && shift && cat -- "$@"', 'sh', v2(this.root), ...batch.map((b) => blobPath(b.digest))])
          : undefined;
      if (out?.exitCode === 0 && out.stdout.length === batch.reduce((n, b) => n + b.size, 0)) {
        let offset = 0;
        for (const b of batch) b.resolve(out.stdout.subarray(offset, (offset += b.size)));
        return;
      }
      const each = await Promise.all(batch.map((b) => this.exec(['cat', `${v2(this.root)}/${blobPath(b.digest)}`])));
      batch.forEach((b, i) => b.resolve(each[i]!.exitCode === 0 ? each[i]!.stdout : undefined));
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }

  private async remove(repo: RepositoryState, ref: string): Promise<Answer> {
    if (isDigest(ref)) {
      if (!repo.manifests.includes(ref))
        return { status: 404, code: 'MANIFEST_UNKNOWN', message: `${repo.name}@${ref} is not in the mirror` };
      const tags = [...repo.tags].filter(([, d]) => d === ref).map(([t]) => t);
      await removeManifestLinks(this.exec, this.root, repo.name, tags, [ref]);
    } else {
      if (!repo.tags.has(ref)) return { status: 404, code: 'MANIFEST_UNKNOWN', message: `${repo.name}:${ref} is not in the mirror` };
      await removeManifestLinks(this.exec, this.root, repo.name, [ref], []);
    }
    this.snapshot = undefined;
    return { status: 202 };
  }
}

function json(value: unknown): Answer {
  return { status: 200, body: Buffer.from(JSON.stringify(value)), headers: { 'content-type': 'application/json' } };
}

function unsupported(method: string): Answer {
  return { status: 405, code: 'UNSUPPORTED', message: `a mirror takes no ${method}: it is filled by pulls through it` };
}

function declaredMediaType(bytes: Buffer): string | undefined {
  try {
    const parsed = parseJson(bytes.toString('utf8'));
    return isJsonObject(parsed) && isString(parsed.mediaType) ? parsed.mediaType : undefined;
  } catch {
    return undefined;
  }
}
