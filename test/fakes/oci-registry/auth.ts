// Authentication for the in-process registry, as distribution does it: Basic (htpasswd)
// or Bearer tokens from a token endpoint on the same server (/token, the distribution
// token spec: GET with Basic credentials or anonymous, POST grant_type=password or
// refresh_token). Each 401 carries the challenge naming the scopes the request needs.
import { randomBytes } from 'node:crypto';
import { apiError, json, type Reply, type Request } from './reply.ts';

export interface AuthOptions {
  /** htpasswd-style: these users, Basic on every request. */
  basic?: { users: Record<string, string>; realm?: string };
  bearer?: {
    /** Users who may ask for tokens with Basic credentials or grant_type=password. */
    users?: Record<string, string>;
    /** The service named in the challenge (default: the registry's host). */
    service?: string;
    /** What a token asked for without credentials grants: nothing (default), pulls only, or everything. */
    anonymous?: false | 'pull' | true;
    /** Identity tokens (refresh tokens) and the user each stands for. */
    refreshTokens?: Record<string, string>;
    expiresIn?: number;
    /** The token endpoint's JSON answer (default: both `token` and `access_token`, as distribution's). */
    tokenResponse?: (token: string, expiresIn: number) => unknown;
  };
}

export interface TokenRequest {
  method: string;
  /** The query of a GET (service, scope..., account). */
  query: URLSearchParams;
  /** The form of a POST. */
  form?: URLSearchParams;
  authorization?: string;
  /** Who got the token: a user, 'anonymous', or nobody (refused). */
  subject?: string;
  scopes: string[];
}

export const TOKEN_PATH = '/token';

interface Grant {
  subject: string;
  /** "type:name" -> actions */
  access: Map<string, Set<string>>;
  expiresAt: number;
}

/** type, name (which may hold colons) and actions of "repository:team/app:pull,push". */
export function parseScope(scope: string): { resource: string; actions: string[] } | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return undefined;
  return {
    resource: scope.slice(0, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  };
}

function basicUser(header: string | undefined, users: Record<string, string> | undefined): string | false | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const text = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = text.indexOf(':');
  const [user, password] = [text.slice(0, colon), text.slice(colon + 1)];
  return colon > 0 && users?.[user] !== undefined && users[user] === password ? user : false;
}

export class Auth {
  readonly options: AuthOptions;
  readonly tokenRequests: TokenRequest[] = [];
  private readonly grants = new Map<string, Grant>();

  constructor(options: AuthOptions = {}) {
    this.options = options;
  }

  get enabled(): boolean {
    return this.options.basic !== undefined || this.options.bearer !== undefined;
  }

  /** undefined when the request may go on; else the 401 to send. `scopes` are what the route needs. */
  check(req: Request, scopes: readonly string[]): Reply | undefined {
    const header = req.headers.authorization;
    if (this.options.basic) {
      if (basicUser(header, this.options.basic.users)) return undefined;
      return apiError(401, 'UNAUTHORIZED', undefined, {
        'www-authenticate': `Basic realm="${this.options.basic.realm ?? 'Registry Realm'}"`,
      });
    }
    const bearer = this.options.bearer;
    if (!bearer) return undefined;
    const grant = header?.startsWith('Bearer ') ? this.grants.get(header.slice(7)) : undefined;
    const valid = grant !== undefined && grant.expiresAt > Date.now();
    if (valid && scopes.every((s) => this.allows(grant, s))) return undefined;
    const service = bearer.service ?? new URL(req.origin).host;
    let challenge = `Bearer realm="${req.origin}${TOKEN_PATH}",service="${service}"`;
    if (scopes.length > 0) challenge += `,scope="${scopes.join(' ')}"`;
    if (valid) challenge += ',error="insufficient_scope"';
    return apiError(401, 'UNAUTHORIZED', undefined, { 'www-authenticate': challenge });
  }

  private allows(grant: Grant, scope: string): boolean {
    const wanted = parseScope(scope);
    if (!wanted) return false;
    const actions = grant.access.get(wanted.resource);
    return actions !== undefined && wanted.actions.every((a) => actions.has(a) || actions.has('*'));
  }

  /** The token endpoint. */
  token(req: Request): Reply {
    const bearer = this.options.bearer ?? {};
    const form = req.method === 'POST' ? new URLSearchParams(req.body.toString('utf8')) : undefined;
    const scopes = (form ? [form.get('scope') ?? ''] : req.url.searchParams.getAll('scope')).flatMap((s) => s.split(' ')).filter(Boolean);
    const logged: TokenRequest = {
      method: req.method,
      query: req.url.searchParams,
      scopes,
      ...(form ? { form } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    };
    this.tokenRequests.push(logged);
    let subject: string | false | undefined;
    if (form?.get('grant_type') === 'refresh_token') subject = bearer.refreshTokens?.[form.get('refresh_token') ?? ''] ?? false;
    else if (form?.get('grant_type') === 'password') {
      const user = form.get('username') ?? '';
      subject = bearer.users?.[user] !== undefined && bearer.users[user] === form.get('password') ? user : false;
    } else if (form) subject = false;
    else subject = basicUser(req.headers.authorization, bearer.users);
    if (subject === false)
      return apiError(401, 'UNAUTHORIZED', undefined, { 'www-authenticate': `Basic realm="${req.origin}${TOKEN_PATH}"` });
    logged.subject = subject ?? 'anonymous';
    const access = new Map<string, Set<string>>();
    for (const scope of scopes) {
      const parsed = parseScope(scope);
      if (!parsed) continue;
      const anonymous = bearer.anonymous ?? false;
      const granted =
        subject !== undefined || anonymous === true
          ? parsed.actions
          : anonymous === 'pull'
            ? parsed.actions.filter((a) => a === 'pull')
            : [];
      access.set(parsed.resource, new Set([...(access.get(parsed.resource) ?? []), ...granted]));
    }
    const token = randomBytes(16).toString('hex');
    const expiresIn = bearer.expiresIn ?? 300;
    this.grants.set(token, { subject: logged.subject, access, expiresAt: Date.now() + expiresIn * 1000 });
    const body = bearer.tokenResponse?.(token, expiresIn) ?? {
      token,
      access_token: token,
      expires_in: expiresIn,
      issued_at: new Date().toISOString(),
    };
    return json(200, body);
  }
}
