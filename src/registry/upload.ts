// An upload session at a destination, from the location its POST answered to the PUT
// that commits it, or to the DELETE that cancels it. The blob goes in one streamed PATCH
// (chunked: where it ends is ours to say) and an empty PUT ?digest= commits it, as docker
// push and go-containerregistry upload.
// A copy that stops (Ctrl-C, a failure on either side, bytes that do not match their
// digest) ends the PATCH where it is instead of cutting the connection: the registry then
// answers with the session's location at the bytes it holds, and a DELETE there cancels the
// session. distribution refuses a DELETE at a location older than its data (404
// BLOB_UPLOAD_INVALID, seen on 2.8.2; the session stays until its weekly purge), and that
// is what a cut PATCH or PUT leaves. (A DELETE on 2.8.2 removes the data and the start
// time; closing the cancelled upload, the registry then writes its empty hash state again:
// _uploads/<id>/hashstates/sha256/0, 108 bytes, no longer a session it knows.)
import { PassThrough, type Readable } from 'node:stream';
import { DigestMismatchError, type Repo } from './blobs.ts';
import { header, pushScope } from './client.ts';
import { BodyConsumedError, RegistryApiError, describeErrorBody } from './errors.ts';

/** How long the end of an interrupted PATCH, and then the DELETE, may take. */
export const CANCEL_MS = 1500;

/** A signal that aborts ms after `after` does: what an interrupted request may still take. */
function boundAfter(after: AbortSignal, ms: number): AbortSignal {
  const controller = new AbortController();
  const start = (): void => void setTimeout(() => controller.abort(after.reason), ms).unref();
  if (after.aborted) start();
  else after.addEventListener('abort', start, { once: true });
  return controller.signal;
}

export class UploadSession {
  readonly repo: Repo;
  /** Where the session is, as the registry last said (its POST's, then its PATCH's Location). */
  location: string;

  constructor(repo: Repo, location: string) {
    this.repo = repo;
    this.location = location;
  }

  /**
   * Streams body into the session in one PATCH. When stop aborts, or body fails, the PATCH
   * ends with what was sent (and may take CANCEL_MS more for its answer); the caller then
   * cancels. body is read once: a retried request fails with BodyConsumedError as the cause.
   */
  async send(body: Readable, stop: AbortSignal, digest: string): Promise<void> {
    const out = new PassThrough();
    const end = (): void => {
      body.unpipe(out);
      out.end();
    };
    body.once('error', end);
    stop.addEventListener('abort', end, { once: true });
    body.pipe(out);
    if (stop.aborted) end();
    let used = false;
    try {
      const response = await this.repo.client.request({
        method: 'PATCH',
        path: this.location,
        scopes: [pushScope(this.repo.repository)],
        headers: { 'content-type': 'application/octet-stream' },
        body: () => {
          if (used) throw new BodyConsumedError(`the upload of ${digest} must start over`);
          used = true;
          return out;
        },
        signal: boundAfter(stop, CANCEL_MS),
        outlivesInterrupt: true,
      });
      this.moved(response);
    } finally {
      stop.removeEventListener('abort', end);
      body.off('error', end);
    }
  }

  /** Commits what the session holds under digest (an empty PUT ?digest=). */
  async commit(digest: string, signal: AbortSignal): Promise<void> {
    const url = new URL(this.location);
    url.searchParams.set('digest', digest);
    const put = await this.repo.client.request({
      method: 'PUT',
      path: url.href,
      scopes: [pushScope(this.repo.repository)],
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(0),
      signal,
    });
    const stored = header(put, 'docker-content-digest');
    if (stored && stored !== digest) {
      throw new DigestMismatchError(`${this.repo.client.host} stored ${digest} in ${this.repo.repository} as ${stored}`);
    }
  }

  /**
   * Abandons the session (DELETE at its last location), within CANCEL_MS, even after
   * Ctrl-C. True when the session is gone; false when the registry kept it (no DELETE for
   * uploads: 405; a location older than its data: 404 BLOB_UPLOAD_INVALID) or did not answer.
   * Never throws: whatever failed before matters more.
   */
  async cancel(): Promise<boolean> {
    try {
      const response = await this.repo.client.request({
        method: 'DELETE',
        path: this.location,
        scopes: [pushScope(this.repo.repository)],
        accept: [400, 404, 405],
        signal: AbortSignal.timeout(CANCEL_MS),
        outlivesInterrupt: true,
      });
      if (response.status < 300) return true;
      // Already gone (committed, cancelled by the registry itself, or purged).
      return (
        response.status === 404 &&
        describeErrorBody(404, header(response, 'content-type'), response.body).codes.includes('BLOB_UPLOAD_UNKNOWN')
      );
    } catch {
      return false;
    }
  }

  private moved(response: { headers: Record<string, string | string[] | undefined> }): void {
    const location = header(response, 'location');
    if (location) this.location = new URL(location, this.repo.client.origin + '/').href;
  }
}

/**
 * A copy's failure as the user reads it: a destination whose storage is full is told what
 * this copy's own unfinished uploads came to (cancelled, or left for gc), since they are
 * space to free. Other failures are returned as they are.
 */
export function withAbandoned(err: unknown, abandoned: { cancelled: number; left: number }): unknown {
  if (!(err instanceof RegistryApiError) || err.storage !== 'full') return err;
  const { cancelled, left } = abandoned;
  const uploads = (n: number): string => `${n} unfinished upload${n === 1 ? '' : 's'}`;
  const gc = `\`docker jindr gc --grace 0s\` removes ${left === 1 ? 'it' : 'them'} from a registry docker-jindr runs`;
  const stay = left === 1 ? 'stays' : 'stay';
  const note =
    cancelled > 0 && left > 0
      ? `this copy cancelled ${cancelled} of its unfinished uploads there; ${left} more ${stay} until the registry purges ${left === 1 ? 'it' : 'them'}, or ${gc}`
      : cancelled > 0
        ? `this copy cancelled its ${uploads(cancelled)} there`
        : left > 0
          ? `this copy's ${uploads(left)} ${stay} there until the registry purges ${left === 1 ? 'it' : 'them'}, or ${gc}`
          : 'uploads that earlier copies left unfinished take space too: `docker jindr gc --grace 0s` removes them from a registry docker-jindr runs';
  const message = `${err.message} (${note})`;
  return new RegistryApiError(message, {
    status: err.status,
    codes: err.codes,
    otherCodes: err.otherCodes,
    storage: err.storage,
    ...(err.path ? { path: err.path } : {}),
    cause: err,
  });
}
