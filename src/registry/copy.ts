// The copy engine: images from one repository to another, on the same registry or
// across registries, byte for byte. Every requested tag is resolved before anything
// is written; then index -> child manifests -> config and layers, children before
// their parent, each tag written last, so an interrupted copy never leaves a tag
// pointing at something incomplete and running it again finishes the job.
// Each digest's work happens once (a map of digest -> promise); blob transfers run
// at most `jobs` at a time and are retried from the start on transient failures.
import { pipeline, type Readable } from 'node:stream';
import { AuthError, InterruptedError, NotFoundError, RegistryError } from '../errors.ts';
import { BodyConsumedError, DigestMismatchError, DigestVerifier, blobExists, cancelUpload, mountBlob, openBlob, startUpload, uploadBlob, type Repo } from './blobs.ts';
import { header, pushScope } from './client.ts';
import { RegistryApiError } from './errors.ts';
import { createLimit, type Limit } from './limit.ts';
import { fetchManifest, manifestChildren, MANIFEST_ACCEPT, type Descriptor, type Manifest } from './manifest.ts';
import { backoffMs, classifyNetworkError, networkErrorMessage, sleep } from './network-errors.ts';
import { acrossRestarts } from './restart-retry.ts';

export type BlobOutcome = 'exists' | 'mounted' | 'copied';

/** What the copy reports as it goes (a progress display listens); all optional. */
export interface CopyEvents {
  blobStart?(digest: string, size: number): void;
  blobBytes?(digest: string, bytes: number): void;
  /** A transfer failed and starts over: its byte count goes back to zero. */
  blobRetry?(digest: string, reason: string): void;
  blobDone?(digest: string, size: number, outcome: BlobOutcome): void;
  manifestDone?(digest: string, mediaType: string, outcome: 'exists' | 'copied'): void;
  tagDone?(destination: string, digest: string): void;
}

export interface CopyItem {
  /** Tag or digest in the source repository. */
  source: string;
  /** Tag to write at the destination; undefined: the manifest is stored by digest only. */
  tag: string | undefined;
}

export interface CopyOptions {
  /** Blob transfers at once (default 4). */
  jobs?: number;
  /** Attempts per blob for transient failures (default 3). */
  attempts?: number;
  signal?: AbortSignal;
  events?: CopyEvents;
}

export interface CopiedImage {
  source: string;
  destination: string;
  digest: string;
  mediaType: string;
}

export interface CopyReport {
  images: CopiedImage[];
  blobs: Record<BlobOutcome, number>;
  /** Bytes sent to the destination (copied blobs only). */
  bytes: number;
}

const name = (repo: Repo, reference: string) => `${repo.client.host}/${repo.repository}${reference.includes(':') ? '@' : ':'}${reference}`;

/** Resolves every item first (a missing tag fails before any write), then copies them. */
export async function copyImages(from: Repo, to: Repo, items: readonly CopyItem[], options: CopyOptions = {}): Promise<CopyReport> {
  const roots = await Promise.all(
    items.map((item) =>
      fetchManifest(from.client, from.repository, item.source, options.signal).then(
        (manifest) => ({ item, manifest }),
        (err: unknown) => ({ item, error: err }),
      ),
    ),
  );
  const missing = roots.filter((r) => 'error' in r && r.error instanceof NotFoundError).map((r) => r.item.source);
  if (missing.length > 0) {
    const what = missing.length === 1 ? `no image ${name(from, missing[0]!)}` : `no images ${missing.map((m) => name(from, m)).join(', ')}`;
    throw new NotFoundError(`${what}: nothing was copied`);
  }
  const failed = roots.find((r) => 'error' in r);
  if (failed && 'error' in failed) throw failed.error;

  const copier = new Copier(from, to, options);
  try {
    const images = await Promise.all(
      roots.map(async (root) => {
        if (!('manifest' in root)) throw new Error('unreachable');
        const { item, manifest } = root;
        const reference = item.tag ?? manifest.digest;
        // A tag already pointing at this digest is a finished copy: nothing to write.
        if (!(await copier.destinationResolves(reference, manifest.digest))) {
          await copier.rootContents(manifest);
          await copier.putManifest(manifest, reference);
        }
        const destination = name(to, reference);
        options.events?.tagDone?.(destination, manifest.digest);
        return { source: name(from, item.source), destination, digest: manifest.digest, mediaType: manifest.mediaType };
      }),
    );
    return { images, blobs: copier.outcomes, bytes: copier.bytes };
  } catch (err) {
    copier.abort(err);
    throw err;
  }
}

class Copier {
  readonly outcomes: Record<BlobOutcome, number> = { exists: 0, mounted: 0, copied: 0 };
  bytes = 0;
  private readonly from: Repo;
  private readonly to: Repo;
  private readonly options: CopyOptions;
  private readonly limit: Limit;
  private readonly controller = new AbortController();
  private readonly signal: AbortSignal;
  private readonly blobs = new Map<string, Promise<void>>();
  private readonly manifests = new Map<string, Promise<void>>();
  private readonly roots = new Map<string, Promise<void>>();
  private readonly sameRegistry: boolean;

