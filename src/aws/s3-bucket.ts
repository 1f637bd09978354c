// The S3 side of `start --storage s3://BUCKET[/PREFIX]`: the user's AWS credentials and
// region, resolved by the SDK's standard chains exactly as for cpe (AWS_* variables,
// AWS_PROFILE with ~/.aws/credentials and ~/.aws/config, SSO, instance roles), and one
// signed ListObjectsV2 of the bucket before any container is made, so that a missing
// bucket, refused credentials or an endpoint out of reach is said in one line.
// Loaded only when --storage names S3 (dynamic import): the AWS SDK is large.
import { ECRClient } from '@aws-sdk/client-ecr';
import { AuthError, JindrError, NotFoundError } from '../errors.ts';
import { CREDENTIAL_SOURCES } from './ecr.ts';
import { signRequest, type AwsCredentials } from './s3-sign.ts';

export interface S3Target {
  bucket: string;
  /** Without leading or trailing slashes; '' for the bucket's root. */
  prefix: string;
  /** --s3-endpoint (any S3-compatible store); undefined: AWS S3 in the region. */
  endpoint: string | undefined;
  /** --s3-region; undefined: the SDK's region chain (AWS_REGION, the profile), else us-east-1. */
  region: string | undefined;
}

export interface S3Access {
  credentials: AwsCredentials;
  region: string;
  /** The URL requests went to, for messages (never with credentials). */
  endpoint: string;
}

/** Where S3-compatible stores without regions are addressed when nothing names one (distribution needs one). */
export const FALLBACK_REGION = 'us-east-1';

/** The credentials and region of the chain, as cpe resolves them; an AuthError naming the sources when there are none. */
export async function resolveAws(region: string | undefined): Promise<{ credentials: AwsCredentials; region: string }> {
  const client = new ECRClient(region ? { region } : {});
  try {
    const resolved = region ?? (await client.config.region().catch(() => FALLBACK_REGION));
    let found;
    try {
      found = await client.config.credentials();
    } catch (err) {
      throw new AuthError(
        `--storage s3: no AWS credentials found; looked in ${CREDENTIAL_SOURCES}: set them up (aws configure, or aws sso login) and run again`,
        { cause: err },
      );
    }
    return {
      region: resolved,
      credentials: {
        accessKeyId: found.accessKeyId,
        secretAccessKey: found.secretAccessKey,
        sessionToken: found.sessionToken,
        expiration: found.expiration,
      },
    };
  } finally {
    client.destroy();
  }
}

/** The bucket's URL for path-style requests (a custom endpoint), or AWS's virtual-hosted one. */
export function bucketUrl(target: Pick<S3Target, 'bucket' | 'endpoint'>, region: string): URL {
  if (target.endpoint !== undefined) {
    const base = new URL(target.endpoint);
    base.pathname = `${base.pathname.replace(/\/+$/, '')}/${target.bucket}`;
    return base;
  }
  return new URL(`https://${target.bucket}.s3.${region}.amazonaws.com/`);
}

const xmlField = (xml: string, name: string): string | undefined => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

/** One line of the store's refusal: its code and message, never its echo of the request. */
function refusal(status: number, xml: string): string {
  const code = xmlField(xml, 'Code');
  const message = xmlField(xml, 'Message');
  return code ? `${code}${message ? `: ${message}` : ''}` : `HTTP ${status}`;
}

const CREDENTIAL_CODES = /^(InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied|ExpiredToken|InvalidToken|TokenRefreshRequired)$/;

/**
 * Lists at most one object under the prefix with the user's credentials: the registry needs
 * that and more, and a store that refuses this refuses the registry too. Throws one line.
 */
export async function checkBucket(target: S3Target, signal?: AbortSignal): Promise<S3Access> {
  const { credentials, region } = await resolveAws(target.region);
  const url = bucketUrl(target, region);
  const where = target.endpoint ?? `AWS S3 (${region})`;
  const shown = `s3://${target.bucket}${target.prefix ? `/${target.prefix}` : ''}`;
  url.searchParams.set('list-type', '2');
  url.searchParams.set('max-keys', '1');
  if (target.prefix) url.searchParams.set('prefix', `${target.prefix}/`);
  const headers = await signRequest({ method: 'GET', url, region, service: 's3', credentials });
  const timeout = AbortSignal.timeout(15_000);
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout, redirect: 'manual' });
  } catch (err) {
    signal?.throwIfAborted();
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = timeout.aborted ? 'no answer in 15 s' : (cause?.code ?? cause?.message ?? (err as Error).message);
    throw new JindrError(`cannot reach the S3 endpoint ${where} (${why}): check --s3-endpoint and the network`, { cause: err });
  }
  const body = await response.text().catch(() => '');
  if (response.ok) return { credentials, region, endpoint: where };
  const code = xmlField(body, 'Code') ?? '';
  if (response.status === 404 || code === 'NoSuchBucket') {
    throw new NotFoundError(
      `the bucket ${target.bucket} does not exist at ${where}: create it first (aws s3 mb s3://${target.bucket}${target.endpoint ? ` --endpoint-url ${target.endpoint}` : ''})`,
    );
  }
  if (response.status === 403 || CREDENTIAL_CODES.test(code)) {
    throw new AuthError(
      `${where} refused your AWS credentials for ${shown} (${refusal(response.status, body)}): check them (AWS_PROFILE, aws configure, aws sts get-caller-identity)`,
    );
  }
  if (response.status === 301 || code === 'PermanentRedirect' || code === 'AuthorizationHeaderMalformed') {
    const right = response.headers.get('x-amz-bucket-region') ?? xmlField(body, 'Region');
    throw new JindrError(
      `the bucket ${target.bucket} is not in ${region}${right ? ` but in ${right}` : ''}: pass --s3-region ${right ?? 'REGION'}`,
    );
  }
  throw new JindrError(
    `${where} answered the listing of ${shown} with ${refusal(response.status, body)}: check --s3-endpoint and the bucket`,
  );
}
