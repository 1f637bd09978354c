// Signing the few S3 requests docker-jindr makes itself (the bucket check before `up`, and
// the listings and reads of an S3-backed registry's storage) with the AWS SDK's own SigV4
// signer (@smithy/signature-v4, which @aws-sdk/client-ecr already brings) and SHA-256 from
// node:crypto. Loaded only by modules that are themselves imported on demand: the SDK is
// large, and no command evaluates it at start-up.
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  /** When temporary credentials stop working. */
  expiration?: Date | undefined;
}

export interface SignRequest {
  method: string;
  url: URL;
  region: string;
  service: string;
  credentials: AwsCredentials;
  /** The body's bytes (none: empty). */
  body?: Buffer;
  /** Headers sent and signed besides host and the x-amz-* ones (content-type, say). */
  headers?: Record<string, string>;
  now?: Date;
}

/** The SDK's checksum interface over node:crypto: a plain hash, or an HMAC when given a key. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    throw new Error('not supported');
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The headers to send: host, x-amz-date, x-amz-content-sha256, the token when there is one, and authorization. */
export async function signRequest(request: SignRequest): Promise<Record<string, string>> {
  const { url } = request;
  const payload = createHash('sha256')
    .update(request.body ?? '')
    .digest('hex');
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const had = query[k];
    query[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
  }
  const signer = new SignatureV4({
    credentials: request.credentials,
    region: request.region,
    service: request.service,
    sha256: Sha256,
    // S3 signs the path as sent (no second encoding).
    uriEscapePath: request.service !== 's3',
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname || '/',
      query,
      headers: { ...request.headers, host: url.host, 'x-amz-content-sha256': payload },
      ...(request.body ? { body: request.body } : {}),
    },
    request.now ? { signingDate: request.now } : {},
  );
  return Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
}
