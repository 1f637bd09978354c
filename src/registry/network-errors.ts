// Network failures, sorted by their code (errno, undici's, ours: never by their text) into
// what a retry can fix and what a person must fix (retry-policy.ts decides), and said in
// one line that names the host (never a request's headers).
import { jindrCommand, parseRegistryHost } from './host.ts';

export type NetworkErrorKind = 'refused' | 'reset' | 'timeout' | 'slow' | 'dns' | 'tls' | 'other';

const TLS_CODES =
  /^(ERR_SSL_|ERR_TLS_|EPROTO$|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_|CERT_|HOSTNAME_MISMATCH$)/;

function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    const inners = (current as { errors?: unknown }).errors; // AggregateError (happy eyeballs)
    for (const inner of Array.isArray(inners) ? (inners as unknown[]) : []) {
      const innerCode = (inner as { code?: unknown }).code;
      if (typeof innerCode === 'string') codes.push(innerCode);
    }
    current = current.cause;
  }
  return codes;
}

function findCause(err: unknown, match: (e: Error) => boolean): Error | undefined {
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if (match(current)) return current;
    current = current.cause;
  }
  return undefined;
}

export function classifyNetworkError(err: unknown): NetworkErrorKind {
  const codes = errorCodes(err);
  if (codes.includes('ECONNREFUSED')) return 'refused';
  if (codes.includes('ETOOSLOW')) return 'slow';
  if (
    codes.some(
      (c) => c === 'UND_ERR_CONNECT_TIMEOUT' || c === 'UND_ERR_HEADERS_TIMEOUT' || c === 'UND_ERR_BODY_TIMEOUT' || c === 'ETIMEDOUT',
    )
  )
    return 'timeout';
  if (codes.some((c) => c === 'ENOTFOUND' || c === 'EAI_AGAIN' || c === 'EAI_NONAME')) return 'dns';
  if (codes.some((c) => TLS_CODES.test(c))) return 'tls';
  if (
    codes.some(
      (c) =>
        c === 'ECONNRESET' ||
        c === 'EPIPE' ||
        c === 'UND_ERR_SOCKET' ||
        c === 'UND_ERR_CLOSED' ||
        c === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' ||
        c === 'ECONNABORTED',
    )
  ) {
    return 'reset';
  }
  return 'other';
}

export function networkErrorMessage(host: string, kind: NetworkErrorKind, err: unknown, timeoutMs: number): string {
  switch (kind) {
    case 'refused': {
      const parsed = parseRegistryHost(host);
      return typeof parsed !== 'string' && parsed.loopback
        ? `no registry answers on ${host} (start one with: ${jindrCommand(parsed, 'start')})`
        : `cannot connect to ${host}: connection refused`;
    }
    case 'timeout': {
      const detail = findCause(err, (e) => typeof (e as { ms?: unknown }).ms === 'number') as
        { ms: number; connecting?: boolean } | undefined;
      if (detail?.connecting)
        return `${host} did not accept a connection within ${detail.ms / 1000} s (JINDR_CONNECT_TIMEOUT_MS=<milliseconds> waits longer)`;
      return `${host} did not answer within ${(detail?.ms ?? timeoutMs) / 1000} s (JINDR_TIMEOUT_MS=<milliseconds> waits longer)`;
    }
    case 'slow': {
      const detail = findCause(err, (e) => (e as { code?: unknown }).code === 'ETOOSLOW');
      return `${host} sent too slowly: ${detail?.message ?? 'below the minimum rate'} (JINDR_MIN_RATE=<bytes per second> and JINDR_RATE_WINDOW_MS=<milliseconds> set the limit)`;
    }
    case 'dns':
      return `cannot resolve the registry host ${host}`;
    case 'tls':
      return `TLS connection to ${host} failed (${errorCodes(err).find((c) => TLS_CODES.test(c)) ?? 'TLS error'}): trust its CA in /etc/docker/certs.d/${host}/ca.crt, or use it as insecure`;
    case 'reset':
      return `${host} closed the connection during a request (tried again, still failing)`;
    case 'other':
      return `request to ${host} failed: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** Exponential backoff with jitter: ~250 ms, 500 ms, 1 s ...; Retry-After (seconds) when given, capped at 10 s. */
export function backoffMs(attempt: number, retryAfter: string | undefined): number {
  const seconds = retryAfter !== undefined ? Number(retryAfter) : NaN;
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 10_000);
  const base = 250 * 2 ** attempt;
  return Math.min(base + Math.random() * base * 0.5, 10_000);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
