// Registry authentication: what to put in the Authorization header for a set of
// token scopes, learned from the registry's 401 challenge (distribution's token
// auth spec). Basic registries get the user's credentials on every request; Bearer
// registries get a token from the realm, cached per scope set until it expires.
// Nothing here ever logs or returns a credential or token in a message.
import { bodyText, type HttpPool, type WireResponse } from './http-pool.ts';
import { parseRegistryHost } from './host.ts';
import { AnswerTooLargeError } from './http1-answer.ts';
import { TOKEN_LIMIT, sizeText } from './wire-limits.ts';
import { AuthError } from '../errors.ts';
import type { Challenge } from './challenge.ts';
import * as shape from '../json-shape.ts';

export type Credential = { username: string; password: string } | { identityToken: string; username?: string };

/** Where credentials come from (Docker's config and helpers, in the CLI). `host` is e.g. "localhost:5001" or "docker.io". */
export type CredentialSource = (host: string) => Promise<Credential | undefined>;

const DEFAULT_TOKEN_SECONDS = 60;
/** Renew a little early so a token does not expire between check and use. */
const EXPIRY_MARGIN_MS = 5_000;

interface CachedToken {
  header: string;
  expiresAt: number;
}

export interface AuthenticatorOptions {
  /** The registry as named by the user: the key for credentials and for messages. */
  host: string;
  credentials?: CredentialSource;
  /** The registry client's pool (its TLS settings, its idle timeout). */
  pool: HttpPool;
  /** The registry's origin now (its scheme may change on its first answer), e.g. "https://registry.example". */
  origin: () => string;
  userAgent: string;
  now?: () => number;
}

/** A token service's answer (distribution's token spec): token or access_token, and its lifetime in seconds. */
function readTokenAnswer(json: unknown): { token?: string; access_token?: string; expires_in?: number } {
  const f = new shape.Fields(json);
  return {
    token: f.optional('token', shape.string),
    access_token: f.optional('access_token', shape.string),
    expires_in: f.optional('expires_in', shape.integer),
  };
}

export class Authenticator {
  private readonly options: AuthenticatorOptions;
  private challenge: Challenge | undefined;
  private credential: Promise<Credential | undefined> | undefined;
  private readonly tokens = new Map<string, { pending: Promise<CachedToken>; expiresAt: number }>();

  constructor(options: AuthenticatorOptions) {
    this.options = options;
  }

  /** True once the registry has asked for authentication. */
  get required(): boolean {
    return this.challenge !== undefined;
  }

  /** The Authorization header for these scopes, or undefined while the registry has asked for none. */
  async authorization(scopes: readonly string[], signal?: AbortSignal): Promise<string | undefined> {
    const challenge = this.challenge;
    if (challenge === undefined) return undefined;
    if (challenge.scheme === 'basic') return this.basicHeader();
    return (await this.token(challenge, scopes, false, signal)).header;
  }

  /**
   * Called on a 401: remembers the challenge and returns a fresh header to retry with.
   * Throws AuthError when there is nothing better to send than what was just refused.
   */
  async answer(
    challenges: readonly Challenge[],
    scopes: readonly string[],
    sent: string | undefined,
    signal?: AbortSignal,
  ): Promise<string> {
    const challenge = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
    if (challenge === undefined) {
      throw new AuthError(`${this.options.host} asks for an authentication scheme docker-jindr does not support`, { status: 401 });
    }
    this.challenge = challenge;
    if (challenge.scheme === 'basic') {
      const header = await this.basicHeader();
      if (header === undefined || header === sent) throw await this.refused(401);
      return header;
    }
    // The challenge may name a scope the operation did not think of (e.g. a mount's source).
    const wanted = challenge.params.scope ? [...new Set([...scopes, ...challenge.params.scope.split(' ')])] : scopes;
    // Concurrent requests refused with the same stale token share one renewal.
    const current = await this.token(challenge, wanted, false, signal);
    if (current.header !== sent) return current.header;
    return (await this.token(challenge, wanted, true, signal)).header;
  }

  /** The AuthError for a refusal after we authenticated (or had nothing to authenticate with). */
  async refused(status: number): Promise<AuthError> {
    const host = this.options.host;
    const credential = await this.getCredential();
    const what = status === 403 ? 'denied access' : 'refused the request';
    const hint = credential ? `check your credentials: docker login ${host}` : `log in first: docker login ${host}`;
    return new AuthError(`${host} ${what} (${status}); ${hint}`, { status });
  }

  private getCredential(): Promise<Credential | undefined> {
    this.credential ??= this.options.credentials ? this.options.credentials(this.options.host) : Promise.resolve(undefined);
    return this.credential;
  }

