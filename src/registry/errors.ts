// Turning a registry's error answer into one line a person can act on. Registries
// answer {"errors":[{"code":"MANIFEST_UNKNOWN","message":"..."}]}; proxies and load
// balancers answer HTML pages, which are never dumped into a message.
import { RegistryError } from '../errors.ts';
import { isArray, isJsonObject, isNonEmptyString, isString, parseJson } from '../json-shape.ts';

/**
 * The error codes a registry answers with: the OCI distribution spec's, and distribution's
 * own (as go-containerregistry's transport.ErrorCode). retry-policy.ts says which are temporary.
 */
export const REGISTRY_ERROR_CODES = [
  'BLOB_UNKNOWN',
  'BLOB_UPLOAD_INVALID',
  'BLOB_UPLOAD_UNKNOWN',
  'DIGEST_INVALID',
  'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID',
  'MANIFEST_UNKNOWN',
  'MANIFEST_UNVERIFIED',
  'NAME_INVALID',
  'NAME_UNKNOWN',
  'SIZE_INVALID',
  'TAG_INVALID',
  'UNAUTHORIZED',
  'DENIED',
  'UNSUPPORTED',
  'TOOMANYREQUESTS',
  'UNKNOWN',
  'UNAVAILABLE',
  'PAGINATION_NUMBER_INVALID',
  'RANGE_INVALID',
] as const;

export type RegistryErrorCode = (typeof REGISTRY_ERROR_CODES)[number];

const KNOWN_CODES: ReadonlySet<string> = new Set(REGISTRY_ERROR_CODES);

export function isRegistryErrorCode(code: string): code is RegistryErrorCode {
  return KNOWN_CODES.has(code);
}

/** What distribution's error detail says about its storage (a person must act on it, no retry can). */
export type StorageTrouble = 'full' | 'read-only';

export interface RegistryApiErrorOptions {
  status: number;
  codes?: readonly RegistryErrorCode[];
  /** Codes outside the spec (a registry's own), kept apart: they say nothing about retrying. */
  otherCodes?: readonly string[];
  storage?: StorageTrouble;
  /** The path of the request that was answered so (an upload's says its session was refused). */
  path?: string;
  cause?: unknown;
}

/** A registry answered with an HTTP error status; `codes` are its error codes, if it sent any. */
export class RegistryApiError extends RegistryError {
  declare readonly status: number;
  readonly codes: readonly RegistryErrorCode[];
  readonly otherCodes: readonly string[];
  readonly storage: StorageTrouble | undefined;
  readonly path: string | undefined;
  constructor(message: string, options: RegistryApiErrorOptions) {
    super(message, options);
    this.codes = options.codes ?? [];
    this.otherCodes = options.otherCodes ?? [];
    this.storage = options.storage;
    this.path = options.path;
  }
}

export interface ErrorBody {
  codes: RegistryErrorCode[];
  /** Present when the registry sent codes outside the spec. */
  otherCodes?: string[];
  /** Present when the registry's storage is full or read-only. */
  storage?: StorageTrouble;
  /** A short human reason: the registry's messages, or a summary of a non-JSON body. */
  reason: string;
}

const MAX_REASON = 200;

export function describeErrorBody(status: number, contentType: string | undefined, body: Buffer): ErrorBody {
  const text = body.subarray(0, 64 * 1024).toString('utf8');
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const found = registryErrors(trimmed);
    if (found) return { ...found, reason: found.reason || statusText(status) };
  }
  if (/html/i.test(contentType ?? '') || /^<(!doctype|html)/i.test(trimmed)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim();
    return { codes: [], reason: title ? `an HTML page titled ${JSON.stringify(shorten(title))}` : 'an HTML page, not a registry answer' };
  }
  if (trimmed === '') return { codes: [], reason: statusText(status) };
  const firstLine = trimmed.split('\n', 1)[0]!;
  if (/[^\x20-\x7e\t]/.test(firstLine)) return { codes: [], reason: `${statusText(status)} (binary body)` };
  return { codes: [], reason: shorten(firstLine) };
}

/**
 * The codes and messages of a registry's JSON error body ({"errors":[{"code","message","detail"}]}),
 * or a bare {"message"} / {"error"}; undefined when the body is neither (then it is summed up as text).
 * Read leniently: it already is an error, and whatever it says helps.
 */
function registryErrors(text: string): ErrorBody | undefined {
  let parsed: unknown;
  try {
    parsed = parseJson(text);
  } catch {
    return undefined; // not JSON after all: the caller sums up the text
  }
  if (!isJsonObject(parsed)) return undefined;
  const errors = isArray(parsed.errors) ? parsed.errors.filter(isJsonObject) : [];
  if (errors.length > 0) {
    const codes: RegistryErrorCode[] = [];
    const otherCodes: string[] = [];
    const parts: string[] = [];
    for (const e of errors) {
      const code = isNonEmptyString(e.code) ? e.code : undefined;
      const message = isNonEmptyString(e.message) ? e.message : undefined;
      if (code !== undefined) {
        if (isRegistryErrorCode(code)) codes.push(code);
        else otherCodes.push(code);
      }
      parts.push([code, message].filter(Boolean).join(': '));
    }
    const storage = errors.map((e) => storageTrouble(e.detail)).find((x) => x !== undefined);
    return {
      codes,
      ...(otherCodes.length > 0 ? { otherCodes } : {}),
      ...(storage ? { storage } : {}),
      reason: storage ? STORAGE_REASON[storage] : shorten(parts.filter(Boolean).join('; ')),
    };
  }
  const message = parsed.message ?? parsed.error;
  if (isString(message)) return { codes: [], reason: shorten(message) };
  return undefined;
}

/**
 * distribution answers a storage failure with UNKNOWN "unknown error"; only the detail
 * (the driver's error text, or its errno) says the disk is full or read-only.
 */
function storageTrouble(detail: unknown): StorageTrouble | undefined {
  const text = isString(detail) ? detail : JSON.stringify(detail ?? '');
  if (/no space left on device|"Err":28\b/i.test(text)) return 'full';
  if (/read-only file system|"Err":30\b/i.test(text)) return 'read-only';
  return undefined;
}

const STORAGE_REASON: Record<StorageTrouble, string> = {
  full: 'its storage is full (no space left on device): free some space there, then try again',
  'read-only': 'its storage is read-only (read-only file system)',
};

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_REASON ? `${oneLine.slice(0, MAX_REASON - 3)}...` : oneLine;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'bad request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not found',
  405: 'method not allowed',
  409: 'conflict',
  413: 'payload too large',
  429: 'too many requests',
  500: 'internal server error',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
};

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? `HTTP ${status}`;
}

/** Thrown if the client asks for a streamed body a second time: the whole blob copy must start over. */
export class BodyConsumedError extends Error {}

/** A manifest that cannot be used: not JSON, an unknown shape, or bytes not matching their digest. */
export class ManifestError extends RegistryError {}
