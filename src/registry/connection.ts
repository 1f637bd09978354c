// The wire under a RegistryClient: a keep-alive pool to one registry, the scheme
// (plain HTTP for loopback, switching to HTTPS when such a registry answers "HTTP
// request to an HTTPS server"; TLS without verification for --insecure, switching to
// plain HTTP when the registry does not speak TLS), redirects followed for GET/HEAD,
// at most `concurrency` requests in flight, and retries with backoff of transient
// failures. It knows nothing of authentication: the client hands it the header to send.
import { Readable } from 'node:stream';
import { InterruptedError, RegistryError } from '../errors.ts';
import { HttpPool, readAll } from './http-pool.ts';
import { AnswerTooLargeError } from './http1-answer.ts';
import { ANSWER_LIMIT, ERROR_LIMIT, tooLargeMessage, type AnswerLimit, type MinRate } from './wire-limits.ts';
import { createLimit, type Limit } from './limit.ts';
import type { RegistryHost } from './host.ts';
import type { ProxyChooser } from './proxy-env.ts';
import { classifyNetworkError, networkErrorMessage, sleep, backoffMs } from './network-errors.ts';
import { describeErrorBody } from './errors.ts';
import { retryConnection, retryRequest } from './retry-policy.ts';

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
export type Headers = Record<string, string | string[] | undefined>;

export interface ConnectionOptions {
  /** Non-loopback hosts: TLS without verification, then plain HTTP. */
  insecure?: boolean;
  /** PEM CA certificate(s) to trust (Docker's certs.d/<host>/*.crt). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** PEM client certificate and key (certs.d/<host>/*.cert + *.key). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Kept-alive sockets per origin (default 16). */
  connections?: number;
  /** Requests in flight at once (default 16). */
  concurrency?: number;
  /** Idle timeout per request: waiting for headers, between body chunks (default 30 s). */
  timeoutMs?: number;
  /** Time to connect (default: timeoutMs). */
  connectTimeoutMs?: number;
  /** An answer slower than this over a whole window is ended (default 1 KiB/s over 60 s). */
  minRate?: MinRate;
  /** Retries of transient failures (default 3). */
  retries?: number;
  /** Debug lines (method, URL, status, time); never credentials. */
  log?: (message: string) => void;
  /** Force a scheme instead of choosing by host. */
  scheme?: 'http' | 'https';
  userAgent?: string;
  /** The proxy for each request's URL (proxy-env.ts), token realms included; none: all direct. */
  proxy?: ProxyChooser | undefined;
}

export interface RegistryRequest {
  method?: HttpMethod;
  /** A path on this registry ('/v2/...'), or an absolute URL it gave us (Location, Link). */
  path: string;
  /** Token scopes the operation needs, e.g. [pullScope('team/app')]. */
  scopes?: readonly string[];
  headers?: Record<string, string>;
  body?: Buffer | string | (() => Readable | Buffer);
  /** Non-2xx statuses that are answers for the caller rather than errors (e.g. [404]). */
  accept?: readonly number[];
  /** The most bytes a body read whole may have, and what it is (default ANSWER_LIMIT); error answers have ERROR_LIMIT. */
  limit?: AnswerLimit;
  signal?: AbortSignal;
}

export interface RegistryResponse<B = Buffer> {
  status: number;
  headers: Headers;
  /** The URL that answered (after redirects). */
  url: string;
  body: B;
}

