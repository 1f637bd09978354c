// A registry whose storage is an S3 bucket (start --storage s3://BUCKET[/PREFIX]):
// distribution's s3 driver, configured in a file that holds the access key, so it is
// written among the user's secrets (secrets.ts: mode 0600, outside every data directory)
// and mounted read-only as the registry's configuration file. The key is thus in neither
// the container's environment nor its command, and `docker inspect` shows only the file's
// path. The container carries the storage's URL in a label, for info and for the commands
// that must know they cannot read this storage through a file system.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { parseJson } from '../json-shape.ts';
import type { AwsCredentials } from '../aws/s3-sign.ts';
import type { S3Target } from '../aws/s3-bucket.ts';
import { secretsDir, writeSecretFile } from './secrets.ts';

/** The label holding s3://BUCKET[/PREFIX] on a registry container whose storage is S3. */
export const LABEL_STORAGE = 'jindr.storage';

/** What a container on S3 storage carries: its bucket and prefix, and the endpoint given. */
export interface S3Storage extends S3Target {
  /** s3://BUCKET or s3://BUCKET/PREFIX */
  url: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** s3://BUCKET[/PREFIX] as given to --storage; a UsageError saying what is wrong. */
export function parseS3Storage(value: string, endpoint: string | undefined, region: string | undefined): S3Storage {
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/.exec(value.trim());
  if (!m) throw new UsageError(`--storage ${value}: give s3://BUCKET or s3://BUCKET/PREFIX (the data directory goes with -d DIR)`);
  const bucket = m[1]!;
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    throw new UsageError(`--storage ${value}: ${JSON.stringify(bucket)} is not a bucket name (3 to 63 of a-z, 0-9, '.', '-')`);
  }
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((part) => part === '' || part === '.' || part === '..') && prefix !== '') {
    throw new UsageError(`--storage ${value}: the prefix must be plain path segments, e.g. s3://${bucket}/registry`);
  }
  if (/[^\w./-]/.test(prefix)) {
    throw new UsageError(`--storage ${value}: the prefix may hold letters, digits, '_', '-', '.' and '/' only`);
  }
  let cleanEndpoint: string | undefined;
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new UsageError(`--s3-endpoint ${endpoint}: give a URL, e.g. https://minio.example:9000`);
    }
    if (!/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash) {
      throw new UsageError(`--s3-endpoint ${endpoint}: give an http:// or https:// URL without credentials or query`);
    }
    cleanEndpoint = url.href.replace(/\/+$/, '');
  }
  return { bucket, prefix, endpoint: cleanEndpoint, region, url: `s3://${bucket}${prefix ? `/${prefix}` : ''}` };
}

/** The file holding the configuration of the registry for ADDRESS (e.g. localhost:5001), with its key. */
export function s3ConfigFile(env: NodeJS.ProcessEnv, registry: string): string {
  const tag = createHash('sha256').update(registry).digest('hex').slice(0, 12);
  return join(secretsDir(env), 'registries', `${registry.replace(/[^\w.-]/g, '-')}-${tag}.yml`);
}

/** YAML's double-quoted scalars accept JSON strings, escapes included. */
const q = (text: string): string => JSON.stringify(text);

/**
 * The registry's configuration: the s3 driver on the bucket and prefix, deletes enabled,
 * redirects off (clients fetch blobs through the registry, so they need not reach the
 * store), and the same http and health sections as the image's own file.
 */
export function s3ConfigYaml(storage: S3Storage, credentials: AwsCredentials, region: string): string {
  const secure = storage.endpoint === undefined || storage.endpoint.startsWith('https:');
  return [
    '# Written by docker jindr start --storage. It holds an AWS access key: keep it private (mode 0600).',
    'version: 0.1',
    'log:',
    '  level: info',
    '  fields:',
    '    service: registry',
    'storage:',
    '  s3:',
    `    accesskey: ${q(credentials.accessKeyId)}`,
    `    secretkey: ${q(credentials.secretAccessKey)}`,
    `    region: ${q(region)}`,
    ...(storage.endpoint !== undefined ? [`    regionendpoint: ${q(storage.endpoint)}`] : []),
    `    bucket: ${q(storage.bucket)}`,
    ...(storage.prefix ? [`    rootdirectory: ${q(`/${storage.prefix}`)}`] : []),
    `    secure: ${secure}`,
    '    v4auth: true',
    '  delete:',
    '    enabled: true',
    '  cache:',
    '    blobdescriptor: inmemory',
    '  redirect:',
    '    disable: true',
    'http:',
    '  addr: :5000',
    '  headers:',
    '    X-Content-Type-Options: [nosniff]',
    'health:',
    '  storagedriver:',
    '    enabled: true',
    '    interval: 10s',
    '    threshold: 3',
    '',
  ].join('\n');
}

