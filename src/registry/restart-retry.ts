// A destination registry that restarts under a copy: `docker jindr gc` (and stop, or an
// operator's restart) stops it for a few seconds. Meanwhile connections are refused or
// reset; and its upload sessions end with it, since the registry signs each session's
// state with a secret made at start-up (unless http.secret is set): a session opened
// before the restart is refused after it (BLOB_UPLOAD_INVALID, or BLOB_UPLOAD_UNKNOWN
// when its files are gone), with a 404. A step that failed so (a blob's whole upload,
// a manifest's PUT) runs again from its start, in a fresh session, once the registry
// answers again: at most `attempts` times in all, each wait at most the client's timeout.
// A broken connection counts only if the registry does not answer right then: it may
// have been the source's, or a hiccup, which the caller's own retries deal with.
import { RegistryError } from '../errors.ts';
import type { RegistryClient } from './client.ts';
import { classifyNetworkError, sleep } from './network-errors.ts';
import { restartFailure, sessionGone } from './retry-policy.ts';

/**
 * Waits until the registry answers `GET /v2/` (any HTTP answer counts, a refusal of our
 * credentials included), for at most the client's timeout. False if it never did.
 */
export async function waitUntilAnswering(client: RegistryClient, signal?: AbortSignal, pollMs = 500): Promise<boolean> {
  const deadline = Date.now() + client.timeoutMs;
  for (;;) {
    try {
      await client.request({ path: '/v2/', accept: [401, 404], signal });
      return true;
    } catch (err) {
      if (signal?.aborted) throw err;
      if (err instanceof RegistryError && err.status !== undefined) return true;
      if (Date.now() + pollMs > deadline) return false;
      await sleep(pollMs, signal);
    }
  }
}

/** One GET /v2/ (with the client's own quick retries): does the registry answer? */
async function answersNow(client: RegistryClient, signal?: AbortSignal): Promise<boolean> {
  try {
    await client.request({ path: '/v2/', accept: [401, 404], signal });
    return true;
  } catch (err) {
    if (signal?.aborted) throw err;
    return err instanceof RegistryError && err.status !== undefined;
  }
}

export interface RestartRetryOptions {
  /** Runs of the step in all (default 3). */
  attempts?: number;
  signal?: AbortSignal;
  /** Told before each new run, with the failure's message. */
  onRetry?: (reason: string) => void;
}

/**
 * Runs step, and runs it again when it failed because the registry restarted (see
 * restartFailure), once the registry answers again. The failure it ends with is not one
 * a caller should retry again (no network cause): the waiting has been done here.
 */
export async function acrossRestarts<T>(client: RegistryClient, step: () => Promise<T>, options: RestartRetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 3);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step();
    } catch (err) {
      if (options.signal?.aborted || !restartFailure(err)) throw err;
      // Refused before this registry ever answered: nothing listens there, nothing restarts.
      if (!client.answered && classifyNetworkError(err) === 'refused') throw err;
      if (!sessionGone(err) && (await answersNow(client, options.signal))) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      if (attempt >= attempts) {
        throw new RegistryError(`${reason} (tried ${attempts} times, the registry restarting in between)`);
      }
      options.onRetry?.(reason);
      if (!(await waitUntilAnswering(client, options.signal))) {
        throw new RegistryError(
          `${client.host} went away during the copy and did not answer again within ${client.timeoutMs / 1000} s (JINDR_TIMEOUT_MS=<milliseconds> waits longer)`,
        );
      }
    }
  }
}
