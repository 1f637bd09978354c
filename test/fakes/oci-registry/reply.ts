// The in-process registry's answers as values (status, headers, body), so faults can
// change them before they are written, and the distribution spec's error bodies.
import type { IncomingHttpHeaders } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: Buffer;
}

/** A request as the routes see it: the whole body read, the URL parsed. */
export interface Request {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** http(s)://HOST:PORT as the client named us (for realms and absolute links). */
  origin: string;
}

export function reply(status: number, headers: Record<string, string> = {}, body?: Buffer | string): Reply {
  const bytes = body === undefined ? undefined : Buffer.from(body);
  return { status, headers: { 'content-length': String(bytes?.length ?? 0), ...headers }, ...(bytes ? { body: bytes } : {}) };
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return reply(status, { 'content-type': 'application/json; charset=utf-8', ...headers }, JSON.stringify(value));
}

/** The messages distribution gives its error codes. */
const MESSAGES: Record<string, string> = {
  BLOB_UNKNOWN: 'blob unknown to registry',
  BLOB_UPLOAD_INVALID: 'blob upload invalid',
  BLOB_UPLOAD_UNKNOWN: 'blob upload unknown to registry',
  DENIED: 'requested access to the resource is denied',
  DIGEST_INVALID: 'provided digest did not match uploaded content',
  MANIFEST_BLOB_UNKNOWN: 'blob unknown to registry',
  MANIFEST_INVALID: 'manifest invalid',
  MANIFEST_UNKNOWN: 'manifest unknown',
  NAME_INVALID: 'invalid repository name',
  NAME_UNKNOWN: 'repository name not known to registry',
  NOT_FOUND: 'not found',
  PAGINATION_NUMBER_INVALID: 'invalid number of results requested',
  TAG_INVALID: 'manifest tag did not match URI',
  UNAUTHORIZED: 'authentication required',
  UNSUPPORTED: 'The operation is unsupported.',
};

/** {"errors":[{"code","message","detail"}]} with the spec's status. */
export function apiError(status: number, code: string, detail?: unknown, headers: Record<string, string> = {}): Reply {
  return json(
    status,
    { errors: [{ code, message: MESSAGES[code] ?? code.toLowerCase(), ...(detail !== undefined ? { detail } : {}) }] },
    headers,
  );
}

/** A method the route does not have, or deletes switched off: what distribution answers. */
export function notAllowed(): Reply {
  return apiError(405, 'UNSUPPORTED');
}