/** What the registry's configuration file (s3ConfigYaml) says of its bucket, for reading the bucket as the registry does. */
export interface S3RegistryConfig {
  bucket: string;
  prefix: string;
  endpoint: string | undefined;
  region: string;
  credentials: AwsCredentials;
}

/** Reads s3ConfigYaml's own file back (its values are JSON strings); undefined when it is not one. */
export function parseS3Config(yaml: string): S3RegistryConfig | undefined {
  const section = /^ {2}s3:\n((?: {4}.*\n?)*)/m.exec(yaml)?.[1] ?? '';
  const value = (key: string): string | undefined => {
    const raw = new RegExp(`^ {4}${key}: (".*")$`, 'm').exec(section)?.[1];
    try {
      const parsed = raw === undefined ? undefined : parseJson(raw);
      return typeof parsed === 'string' ? parsed : undefined;
    } catch {
      return undefined;
    }
  };
  const [bucket, region, accessKeyId, secretAccessKey] = ['bucket', 'region', 'accesskey', 'secretkey'].map(value);
  if (!bucket || !region || accessKeyId === undefined || secretAccessKey === undefined) return undefined;
  return {
    bucket,
    prefix: (value('rootdirectory') ?? '').replace(/^\/+|\/+$/g, ''),
    endpoint: value('regionendpoint'),
    region,
    credentials: { accessKeyId, secretAccessKey },
  };
}

/** Distribution 2.8's s3 driver takes no session token: temporary credentials would stop working under it. */
export function checkLongLived(credentials: AwsCredentials): void {
  if (credentials.sessionToken) {
    const until = credentials.expiration ? ` (they expire ${credentials.expiration.toISOString()})` : '';
    throw new UsageError(
      `--storage s3 needs an access key that does not expire: the AWS credentials found are temporary${until}, and the registry cannot renew them; give it an IAM user's key (AWS_PROFILE with ~/.aws/credentials)`,
    );
  }
}

/** The S3 storage a container was made with (its label), or undefined. */
export function s3StorageOf(labels: Record<string, string> | undefined): string | undefined {
  const url = labels?.[LABEL_STORAGE];
  return url?.startsWith('s3://') ? url : undefined;
}

/**
 * The one line of a command that would remove from a registry's storage, on S3 storage: the
 * bucket may be shared by registries on other machines, which would have to stop writing first;
 * the command's --dry-run (hasDryRun) reads the bucket and says what it would remove.
 */
export function notYetOnS3(what: string, container: string, url: string, hasDryRun = true): string {
  const instead = hasDryRun ? `; ${what} --dry-run shows what it would remove` : '';
  return `not yet on S3 storage: ${what} removes nothing from ${url} (${container}'s bucket, which other registries may share)${instead}`;
}

/**
 * Before any container: the bucket answers a listing with the user's credentials (one line
 * when it does not), the credentials are long-lived, and the configuration is written.
 */
export async function prepareS3Storage(
  env: NodeJS.ProcessEnv,
  registry: string,
  storage: S3Storage,
  signal?: AbortSignal,
): Promise<{ url: string; configFile: string }> {
  const { checkBucket } = await import('../aws/s3-bucket.ts');
  const access = await checkBucket(storage, signal);
  checkLongLived(access.credentials);
  const configFile = s3ConfigFile(env, registry);
  writeSecretFile(env, configFile, s3ConfigYaml(storage, access.credentials, access.region));
  return { url: storage.url, configFile };
}
