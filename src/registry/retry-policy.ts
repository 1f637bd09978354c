// When to try again: the one policy, decided by what failed and never by an error's text.
// - An answer: by the registry's error codes when it sent any (temporary as
//   go-containerregistry's transport.Error.Temporary: every code temporary), else by its
//   status. A storage that is full or read-only is for a person to fix, not a retry.
// - No answer: by the network failure's class (its errno or code, network-errors.ts).
// Three loops apply it, each at its own scale:
//   - one request (connection.ts): temporaryAnswer, retryConnection; quick backoff;
//   - one step of a copy, a blob's whole upload (copy-blobs.ts): temporary;
//   - a registry restarting under a copy (restart-retry.ts): restartFailure, sessionGone.
import { AuthError, InterruptedError, NotFoundError, RegistryError } from '../errors.ts';
import { BodyConsumedError, RegistryApiError, type ErrorBody, type RegistryErrorCode } from './errors.ts';
import { classifyNetworkError, type NetworkErrorKind } from './network-errors.ts';

/** The codes that say "try again later" (go-containerregistry's temporaryErrorCodes). */
const TEMPORARY_CODES: ReadonlySet<RegistryErrorCode> = new Set(['BLOB_UPLOAD_INVALID', 'TOOMANYREQUESTS', 'UNKNOWN', 'UNAVAILABLE']);

/** Statuses that say so when no code does. Not 501 or 505: what a server cannot do now it will not later. */
const TEMPORARY_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** The registry no longer knows an upload session (it restarted since the session was opened). */
const SESSION_CODES: ReadonlySet<RegistryErrorCode> = new Set(['BLOB_UPLOAD_UNKNOWN', 'BLOB_UPLOAD_INVALID']);

/** Whether an answer with this status and these codes may go otherwise if asked again. */
export function temporaryAnswer(status: number, codes: readonly RegistryErrorCode[]): boolean {
  if (codes.length > 0) return codes.every((c) => TEMPORARY_CODES.has(c));
  return TEMPORARY_STATUSES.has(status);
}

/**
 * One request asked again at once (connection.ts), before its answer is read as an error:
 * a 500 only for reads (a storage hiccup under load passes, and a read changes nothing).
 * The body (codes, storage trouble) is read only for a status that may be temporary; a
 * streamed body is not read here (undefined): its status decides.
 */
export function retryRequest(status: number, method: string, body: () => Pick<ErrorBody, 'codes' | 'storage'> | undefined): boolean {
  if (!TEMPORARY_STATUSES.has(status) || status === 408 || (status === 500 && method !== 'GET' && method !== 'HEAD')) return false;
  const read = body();
  return read === undefined || (read.storage === undefined && temporaryAnswer(status, read.codes));
}

/** One request sent again after its connection failed: reset, or refused by a host that answered before (restarting). */
export function retryConnection(kind: NetworkErrorKind, answeredOnce: boolean): boolean {
  return kind === 'reset' || (kind === 'refused' && answeredOnce);
}

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = err, depth = 0; e !== undefined && depth < 6; e = e instanceof Error ? e.cause : undefined, depth += 1) chain.push(e);
  return chain;
}

/** A failure with no answer behind it (a RegistryError the client made of a network failure). */
function unanswered(err: unknown): err is RegistryError {
  return err instanceof RegistryError && !(err instanceof RegistryApiError) && err.status === undefined;
}

/** A streamed body could not be sent again after a broken connection: the step must start over. */
function bodyConsumed(err: unknown): boolean {
  return causes(err).some((e) => e instanceof BodyConsumedError);
}

/** The registry answered 404 to an upload: its session is gone (by its code, or by the request's path when it sent none). */
export function sessionGone(err: unknown): boolean {
  if (!(err instanceof RegistryApiError) || err.status !== 404) return false;
  if (err.codes.length > 0) return err.codes.some((c) => SESSION_CODES.has(c));
  return err.path !== undefined && /\/blobs\/uploads\//.test(err.path);
}

/** Whether err is what a registry restarting does to a request: refused, reset, or its upload session gone. */
export function restartFailure(err: unknown): boolean {
  if (sessionGone(err)) return true;
  if (!unanswered(err)) return false;
  if (bodyConsumed(err)) return true;
  const kind = classifyNetworkError(err);
  return kind === 'refused' || kind === 'reset';
}

/**
 * Whether a step that failed so (a blob's whole copy) may succeed when run again from its
 * start: a temporary answer, a session gone (a fresh one is opened), network trouble the
 * request's own retries did not outlast. Never credentials, digests, absence, Ctrl-C,
 * a storage a person must free, TLS or DNS.
 */
export function temporary(err: unknown): boolean {
  if (err instanceof AuthError || err instanceof InterruptedError || err instanceof NotFoundError) return false;
  if (err instanceof RegistryApiError) return err.storage === undefined && (sessionGone(err) || temporaryAnswer(err.status, err.codes));
  // A digest mismatch, a missing upload location...: made here of an answer that was wrong, not absent.
  if (!unanswered(err)) return false;
  if (bodyConsumed(err)) return true;
  const kind = classifyNetworkError(err);
  return kind === 'reset' || kind === 'refused' || kind === 'timeout';
}
