// A small token server for a registry with `auth: token` (the distribution token
// spec): GET realm?service&scope with Basic credentials, or POST with
// grant_type=password / refresh_token (what `docker login` and identity tokens use).
// Tokens are RS256 JWTs whose header carries the signing certificate (x5c), which
// the registry verifies against REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createPrivateKey, createSign, randomBytes, X509Certificate } from 'node:crypto';
import type { Pem } from './pki.ts';

export interface TokenRequest {
  method: string;
  /** Who asked: a user name, 'refresh:<user>' for a refresh token, or 'anonymous'. */
  subject: string;
  scopes: string[];
  service: string | null;
  grantType: string | null;
}

export interface TokenServer {
  url: string;
  port: number;
  issuer: string;
  service: string;
  requests: TokenRequest[];
  close(): Promise<void>;
}

export interface TokenServerOptions {
  users: Record<string, string>;
  signing: Pem;
  issuer?: string;
  service?: string;
  /** Grant pull/push to named users only (default); with anonymousPull, pull to anyone. */
  anonymousPull?: boolean;
  /** The address to listen on (default 127.0.0.1), e.g. a Docker network's gateway for containers on it. */
  host?: string;
  /** Refresh tokens for docker login (default true); without, docker login stores the password. */
  refreshTokens?: boolean;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

function parseScope(scope: string): { type: string; name: string; actions: string[] } | undefined {
  // repository:host:5000/name:pull,push: the name may hold a colon, the actions never do.
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  };
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const issuer = options.issuer ?? 'jindr-test-issuer';
  const service = options.service ?? 'jindr-test-registry';
  const key = createPrivateKey(options.signing.key);
  const x5c = [new X509Certificate(options.signing.cert).raw.toString('base64')];
  const refreshTokens = new Map<string, string>();
  const requests: TokenRequest[] = [];

  const sign = (subject: string, scopes: string[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const access = scopes.flatMap((s) => {
      const parsed = parseScope(s);
      if (!parsed) return [];
      const allowed = subject === 'anonymous' ? parsed.actions.filter((a) => options.anonymousPull && a === 'pull') : parsed.actions;
      return [{ type: parsed.type, name: parsed.name, actions: allowed }];
    });
    const header = { typ: 'JWT', alg: 'RS256', x5c };
    const claims = {
      iss: issuer,
      sub: subject,
      aud: service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(input).sign(key);
    return `${input}.${b64url(signature)}`;
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/token') {
        res.writeHead(404).end();
        return;
      }
      let subject = 'anonymous';
      let scopes = url.searchParams
        .getAll('scope')
        .flatMap((s) => s.split(' '))
        .filter(Boolean);
      let grantType: string | null = null;
      let svc = url.searchParams.get('service');
      let refreshToken: string | undefined;
      if (req.method === 'POST') {
        const form = new URLSearchParams(await body(req));
        grantType = form.get('grant_type');
        svc = form.get('service');
        scopes = form
          .getAll('scope')
          .flatMap((s) => s.split(' '))
          .filter(Boolean);
        if (grantType === 'password') {
          const user = form.get('username') ?? '';
          if (options.users[user] === undefined || options.users[user] !== form.get('password')) {
            requests.push({ method: 'POST', subject: `denied:${user}`, scopes, service: svc, grantType });
            res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid credentials"}');
            return;
          }
          subject = user;
          if (options.refreshTokens !== false) {
            refreshToken = randomBytes(24).toString('hex');
            refreshTokens.set(refreshToken, user);
          }
        } else if (grantType === 'refresh_token') {
          const user = refreshTokens.get(form.get('refresh_token') ?? '');
          if (!user) {
            requests.push({ method: 'POST', subject: 'denied:refresh', scopes, service: svc, grantType });
            res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid refresh token"}');
            return;
          }
          subject = `refresh:${user}`;
        } else {
          res.writeHead(400).end('{"error":"unsupported grant_type"}');
          return;
        }
      } else {
        const authorization = req.headers.authorization ?? '';
        if (authorization.startsWith('Basic ')) {
          const decoded = Buffer.from(authorization.slice(6), 'base64').toString();
          const colon = decoded.indexOf(':');
          const user = decoded.slice(0, colon);
          if (options.users[user] === undefined || options.users[user] !== decoded.slice(colon + 1)) {
            requests.push({ method: 'GET', subject: `denied:${user}`, scopes, service: svc, grantType });
            res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid credentials"}');
            return;
          }
          subject = user;
          // docker login asks for offline_token and stores a refresh token as identitytoken.
          if (url.searchParams.get('offline_token') === 'true' && options.refreshTokens !== false) {
            refreshToken = randomBytes(24).toString('hex');
            refreshTokens.set(refreshToken, user);
          }
        }
      }
      requests.push({ method: req.method ?? '', subject, scopes, service: svc, grantType });
      const token = sign(subject, scopes);
      const answer: Record<string, unknown> = { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() };
      if (refreshToken) answer.refresh_token = refreshToken;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    })().catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/token`,
    port: address.port,
    issuer,
    service,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
