// One HTTP client per registry host for the OCI Distribution API. No Docker engine here.
//
// API
//   const client = new RegistryClient('localhost:5001', { credentials, insecure, ca, cert, key,
//                                     connections: 16, concurrency: 16, timeoutMs: 30_000,
//                                     retries: 3, log, signal, scheme });
//   await client.request({ method: 'GET', path: '/v2/x/manifests/latest',
//                          scopes: [pullScope('x')], headers: { accept: ... },
//                          accept: [404] })            -> { status, headers, url, body: Buffer }
//   await client.stream({ ...same })                   -> { status, headers, url, body: Readable }
//       (the concurrency slot is held until the body ends or is destroyed)
//   header(response, 'docker-content-digest')          -> first value or undefined
//   pullScope(repo) / pushScope(repo) / deleteScope(repo) / CATALOG_SCOPE
//   await client.close()
//   Types Credential, CredentialSource (from auth.ts) are re-exported here.
//
// Behaviour
// - Keep-alive sockets, `connections` per origin: answers read whole over http1.ts, streamed
//   bodies over Node's http/https Agent (http-pool.ts); at most
//   `concurrency` requests in flight per client, the rest queue.
// - Plain HTTP for localhost, 127.0.0.0/8 and ::1 (falling back to HTTPS when such a
//   registry answers "HTTP request to an HTTPS server": verified with `ca` when given,
//   else without verification, as Docker does);
//   HTTPS elsewhere, verified with `ca` (and `cert`/`key` for client certificates)
//   unless `insecure`, which means TLS without verification, falling back to plain HTTP.
// - Retries with backoff on connection resets (and refusals once the host has answered
//   before, i.e. a restarting registry), truncated bodies, 429 (honouring Retry-After),
//   502, 503, 504, and 500 for GET/HEAD. Never on other 4xx; timeouts are not retried.
// - 401: the WWW-Authenticate challenge is answered (Basic, or a Bearer token for the
//   request's scopes, cached per scope set) and the request retried once; a second
//   401 or a 403 is an AuthError naming the host and `docker login <host>`.
// - Statuses outside 2xx (and 3xx, which GET/HEAD follow) that the caller did not list
//   in `accept` throw RegistryApiError with the registry's error codes and a short reason.
// - Bodies that must be resent after a 401 or a retry: pass a Buffer/string, or a
//   function returning a fresh stream per attempt.
// - `outlivesInterrupt: true`: the request is not ended by the client's signal (Ctrl-C), only by
//   its own; for cancelling what an interrupted command left (upload sessions, upload.ts).
// - Credentials and tokens never appear in logs or messages.
//
// This file holds the API, the 401 round and the mapping of error answers; the pool,
// scheme choice, redirects and retries are connection.ts's.
import type { Readable } from 'node:stream';
import { Authenticator, type CredentialSource } from './auth.ts';
import { parseChallenges } from './challenge.ts';
import { Connection, discard, header, readAll, type ConnectionOptions, type RegistryRequest, type RegistryResponse } from './connection.ts';
import { RegistryApiError, describeErrorBody, statusText } from './errors.ts';
import { registryHost, type RegistryHost } from './host.ts';
import { AnswerTooLargeError } from './http1-answer.ts';
import { ERROR_LIMIT, tooLargeMessage } from './wire-limits.ts';
import { RegistryError } from '../errors.ts';

export type { Credential, CredentialSource } from './auth.ts';
export { header, type RegistryRequest, type RegistryResponse } from './connection.ts';
export { CONFIG_LIMIT, MANIFEST_LIMIT } from './wire-limits.ts';
export { MIN_RATE } from './connection.ts';

export interface RegistryClientOptions extends ConnectionOptions {
  credentials?: CredentialSource;
  /** Aborts every request of this client (e.g. Ctrl-C). */
  signal?: AbortSignal;
  /** Where to remember what was learned about this registry (cache-file.ts); none: nothing is kept. */
  cacheDir?: string;
}

/** A request as the client takes it. */
export interface ClientRequest extends RegistryRequest {
  /**
   * Not ended by the client's signal (Ctrl-C): cancelling what an interrupted command left
   * at the registry (its upload sessions). Its own `signal` must bound it.
   */
  outlivesInterrupt?: boolean;
}

