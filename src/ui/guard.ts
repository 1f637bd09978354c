// Who may use the page's server: every request is checked here before anything else runs.
//   - Host must be 127.0.0.1:PORT or localhost:PORT: a page elsewhere that points its own
//     name at 127.0.0.1 (DNS rebinding) sends its own name, and is refused.
//   - The access token printed with the URL, from ?token= (the first load) or the cookie
//     that first load set (HttpOnly, SameSite=Strict); without it: 401, for every path.
//   - A request that changes something (POST, DELETE) must come from the page itself:
//     its Origin is this server's, Sec-Fetch-Site (when sent) is same-origin, and its body
//     is JSON, which a form on another site cannot send without being refused by CORS.
import type { IncomingHttpHeaders } from 'node:http';
import { timingSafeEqual } from 'node:crypto';

export interface GuardOptions {
  port: number;
  token: string;
}

export type Verdict =
  { ok: true; /** The token came in the query: set the cookie. */ fromQuery: boolean } | { ok: false; status: number; message: string };

export const READ_METHODS = new Set(['GET', 'HEAD']);
export const WRITE_METHODS = new Set(['POST', 'DELETE']);

/** The cookie's name carries the port: cookies are not kept apart by port, pages are. */
export function cookieName(port: number): string {
  return `jindr-ui-${port}`;
}

export function sessionCookie(options: GuardOptions): string {
  return `${cookieName(options.port)}=${options.token}; HttpOnly; SameSite=Strict; Path=/`;
}

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A cookie's value from a Cookie header, undefined when absent. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Checks one request; `url` is the request target (path and query). */
export function checkRequest(method: string, url: string, headers: IncomingHttpHeaders, options: GuardOptions): Verdict {
  const hosts = allowedHosts(options.port);
  const host = (headers.host ?? '').toLowerCase();
  if (!hosts.includes(host)) return { ok: false, status: 403, message: `this server answers only to ${hosts.join(' and ')}` };
  if (!READ_METHODS.has(method) && !WRITE_METHODS.has(method)) return { ok: false, status: 405, message: `${method} is not allowed` };
  const query = new URL(url, `http://${host}`).searchParams.get('token') ?? undefined;
  const fromQuery = sameToken(query, options.token);
  if (!fromQuery && !sameToken(cookieValue(headers.cookie, cookieName(options.port)), options.token)) {
    return { ok: false, status: 401, message: 'open the URL docker jindr ui printed: it carries the access token' };
  }
  if (WRITE_METHODS.has(method)) {
    const origin = headers.origin;
    if (origin === undefined || !hosts.some((h) => origin === `http://${h}`)) {
      return { ok: false, status: 403, message: 'a change must come from the page itself (wrong or missing Origin)' };
    }
    const site = headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin')
      return { ok: false, status: 403, message: 'a change must come from the page itself (Sec-Fetch-Site)' };
    const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') return { ok: false, status: 415, message: 'a change is sent as application/json' };
  }
  return { ok: true, fromQuery };
}
