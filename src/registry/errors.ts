// Turning a registry's error answer into one line a person can act on. Registries
// answer {"errors":[{"code":"MANIFEST_UNKNOWN","message":"..."}]}; proxies and load
// balancers answer HTML pages, which are never dumped into a message.
import { RegistryError } from '../errors.ts';

/** A registry answered with an HTTP error status; `codes` are its error codes, if it sent any. */
export class RegistryApiError extends RegistryError {
  readonly codes: readonly string[];
  constructor(message: string, options: { status: number; codes?: readonly string[]; cause?: unknown }) {
    super(message, options);
    this.codes = options.codes ?? [];
  }
}

export interface ErrorBody {
  codes: string[];
  /** A short human reason: the registry's messages, or a summary of a non-JSON body. */
  reason: string;
}

const MAX_REASON = 200;

export function describeErrorBody(status: number, contentType: string | undefined, body: Buffer): ErrorBody {
  const text = body.subarray(0, 64 * 1024).toString('utf8');
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as unknown;
      const errors = (parsed as { errors?: unknown }).errors;
      if (Array.isArray(errors) && errors.length > 0) {
        const codes: string[] = [];
        const parts: string[] = [];
        for (const e of errors as Array<{ code?: unknown; message?: unknown }>) {
          const code = typeof e.code === 'string' ? e.code : undefined;
          const message = typeof e.message === 'string' ? e.message : undefined;
          if (code) codes.push(code);
          parts.push([code, message].filter(Boolean).join(': '));
        }
        const trouble = (errors as Array<{ detail?: unknown }>).map((e) => storageTrouble(e.detail)).find((x) => x !== undefined);
        return { codes, reason: trouble ?? shorten(parts.join('; ')) };
      }
      const message = (parsed as { message?: unknown; error?: unknown }).message ?? (parsed as { error?: unknown }).error;
      if (typeof message === 'string') return { codes: [], reason: shorten(message) };
    } catch {
      // not JSON after all: fall through to the plain-text summary
    }
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
 * distribution answers a storage failure with UNKNOWN "unknown error"; only the detail
 * (the driver's error text, or its errno) says the disk is full or read-only.
 */
function storageTrouble(detail: unknown): string | undefined {
  const text = typeof detail === 'string' ? detail : JSON.stringify(detail ?? '');
  if (/no space left on device|"Err":28\b/i.test(text)) return 'its storage is full (no space left on device): free some space there, then try again';
  if (/read-only file system|"Err":30\b/i.test(text)) return 'its storage is read-only (read-only file system)';
  return undefined;
}

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

/** A manifest that cannot be used: not JSON, an unknown shape, or bytes not matching their digest. */
export class ManifestError extends RegistryError {}
