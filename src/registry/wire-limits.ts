// What bounds one exchange with a registry besides its size limits: the minimum rate an
// answer must keep (a registry dripping a byte every few seconds cannot hold a command),
// and the errors of a timeout, connecting or waiting. Shared by both HTTP stacks
// (http1.ts for whole answers, http-pool.ts for streamed ones).

export interface MinRate {
  bytesPerSecond: number;
  windowMs: number;
}

/** Counts an answer's bytes per window; says when a whole window passed below the minimum rate. */
export class RateWatch {
  private start = 0;
  private bytes = 0;
  private readonly rate: MinRate;
  /** Set by the reader when it stopped reading (backpressure): that window does not count. */
  paused = false;

  constructor(rate: MinRate) {
    this.rate = rate;
  }

  /** Takes n more bytes; true when the window that just ended had too few. */
  tooSlow(n: number): boolean {
    const now = Date.now();
    if (this.start === 0) this.start = now;
    const elapsed = now - this.start;
    if (elapsed < this.rate.windowMs) {
      this.bytes += n;
      return false;
    }
    const slow = !this.paused && this.bytes < (this.rate.bytesPerSecond * elapsed) / 1000;
    this.start = now;
    this.bytes = n;
    this.paused = false;
    return slow;
  }
}

export function slowError(rate: MinRate): Error {
  return Object.assign(new Error(`its answer came slower than ${rate.bytesPerSecond} bytes/s for ${rate.windowMs / 1000} s`), {
    code: 'ETOOSLOW',
  });
}

export function timeoutError(ms: number, connecting: boolean): Error {
  return connecting
    ? Object.assign(new Error(`no connection within ${ms} ms`), { code: 'ETIMEDOUT', connecting: true, ms })
    : Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT', ms });
}

/** The most bytes a whole answer's body may have, by what it is (named in the refusal). */
export interface AnswerLimit {
  bytes: number;
  what: string;
}

const KiB = 1024;
const MiB = 1024 * KiB;
/** As distribution refuses to store bigger ones (4 MiB) and containerd reads. */
export const MANIFEST_LIMIT: AnswerLimit = { bytes: 4 * MiB, what: 'a manifest' };
export const CONFIG_LIMIT: AnswerLimit = { bytes: 8 * MiB, what: 'an image config' };
/** Tag lists, catalog pages, referrers, upload answers: anything read whole without a limit of its own. */
export const ANSWER_LIMIT: AnswerLimit = { bytes: 16 * MiB, what: 'an answer' };
/** A token service's answer (a token is a few KiB). */
export const TOKEN_LIMIT: AnswerLimit = { bytes: 1 * MiB, what: 'a token answer' };
/** Any answer outside 2xx: its body is read only to say what went wrong. */
export const ERROR_LIMIT: AnswerLimit = { bytes: 64 * KiB, what: 'an error answer' };

export function sizeText(bytes: number): string {
  return bytes >= MiB && bytes % MiB === 0
    ? `${bytes / MiB} MiB`
    : bytes >= KiB && bytes % KiB === 0
      ? `${bytes / KiB} KiB`
      : `${bytes} bytes`;
}

/** "HOST sent a manifest larger than 4 MiB (the limit) for GET /v2/...: not read" */
export function tooLargeMessage(host: string, limit: number, status: number, request: string, what: string): string {
  const kind = status >= 200 && status < 300 ? what : `${ERROR_LIMIT.what} (${status})`;
  return `${host} sent ${kind} larger than ${sizeText(limit)} (the limit) for ${request}: not read`;
}

/** The error a request ends with when its signal aborts: the signal's reason, else an AbortError. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : Object.assign(new Error('the request was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}