export const CATALOG_SCOPE = 'registry:catalog:*';
export const pullScope = (repository: string): string => `repository:${repository}:pull`;
export const pushScope = (repository: string): string => `repository:${repository}:pull,push`;
/** Deleting needs the delete action on registries that have one, `*` on others: ask for both styles. */
export const deleteScope = (repository: string): string => `repository:${repository}:pull,push,delete`;

export class RegistryClient {
  /** The registry as the user names it (credentials key, messages). */
  readonly host: string;
  private readonly registry: RegistryHost;
  private readonly options: RegistryClientOptions;
  private readonly connection: Connection;
  private readonly auth: Authenticator;
  /** The idle timeout of each request (for messages). */
  readonly timeoutMs: number;

  constructor(host: string | RegistryHost, options: RegistryClientOptions = {}) {
    this.registry = typeof host === 'string' ? registryHost(host, 'registry host') : host;
    this.host = this.registry.name;
    this.options = options;
    this.connection = new Connection(this.registry, options);
    this.timeoutMs = this.connection.timeoutMs;
    this.auth = new Authenticator({
      host: this.host,
      credentials: options.credentials,
      pool: this.connection.pool,
      origin: () => this.connection.origin,
      userAgent: options.userAgent ?? 'docker-jindr',
    });
  }

  get cacheDir(): string | undefined {
    return this.options.cacheDir;
  }

  /** The base URL requests currently go to, e.g. "http://localhost:5001". */
  get origin(): string {
    return this.connection.origin;
  }

  async request(req: ClientRequest): Promise<RegistryResponse> {
    return this.send(req, true);
  }

  async stream(req: ClientRequest): Promise<RegistryResponse<Readable>> {
    return this.send(req, false);
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /** Whether the registry has answered this client once (a refusal after that is a restart). */
  get answered(): boolean {
    return this.connection.answeredOnce;
  }

  private async send(req: ClientRequest, buffered: true): Promise<RegistryResponse>;
  private async send(req: ClientRequest, buffered: false): Promise<RegistryResponse<Readable>>;
  private async send(req: ClientRequest, buffered: boolean): Promise<RegistryResponse<Buffer | Readable>> {
    const scopes = req.scopes ?? [];
    const signal = req.outlivesInterrupt ? req.signal : anySignal(this.options.signal, req.signal);
    let authorization = await this.auth.authorization(scopes, signal);
    let response = await this.connection.attempt(req, authorization, buffered, signal);
    if (response.status === 401) {
      const challenges = parseChallenges(response.headers['www-authenticate']);
      await discard(response);
      authorization = await this.auth.answer(challenges, scopes, authorization, signal);
      response = await this.connection.attempt(req, authorization, buffered, signal);
    }
    if (response.status === 401 || response.status === 403) {
      await discard(response);
      throw await this.auth.refused(response.status);
    }
    if ((response.status >= 200 && response.status < 400) || req.accept?.includes(response.status)) return response;
    const what = `${req.method ?? 'GET'} ${new URL(response.url).pathname}`;
    const body = Buffer.isBuffer(response.body)
      ? response.body
      : await readAll(response.body, ERROR_LIMIT.bytes, response.status).catch((err: unknown) => {
          if (err instanceof AnswerTooLargeError)
            throw new RegistryError(tooLargeMessage(this.host, err.limit, err.status, what, ''), { status: response.status });
          return Buffer.alloc(0);
        });
    const { codes, otherCodes, storage, reason } = describeErrorBody(response.status, header(response, 'content-type'), body);
    // A proxy's or web server's page: the registry itself did not answer.
    const hint = /^an HTML page/.test(reason) ? ` (check that ${this.host} is a Docker registry and is running)` : '';
    throw new RegistryApiError(`${this.host} answered ${response.status} (${statusText(response.status)}) to ${what}: ${reason}${hint}`, {
      status: response.status,
      codes,
      ...(otherCodes ? { otherCodes } : {}),
      ...(storage ? { storage } : {}),
      path: new URL(response.url).pathname,
    });
  }
}

function anySignal(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  // Commands pass their own signal, which is also the client's: no composite per request.
  if (a && b && a !== b) return AbortSignal.any([a, b]);
  return a ?? b;
}
