// The blob side of a copy: each blob the destination lacks gets there once (a map of
// digest -> promise), by the cheapest way: already there, mounted from another
// repository of the same registry (the source's, or one remembered to hold it:
// blob-memory.ts), or streamed across with its digest checked on the way. At most `jobs` transfers run at a time; a transfer that fails for a reason a
// second attempt can fix starts over from the beginning.
import { pipeline, type Readable } from 'node:stream';
import { InterruptedError, RegistryError } from '../errors.ts';
import { CopyMemory } from './blob-memory.ts';
import { DigestMismatchError, DigestVerifier, blobExists, openBlob, type Repo } from './blobs.ts';
import { createLimit, type Limit } from './limit.ts';
import type { Descriptor } from './manifest.ts';
import { backoffMs, classifyNetworkError, networkErrorMessage, sleep } from './network-errors.ts';
import { acrossRestarts } from './restart-retry.ts';
import { temporary } from './retry-policy.ts';
import { CANCEL_MS, UploadSession } from './upload.ts';

export type BlobOutcome = 'exists' | 'mounted' | 'copied';

/** What the blob copier reports as it goes; all optional. */
export interface BlobEvents {
  blobStart?(digest: string, size: number): void;
  blobBytes?(digest: string, bytes: number): void;
  /** A transfer failed and starts over: its byte count goes back to zero. */
  blobRetry?(digest: string, reason: string): void;
  blobDone?(digest: string, size: number, outcome: BlobOutcome): void;
}

export interface BlobCopyOptions {
  /** Blob transfers at once (default 4). */
  jobs?: number;
  /** Attempts per blob for transient failures (default 3). */
  attempts?: number;
  events?: BlobEvents;
}

export class BlobCopier {
  readonly outcomes: Record<BlobOutcome, number> = { exists: 0, mounted: 0, copied: 0 };
  /** Bytes sent to the destination (copied blobs only). */
  bytes = 0;
  /** Upload sessions this copy abandoned: cancelled at the destination, or left there (it refused or did not answer). */
  readonly abandoned = { cancelled: 0, left: 0 };
  /** Which repositories hold which blobs, per registry (remembered across runs); saved by the caller. */
  readonly memory: CopyMemory;
  private readonly from: Repo;
  private readonly to: Repo;
  private readonly options: BlobCopyOptions;
  private readonly limit: Limit;
  private readonly signal: AbortSignal;
  private readonly blobs = new Map<string, Promise<void>>();
  private readonly sameRegistry: boolean;

  constructor(from: Repo, to: Repo, options: BlobCopyOptions, signal: AbortSignal) {
    this.from = from;
    this.to = to;
    this.options = options;
    this.signal = signal;
    this.limit = createLimit(Math.max(1, options.jobs ?? 4));
    this.sameRegistry = from.client.host === to.client.host;
    this.memory = new CopyMemory(from, to);
  }

  /** The blob d present at the destination; each digest's work happens once. */
  copy(d: Descriptor): Promise<void> {
    let work = this.blobs.get(d.digest);
    if (!work) {
      this.memory.sourceHolds([d.digest]); // the source's manifest names it
      // A restart of the destination (gc) ends upload sessions: the blob starts again in a new one.
      const onRetry = (reason: string) => this.options.events?.blobRetry?.(d.digest, reason);
      work = this.withRetries(d, () => acrossRestarts(this.to.client, () => this.copyBlob(d), { signal: this.signal, onRetry }));
      this.blobs.set(d.digest, work);
    }
    return work;
  }

  /**
   * A blob the destination has for certain (a manifest there uses it: registries refuse a
   * manifest whose blobs are missing): counted as already there, without a request.
   */
  present(d: Descriptor): void {
    if (this.blobs.has(d.digest)) return;
    this.blobs.set(d.digest, Promise.resolve());
    this.outcomes.exists += 1;
    this.options.events?.blobDone?.(d.digest, d.size, 'exists');
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
        if (attempt >= attempts || !temporary(err)) throw err;
        this.options.events?.blobRetry?.(d.digest, err instanceof Error ? err.message : String(err));
        await sleep(backoffMs(attempt - 1, undefined), this.signal);
      }
    }
  }

  /**
   * Waits for every blob's work to end, once the copy has failed or been interrupted:
   * each cancels its upload session on the way out (bounded, so Ctrl-C stays quick).
   */
  async settle(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, 2 * CANCEL_MS + 500).unref()));
    await Promise.race([Promise.allSettled([...this.blobs.values()]), bound]);
    clearTimeout(timer);
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
    const outcome = await this.copyBlobTo(d);
    this.memory.destinationHolds(d.digest);
    return outcome;
  }

  /** A mount is asked of the source repository within one registry, else of a remembered holder. */
  private async copyBlobTo(d: Descriptor): Promise<BlobOutcome> {
    if (await blobExists(this.to, d.digest, this.signal)) return 'exists';
    const holder =
      this.sameRegistry && this.from.repository !== this.to.repository ? this.from.repository : await this.memory.holder(d.digest);
    const mount = await this.memory.mountOrUpload(d.digest, holder, this.signal);
    if (mount.mounted) return 'mounted';
    const session = new UploadSession(this.to, mount.location);
    try {
      return await this.limit.run(() => this.transfer(d, session));
    } catch (err) {
      if (await session.cancel()) this.abandoned.cancelled += 1;
      else this.abandoned.left += 1;
      throw err;
    }
  }

  private async transfer(d: Descriptor, session: UploadSession): Promise<BlobOutcome> {
    this.checkSignal();
    this.options.events?.blobStart?.(d.digest, d.size);
    let source: Readable | undefined;
    let verifier: DigestVerifier | undefined;
    // A source that stops sending fails the upload as well: name the side that broke first.
    let sourceFailure: NodeJS.ErrnoException | undefined;
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
      // pipeline destroys the source when the upload stops reading (a failed PATCH).
      pipeline(source, v, () => {});
      // Ends early, but cleanly, when the copy stops or either side fails: then nothing is committed.
      await session.send(v, this.signal, d.digest);
      if (this.signal.aborted) throw abortReason(this.signal, undefined);
      if (v.mismatch) throw v.mismatch;
      if (sourceFailure !== undefined) throw sourceFailure;
      if (!v.readableEnded) throw new RegistryError(`the upload of ${d.digest} stopped before its end`);
      await session.commit(d.digest, this.signal);
      this.bytes += sent;
      return 'copied';
    } catch (err) {
      source?.destroy();
      const from = this.from.client;
      if (verifier?.mismatch) {
        throw new DigestMismatchError(
          `${from.host}/${this.from.repository}: ${verifier.mismatch.message} (corrupt storage there, or a proxy changing it)`,
        );
      }
      if (sourceFailure !== undefined && !this.signal.aborted) {
        throw new RegistryError(networkErrorMessage(from.host, classifyNetworkError(sourceFailure), sourceFailure, from.timeoutMs), {
          cause: sourceFailure,
        });
      }
      throw err;
    }
  }
}

function abortReason(signal: AbortSignal, err: unknown): unknown {
  const reason: unknown = signal.reason;
  if (reason instanceof InterruptedError) return reason;
  if (reason instanceof Error) return reason;
  return err ?? new InterruptedError();
}