  private async basicHeader(): Promise<string | undefined> {
    const credential = await this.getCredential();
    if (credential === undefined || !('password' in credential)) return undefined;
    return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
  }

  private token(challenge: Challenge, scopes: readonly string[], fresh: boolean, signal?: AbortSignal): Promise<CachedToken> {
    const key = [...new Set(scopes)].sort().join(' ');
    const entry = this.tokens.get(key);
    // A pending fetch (expiresAt Infinity) or a still-valid token is shared by every caller.
    if (entry && !fresh && entry.expiresAt > (this.options.now ?? Date.now)()) return entry.pending;
    const pending = this.fetchToken(challenge, scopes, signal);
    const next = { pending, expiresAt: Infinity };
    this.tokens.set(key, next);
    pending.then(
      (token) => (next.expiresAt = token.expiresAt),
      () => this.tokens.get(key) === next && this.tokens.delete(key),
    );
    return pending;
  }

  private async fetchToken(challenge: Challenge, scopes: readonly string[], signal?: AbortSignal): Promise<CachedToken> {
    const host = this.options.host;
    const realm = challenge.params.realm;
    if (!realm) throw new AuthError(`${host} asked for a Bearer token without saying where to get one (no realm)`, { status: 401 });
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new AuthError(`${host} named an invalid token realm`, { status: 401 });
    }
    const service = challenge.params.service;
    const registry = new URL(this.options.origin());
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new AuthError(`${host} named a token realm that is not HTTP(S) (${url.protocol})`, { status: 401 });
    if (registry.protocol === 'https:' && url.protocol === 'http:') {
      throw new AuthError(
        `${host} named a token service on plain HTTP (${url.origin}) for an https registry: refused (a token must not travel unencrypted)`,
        { status: 401 },
      );
    }
    const credential = await this.getCredential();
    if (credential && !mayReceiveCredentials(url, registry)) {
      throw new AuthError(
        `${host} named a token service on another host over plain HTTP (${url.origin}): your password is sent to another host only over https`,
        { status: 401 },
      );
    }
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent };
    let method: 'GET' | 'POST' = 'GET';
    let body: string | undefined;
    if (credential && 'identityToken' in credential) {
      method = 'POST';
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credential.identityToken, client_id: 'docker-jindr' });
      if (service) form.set('service', service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      body = form.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else {
      if (service) url.searchParams.set('service', service);
      for (const scope of scopes) url.searchParams.append('scope', scope);
      if (credential) {
        url.searchParams.set('account', credential.username);
        headers.authorization = `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
      }
    }
    let response: WireResponse;
    try {
      response = await this.options.pool.request(url, { method, headers, body, signal });
    } catch (err) {
      if (signal?.aborted && signal.reason instanceof Error) throw signal.reason;
      // The cause may carry the request, never the credentials: Node's errors hold no headers.
      throw new AuthError(`cannot reach the token service of ${host} at ${url.origin}: ${(err as Error).message}`, { status: 401 });
    }
    const text = await bodyText(response.body, TOKEN_LIMIT.bytes).catch((err: unknown) => {
      if (err instanceof AnswerTooLargeError)
        throw new AuthError(
          `the token service of ${host} sent an answer larger than ${sizeText(TOKEN_LIMIT.bytes)} (the limit): not read`,
          { status: 401 },
        );
      return '';
    });
    if (response.statusCode === 401 || response.statusCode === 403) throw await this.refused(response.statusCode);
    if (response.statusCode >= 300) {
      throw new AuthError(`the token service of ${host} answered ${response.statusCode}`, { status: response.statusCode });
    }
    const answer = shape.readJson(
      text,
      readTokenAnswer,
      (problem) => new AuthError(`the token service of ${host} sent a malformed answer: ${problem}`, { status: response.statusCode }),
    );
    const token = answer.access_token || answer.token;
    if (!token) throw new AuthError(`the token service of ${host} sent no token`, { status: 401 });
    // As Docker: a lifetime that is absent, 0 or negative means the default.
    const seconds = answer.expires_in !== undefined && answer.expires_in > 0 ? answer.expires_in : DEFAULT_TOKEN_SECONDS;
    const now = (this.options.now ?? Date.now)();
    return { header: `Bearer ${token}`, expiresAt: now + seconds * 1000 - EXPIRY_MARGIN_MS };
  }
}

/** The password goes to the registry's own host, to any host over https, or between loopback addresses. */
function mayReceiveCredentials(realm: URL, registry: URL): boolean {
  if (realm.protocol === 'https:' || realm.hostname === registry.hostname) return true;
  const loopback = (u: URL): boolean => {
    const parsed = parseRegistryHost(u.host);
    return typeof parsed !== 'string' && parsed.loopback;
  };
  return loopback(realm) && loopback(registry);
}