  constructor(from: Repo, to: Repo, options: CopyOptions) {
    this.from = from;
    this.to = to;
    this.options = options;
    this.limit = createLimit(Math.max(1, options.jobs ?? 4));
    this.signal = options.signal ? AbortSignal.any([options.signal, this.controller.signal]) : this.controller.signal;
    this.sameRegistry = from.client.host === to.client.host;
  }

  /** Stops the other transfers once one has failed for good. */
  abort(reason: unknown): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** Like contents, but nothing to do when the destination has the manifest (a re-run, another tag). */
  async rootContents(manifest: Manifest): Promise<void> {
    // Its own map: as a child of an index the same digest must also be PUT by digest.
    let work = this.roots.get(manifest.digest);
    if (!work) {
      work = (async () => {
        if (await this.destinationHasManifest(manifest.digest)) {
          this.options.events?.manifestDone?.(manifest.digest, manifest.mediaType, 'exists');
          return;
        }
        await this.contents(manifest);
      })();
      this.roots.set(manifest.digest, work);
    }
    return work;
  }

  /** Everything manifest points at, present at the destination (not manifest itself). */
  async contents(manifest: Manifest): Promise<void> {
    const children = manifestChildren(manifest.parsed);
    if (manifest.parsed.kind === 'index') {
      await Promise.all(children.map((child) => this.childManifest(child)));
    } else {
      await Promise.all(children.filter(distributable).map((blob) => this.blob(blob)));
    }
  }

  private childManifest(d: Descriptor): Promise<void> {
    let work = this.manifests.get(d.digest);
    if (!work) {
      work = (async () => {
        // A manifest the destination has comes with everything it points at: registries
        // refuse a manifest whose blobs or children are missing.
        if (await this.destinationHasManifest(d.digest)) {
          this.options.events?.manifestDone?.(d.digest, d.mediaType, 'exists');
          return;
        }
        const manifest = await fetchManifest(this.from.client, this.from.repository, d.digest, this.signal);
        await this.contents(manifest);
        await this.putManifest(manifest, manifest.digest);
      })();
      this.manifests.set(d.digest, work);
    }
    return work;
  }

  private destinationHasManifest(digest: string): Promise<boolean> {
    return this.destinationResolves(digest, digest);
  }

  /** Whether reference (tag or digest) names the manifest digest at the destination. */
  async destinationResolves(reference: string, digest: string): Promise<boolean> {
    const response = await acrossRestarts(this.to.client, () => this.to.client.request({
      method: 'HEAD',
      path: `/v2/${this.to.repository}/manifests/${reference}`,
      scopes: [pushScope(this.to.repository)],
      headers: { accept: MANIFEST_ACCEPT },
      accept: [404],
      signal: this.signal,
    }), { signal: this.signal });
    if (response.status !== 200) return false;
    // Registries answer HEAD by digest with that digest; for a tag the header says where it points.
    return header(response, 'docker-content-digest') === digest || (reference === digest && header(response, 'docker-content-digest') === undefined);
  }

  /** PUTs the manifest's own bytes with its own media type under reference (tag or digest). */
  async putManifest(manifest: Manifest, reference: string): Promise<void> {
    const response = await acrossRestarts(this.to.client, () => this.to.client.request({
      method: 'PUT',
      path: `/v2/${this.to.repository}/manifests/${reference}`,
      scopes: [pushScope(this.to.repository)],
      headers: { 'content-type': manifest.mediaType },
      body: manifest.bytes,
      signal: this.signal,
    }), { signal: this.signal });
    const stored = header(response, 'docker-content-digest');
    if (stored && stored !== manifest.digest) {
      throw new DigestMismatchError(`${this.to.client.host} stored manifest ${manifest.digest} as ${stored}: it rewrote the manifest`);
    }
    if (reference === manifest.digest) this.options.events?.manifestDone?.(manifest.digest, manifest.mediaType, 'copied');
  }

  private blob(d: Descriptor): Promise<void> {
    let work = this.blobs.get(d.digest);
    if (!work) {
      // A restart of the destination (gc) ends upload sessions: the blob starts again in a new one.
      const onRetry = (reason: string) => this.options.events?.blobRetry?.(d.digest, reason);
      work = this.withRetries(d, () => acrossRestarts(this.to.client, () => this.copyBlob(d), { signal: this.signal, onRetry }));
      this.blobs.set(d.digest, work);
    }
    return work;
  }