export function header(response: { headers: Headers }, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** As Go's http client (and so Docker): at most 10 redirects. */
const MAX_REDIRECTS = 10;
/** The default minimum rate: 1 KiB/s, over each minute of an answer. */
export const MIN_RATE: MinRate = { bytesPerSecond: 1024, windowMs: 60_000 };

export class Connection {
  /** The registry as the user names it (messages). */
  readonly host: string;
  /** The pool, for the token service's requests too. */
  readonly pool: HttpPool;
  /** The idle timeout of each request (for messages). */
  readonly timeoutMs: number;
  private readonly options: ConnectionOptions;
  private readonly limit: Limit;
  private scheme: 'http' | 'https';
  /** Whether the scheme may still change on the first answer (loopback HTTP -> HTTPS, insecure HTTPS -> HTTP). */
  private schemeSettled: boolean;
  /** Whether this registry has answered once (a refusal after that is a restart; before, nothing listens). */
  answeredOnce = false;

  private readonly registry: RegistryHost;

  constructor(registry: RegistryHost, options: ConnectionOptions) {
    this.registry = registry;
    this.host = registry.name;
    this.options = options;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const local = registry.loopback;
    this.scheme = options.scheme ?? (local ? 'http' : 'https');
    this.schemeSettled = options.scheme !== undefined || !(local || options.insecure === true);
    this.pool = new HttpPool({
      connections: options.connections ?? 16,
      timeoutMs: this.timeoutMs,
      proxy: options.proxy,
      connectTimeoutMs: options.connectTimeoutMs ?? this.timeoutMs,
      minRate: options.minRate ?? MIN_RATE,
      tls: {
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        // Docker treats loopback registries as insecure too; but a CA given for one (certs.d,
        // where start --tls puts its own) is held to, so a loopback registry is verified too.
        rejectUnauthorized: !(options.insecure === true || (local && options.ca === undefined)),
      },
    });
    this.limit = createLimit(options.concurrency ?? 16);
  }

  /** The base URL requests currently go to, e.g. "http://localhost:5001". */
  get origin(): string {
    return `${this.scheme}://${this.registry.requestHost}`;
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private originCache: [string, string] | undefined;

  /** origin as URL normalises it, kept while the scheme stays (a URL parse fewer per request). */
  private ownOrigin(): string {
    const origin = this.origin;
    if (this.originCache?.[0] !== origin) this.originCache = [origin, new URL(origin).origin];
    return this.originCache[1];
  }

  /** One request, with retries of transient failures and redirects followed for GET/HEAD. */
  async attempt(
    req: RegistryRequest,
    authorization: string | undefined,
    buffered: boolean,
    signal: AbortSignal | undefined,
  ): Promise<RegistryResponse<Buffer | Readable>> {
    const retries = this.options.retries ?? 3;
    for (let attemptNo = 0; ; attemptNo += 1) {
      const scheme = this.scheme;
      try {
        const response = await this.exchange(req, authorization, buffered, signal);
        this.answeredOnce = true;
        if (response.status < 400 || attemptNo >= retries) return response;
        const body = response.body;
        const read = () => (Buffer.isBuffer(body) ? describeErrorBody(response.status, header(response, 'content-type'), body) : undefined);
        if (!retryRequest(response.status, req.method ?? 'GET', read)) return response;
        await discard(response);
        await sleep(backoffMs(attemptNo, header(response, 'retry-after')), signal);
      } catch (err) {
        if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new InterruptedError();
        if (err instanceof RegistryError) throw err;
        if (err instanceof AnswerTooLargeError) {
          const what = `${req.method ?? 'GET'} ${new URL(req.path, this.origin).pathname}`;
          throw new RegistryError(tooLargeMessage(this.host, err.limit, err.status, what, (req.limit ?? ANSWER_LIMIT).what), {
            cause: err,
          });
        }
        const kind = classifyNetworkError(err);
        // Another request found meanwhile that this registry does not speak TLS: ask again over plain HTTP.
        if (kind === 'tls' && scheme === 'https' && this.scheme === 'http') continue;
        if (kind === 'tls' && !this.schemeSettled && this.scheme === 'https') {
          this.scheme = 'http'; // --insecure: a registry that does not speak TLS
          this.schemeSettled = true;
          continue;
        }
        if (!retryConnection(kind, this.answeredOnce) || attemptNo >= retries) {
          throw new RegistryError(networkErrorMessage(this.host, kind, err, this.timeoutMs), { cause: err });
        }
        // The path only: an absolute Location may carry an upload's state or userinfo.
        this.options.log?.(`retrying ${req.method ?? 'GET'} ${this.host}${new URL(req.path, this.origin).pathname} after ${kind}`);
        await sleep(backoffMs(attemptNo, undefined), signal);
      }
    }
  }

  /** One HTTP exchange (plus redirects), holding a concurrency slot while it runs. */
  private async exchange(
    req: RegistryRequest,
    authorization: string | undefined,
    buffered: boolean,
    signal: AbortSignal | undefined,
  ): Promise<RegistryResponse<Buffer | Readable>> {
    const method = req.method ?? 'GET';
    const release = await this.limit.acquire(signal);
    let keepSlot = false;
    try {
      // The registry's own origin, not the request's: a Link or Location header naming
      // another host must not be handed the credentials (Docker sends them only to hosts
      // that challenged it).
      const ownOrigin = this.ownOrigin();
      let url = new URL(req.path, this.origin);
      for (let hop = 0; ; hop += 1) {
        const headers: Record<string, string> = { 'user-agent': this.options.userAgent ?? 'docker-jindr', ...req.headers };
        // Credentials go only to the registry itself, never to a redirect target elsewhere.
        if (authorization !== undefined && url.origin === ownOrigin) headers.authorization = authorization;
        const body = typeof req.body === 'function' ? req.body() : req.body;
        // Read whole with a body in memory: the lean HTTP/1.1 path (http1.ts); streams take Node's http.
        const whole = (buffered || method === 'HEAD') && (body === undefined || typeof body === 'string' || Buffer.isBuffer(body));
        const started = Date.now();
        const limits = { body: (req.limit ?? ANSWER_LIMIT).bytes, error: ERROR_LIMIT.bytes };
        const response = whole
          ? await this.pool.requestWhole(url, { method, headers, body, signal, limits })
          : await this.pool.request(url, { method, headers, body, signal });
        const status = response.statusCode;
        this.options.log?.(`${method} ${url.origin}${url.pathname} -> ${status} (${Date.now() - started} ms)`);
        const location = response.headers.location;
        if ((method === 'GET' || method === 'HEAD') && [301, 302, 303, 307, 308].includes(status) && typeof location === 'string') {
          if (!Buffer.isBuffer(response.body)) response.body.destroy();
          const next = new URL(location, url);
          const what = `${method} ${new URL(req.path, this.origin).pathname}`;
          if (hop + 1 > MAX_REDIRECTS) throw new RegistryError(`${this.host} redirected ${what} more than ${MAX_REDIRECTS} times: refused`);
          if (url.protocol === 'https:' && next.protocol !== 'https:') {
            throw new RegistryError(
              `${this.host} redirected ${what} from https to ${next.protocol.slice(0, -1)} (${next.host}): refused, it would go unencrypted`,
            );
          }
          url = next;
          continue;
        }
        // Another request found meanwhile that this loopback registry speaks TLS: ask again over it
        // (a path of its own only: an absolute http URL would be asked the same way again).
        if (status === 400 && hop === 0 && url.protocol === 'http:' && new URL(req.path, this.origin).protocol === 'https:') {
          if (!Buffer.isBuffer(response.body)) response.body.destroy();
          release();
          return await this.exchange(req, authorization, buffered, signal);
        }
        if (status === 400 && !this.schemeSettled && this.scheme === 'http') {
          const text = (await bytesOf(response.body)).toString('utf8');
          // A HEAD answer has no body to tell: ask /v2/ with a GET, which has one.
          const probe =
            method === 'HEAD'
              ? (await this.pool.requestWhole(new URL('/v2/', this.origin), { method: 'GET', headers: {}, signal })).body.toString('utf8')
              : text;
          if (/HTTP request to an HTTPS server/i.test(probe)) {
            this.scheme = 'https'; // a loopback registry with TLS
            this.schemeSettled = true;
            release();
            return await this.exchange(req, authorization, buffered, signal);
          }
          return { status, headers: response.headers, url: url.href, body: Buffer.from(text) };
        }
        this.schemeSettled = true;
        if (buffered || method === 'HEAD') {
          const ok = status >= 200 && status < 300;
          const bytes = await bytesOf(response.body, ok ? limits.body : limits.error, status);
          return { status, headers: response.headers, url: url.href, body: buffered ? bytes : emptyStream(bytes) };
        }
        keepSlot = true;
        const stream = response.body as Readable; // not whole: Node's http answer
        stream.once('close', release);
        return { status, headers: response.headers, url: url.href, body: stream };
      }
    } finally {
      if (!keepSlot) release();
    }
  }
}

function bytesOf(body: Buffer | Readable, limit = ERROR_LIMIT.bytes, status = 400): Promise<Buffer> {
  return Buffer.isBuffer(body) ? Promise.resolve(body) : readAll(body, limit, status);
}

export { readAll } from './http-pool.ts';

export async function discard(response: RegistryResponse<Buffer | Readable>): Promise<void> {
  if (!Buffer.isBuffer(response.body)) response.body.destroy();
}

function emptyStream(bytes: Buffer): Readable {
  return Readable.from(bytes.length > 0 ? [bytes] : []);
}
