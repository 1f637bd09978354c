// A bucket's objects with the registry's own access (its configuration file): every object
// under a prefix (ListObjectsV2, page after page with continuation tokens), one object's
// bytes (GetObject), and for gc on S3 (src/gc/s3-collect.ts) a write that may be told to
// fail when the key exists (PutObject with If-None-Match: *, the lock) and DeleteObject.
// Loaded on demand, as the SDK's signer is large.
import { JindrError } from '../errors.ts';
import { signRequest, type AwsCredentials } from './s3-sign.ts';
import { bucketUrl } from './s3-bucket.ts';

export interface S3Location {
  bucket: string;
  /** --s3-endpoint; undefined: AWS S3 in the region. */
  endpoint: string | undefined;
  region: string;
  credentials: AwsCredentials;
}

export interface S3Object {
  key: string;
  size: number;
  /** LastModified, in milliseconds. */
  modified: number;
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) =>
    e.startsWith('#x') || e.startsWith('#X')
      ? String.fromCodePoint(parseInt(e.slice(2), 16))
      : e.startsWith('#')
        ? String.fromCodePoint(Number(e.slice(1)))
        : (XML_ENTITIES[e] ?? `&${e};`),
  );
}

const field = (xml: string, name: string): string | undefined => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

interface Send {
  method?: 'GET' | 'PUT' | 'DELETE';
  body?: Buffer;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

async function send(location: S3Location, url: URL, what: string, options: Send = {}): Promise<Response> {
  const { method = 'GET', body, signal } = options;
  const headers = await signRequest({
    method,
    url,
    region: location.region,
    service: 's3',
    credentials: location.credentials,
    ...(body ? { body } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  });
  const timeout = AbortSignal.timeout(60_000);
  try {
    return await fetch(url, {
      method,
      headers,
      ...(body ? { body } : {}),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      redirect: 'manual',
    });
  } catch (err) {
    signal?.throwIfAborted();
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = timeout.aborted ? 'no answer in 60 s' : (cause?.code ?? cause?.message ?? (err as Error).message);
    throw new JindrError(`${what}: cannot reach ${location.endpoint ?? `AWS S3 (${location.region})`} (${why})`, { cause: err });
  }
}

async function refused(response: Response, what: string): Promise<JindrError> {
  const body = await response.text().catch(() => '');
  const code = field(body, 'Code');
  const message = field(body, 'Message');
  return new JindrError(`${what}: the store answered ${code ? `${code}${message ? `: ${message}` : ''}` : `HTTP ${response.status}`}`);
}

/**
 * Every object whose key starts with prefix, in key order, and the store's clock (its Date
 * header) when the listing began, in milliseconds (undefined when it sent none).
 */
export async function listObjects(
  location: S3Location,
  prefix: string,
  options: { signal?: AbortSignal; pageSize?: number } = {},
): Promise<{ objects: S3Object[]; now: number | undefined }> {
  const objects: S3Object[] = [];
  let token: string | undefined;
  let now: number | undefined;
  const what = `listing s3://${location.bucket}/${prefix}`;
  do {
    const url = bucketUrl(location, location.region);
    url.searchParams.set('list-type', '2');
    url.searchParams.set('prefix', prefix);
    if (options.pageSize !== undefined) url.searchParams.set('max-keys', String(options.pageSize));
    if (token !== undefined) url.searchParams.set('continuation-token', token);
    const response = await send(location, url, what, { signal: options.signal });
    if (!response.ok) throw await refused(response, what);
    const date = Date.parse(response.headers.get('date') ?? '');
    now ??= Number.isNaN(date) ? undefined : date;
    const xml = await response.text();
    for (const [, entry] of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
      const key = field(entry!, 'Key');
      const size = Number(field(entry!, 'Size'));
      const modified = Date.parse(field(entry!, 'LastModified') ?? '');
      if (key === undefined || !Number.isSafeInteger(size) || Number.isNaN(modified)) {
        throw new JindrError(`${what}: the store's answer lists an object without a key, size or date`);
      }
      objects.push({ key: unescapeXml(key), size, modified });
    }
    const truncated = field(xml, 'IsTruncated') === 'true';
    const next = field(xml, 'NextContinuationToken');
    if (truncated && !next) throw new JindrError(`${what}: the store says there is more but gives no continuation token`);
    token = truncated ? unescapeXml(next!) : undefined;
  } while (token !== undefined);
  return { objects, now };
}

/** The bytes of one object (undefined when there is none); the key is sent as is, so it must hold only URL-safe characters. */
export async function getObject(location: S3Location, key: string, signal?: AbortSignal): Promise<Buffer | undefined> {
  const url = objectUrl(location, key, 'read');
  const what = `reading s3://${location.bucket}/${key}`;
  const response = await send(location, url, what, { signal });
  if (response.status === 404) return undefined;
  if (!response.ok) throw await refused(response, what);
  return Buffer.from(await response.arrayBuffer());
}

/** The URL of one object; a key outside [\w./-] is refused, as it would have to be encoded. */
function objectUrl(location: S3Location, key: string, verb: string): URL {
  if (!/^[\w./-]+$/.test(key)) throw new JindrError(`refusing to ${verb} the object ${JSON.stringify(key)}: not a plain key`);
  const url = bucketUrl(location, location.region);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${key}`;
  return url;
}

/**
 * Writes one object. With onlyIfAbsent, the store is asked to refuse when the key exists
 * (If-None-Match: *, which AWS S3 honours since 2024): 'exists' then, and nothing written.
 */
export async function putObject(
  location: S3Location,
  key: string,
  body: Buffer,
  options: { onlyIfAbsent?: boolean; signal?: AbortSignal } = {},
): Promise<'written' | 'exists'> {
  const url = objectUrl(location, key, 'write');
  const what = `writing s3://${location.bucket}/${key}`;
  const headers = { 'content-type': 'application/json', ...(options.onlyIfAbsent ? { 'if-none-match': '*' } : {}) };
  const response = await send(location, url, what, { method: 'PUT', body, headers, signal: options.signal });
  if (options.onlyIfAbsent && (response.status === 412 || response.status === 409)) {
    await response.body?.cancel();
    return 'exists';
  }
  if (!response.ok) throw await refused(response, what);
  await response.body?.cancel();
  return 'written';
}

/** Deletes one object (a missing one is no error: S3 answers 204 for both). */
export async function deleteObject(location: S3Location, key: string, signal?: AbortSignal): Promise<void> {
  const url = objectUrl(location, key, 'delete');
  const what = `deleting s3://${location.bucket}/${key}`;
  const response = await send(location, url, what, { method: 'DELETE', signal });
  if (!response.ok && response.status !== 404) throw await refused(response, what);
  await response.body?.cancel();
}