  private async withRetries(d: Descriptor, fn: () => Promise<BlobOutcome>): Promise<void> {
    const attempts = Math.max(1, this.options.attempts ?? 3);
    for (let attempt = 1; ; attempt += 1) {
      this.checkSignal();
      try {
        const outcome = await fn();
        this.outcomes[outcome] += 1;
        this.options.events?.blobDone?.(d.digest, d.size, outcome);
        return;
      } catch (err) {
        if (this.signal.aborted) throw abortReason(this.signal, err);
        if (attempt >= attempts || !transient(err)) throw err;
        this.options.events?.blobRetry?.(d.digest, err instanceof Error ? err.message : String(err));
        await sleep(backoffMs(attempt - 1, undefined), this.signal);
      }
    }
  }

  private checkSignal(): void {
    if (this.signal.aborted) throw abortReason(this.signal, undefined);
  }

  /**
   * HEAD, mount and opening the upload are quick and run for every blob at once; only
   * the transfer itself waits for one of the `jobs` slots, so slots never idle on
   * round trips.
   */
  private async copyBlob(d: Descriptor): Promise<BlobOutcome> {
    if (await blobExists(this.to, d.digest, this.signal)) return 'exists';
    let location: string;
    if (this.sameRegistry && this.from.repository !== this.to.repository) {
      const mount = await mountBlob(this.to, d.digest, this.from.repository, this.signal);
      if (mount.mounted) return 'mounted';
      location = mount.location;
    } else {
      location = await startUpload(this.to, this.signal);
    }
    try {
      return await this.limit.run(() => this.transfer(d, location));
    } catch (err) {
      void cancelUpload(this.to, location);
      throw err;
    }
  }

  private async transfer(d: Descriptor, location: string): Promise<BlobOutcome> {
    this.checkSignal();
    this.options.events?.blobStart?.(d.digest, d.size);
    let source: Readable | undefined;
    let verifier: DigestVerifier | undefined;
    // A source that stops sending fails the upload as well: name the side that broke first.
    let sourceFailure: unknown;
    let uploadFailed = false;
    try {
      source = (await openBlob(this.from, d.digest, this.signal)).body;
      source.once('error', (err: NodeJS.ErrnoException) => {
        // A premature close is the source being stopped because the upload failed.
        if (!uploadFailed && err.code !== 'ERR_STREAM_PREMATURE_CLOSE') sourceFailure = err;
      });
      let sent = 0;
      const v = new DigestVerifier(d.digest, d.size, (n) => {
        sent += n;
        this.options.events?.blobBytes?.(d.digest, n);
      });
      verifier = v;
      const uploadSide = (): void => {
        if (sourceFailure === undefined) uploadFailed = true;
      };
      v.once('error', uploadSide);
      v.once('close', uploadSide);
      // pipeline destroys the source when the upload stops reading (a failed PUT).
      pipeline(source, v, () => {});
      await uploadBlob(this.to, location, d.digest, d.size, v, this.signal);
      if (v.mismatch) throw v.mismatch;
      this.bytes += sent;
      return 'copied';
    } catch (err) {
      source?.destroy();
      const from = this.from.client;
      if (verifier?.mismatch) {
        throw new DigestMismatchError(`${from.host}/${this.from.repository}: ${verifier.mismatch.message} (corrupt storage there, or a proxy changing it)`);
      }
      if (sourceFailure !== undefined && !this.signal.aborted) {
        throw new RegistryError(networkErrorMessage(from.host, classifyNetworkError(sourceFailure), sourceFailure, from.timeoutMs), { cause: sourceFailure });
      }
      throw err;
    }
  }
}

/** Layers a registry may refuse to serve (Windows base layers): left out, as docker push does. */
function distributable(d: Descriptor): boolean {
  return !/\.foreign\.|\.nondistributable\./.test(d.mediaType);
}

function abortReason(signal: AbortSignal, err: unknown): unknown {
  const reason: unknown = signal.reason;
  if (reason instanceof InterruptedError) return reason;
  if (reason instanceof Error) return reason;
  return err ?? new InterruptedError();
}

/** Failures a second attempt can fix: network trouble, a registry restarting, 5xx, a consumed body. */
export function transient(err: unknown): boolean {
  if (err instanceof AuthError || err instanceof DigestMismatchError || err instanceof InterruptedError || err instanceof NotFoundError) return false;
  if (err instanceof RegistryApiError) {
    if (err.status === undefined) return true;
    return err.status >= 500 || err.status === 408 || err.status === 429 || (err.status === 404 && err.codes.includes('BLOB_UPLOAD_UNKNOWN'));
  }
  if (err instanceof RegistryError) {
    if (err.status !== undefined) return false;
    if (err.cause instanceof BodyConsumedError) return true;
    // The client already retried these; a registry restarting may need longer. TLS, DNS: never.
    const kind = classifyNetworkError(err.cause);
    return kind === 'reset' || kind === 'refused' || kind === 'timeout';
  }
  return false;
}
