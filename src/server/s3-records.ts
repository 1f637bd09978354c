// The registries that keep their data in one bucket and prefix, recorded there: `up --storage`
// writes one small object per registry container under PREFIX/docker-jindr/registries/
// (its container name, its address, the engine it runs on: that engine's ID and its
// endpoint as Docker writes it, never a key), so that gc on that storage knows which
// registries must stop writing while it removes objects (src/gc/s3-collect.ts). The lock
// of a collection lives beside them (PREFIX/docker-jindr/gc.lock). Nothing here is under
// docker/registry/v2, so distribution never sees these objects. Imported on demand: it
// brings the SDK's signer.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type Docker from 'dockerode';
import { deleteObject, getObject, listObjects, putObject, type S3Location } from '../aws/s3-objects.ts';
import { isJsonObject, isString, parseJson } from '../json-shape.ts';
import { ResourceError } from '../errors.ts';
import { parseS3Config, type S3RegistryConfig } from './s3-storage.ts';

/** One registry on the store, as `up --storage` records it. */
export interface RegistryRecord {
  /** The object's key in the bucket. */
  key: string;
  container: string;
  /** Its address, e.g. localhost:5001. */
  registry: string;
  /** The ID of the engine it runs on (`docker info`'s ID). */
  engine: string;
  /** That engine's endpoint, for people (unix:///var/run/docker.sock, ssh://host). */
  endpoint: string;
  since: string;
}

/** Where docker-jindr keeps its own objects for the storage at prefix. */
export const jindrPrefix = (prefix: string): string => `${prefix ? `${prefix}/` : ''}docker-jindr/`;

export const locationOf = (config: S3RegistryConfig): S3Location => ({
  bucket: config.bucket,
  endpoint: config.endpoint,
  region: config.region,
  credentials: config.credentials,
});

/** The engine's own ID (Podman's answer may have none: its name then). */
export async function engineId(docker: Docker): Promise<string> {
  const info = (await docker.info()) as { ID?: unknown; Name?: unknown };
  const id = isString(info.ID) && info.ID !== '' ? info.ID : isString(info.Name) ? info.Name : '';
  if (id === '') throw new ResourceError('the Docker engine does not say its ID (docker info): cannot record the registry on its storage');
  return id;
}

/** An endpoint as people may read it: a user name or password in it is dropped. */
const withoutCredentials = (endpoint: string): string => endpoint.replace(/^([a-z+]+:\/\/)[^@/]*@/, '$1');

const recordKey = (prefix: string, engine: string, container: string): string =>
  `${jindrPrefix(prefix)}registries/${createHash('sha256').update(engine).digest('hex').slice(0, 12)}-${container.replace(/[^\w.-]/g, '-')}.json`;

/** Records the registry container on the storage its configuration file (written by up) names. */
export async function recordRegistry(
  docker: Docker,
  endpoint: string,
  record: { container: string; registry: string; configFile: string },
  signal?: AbortSignal,
): Promise<void> {
  const config = parseS3Config(readFileSync(record.configFile, 'utf8'));
  if (!config) throw new ResourceError(`${record.configFile} does not name a bucket: run up --storage again`);
  const engine = await engineId(docker);
  const body = {
    container: record.container,
    registry: record.registry,
    engine,
    endpoint: withoutCredentials(endpoint),
    since: new Date().toISOString(),
  };
  await putObject(locationOf(config), recordKey(config.prefix, engine, record.container), Buffer.from(`${JSON.stringify(body)}\n`), {
    ...(signal ? { signal } : {}),
  });
}

function readRecord(key: string, bytes: Buffer): RegistryRecord | undefined {
  let value: unknown;
  try {
    value = parseJson(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isJsonObject(value)) return undefined;
  const { container, registry, engine, endpoint, since } = value;
  if (!isString(container) || !isString(registry) || !isString(engine) || !isString(endpoint) || !isString(since)) return undefined;
  return { key, container, registry, engine, endpoint, since };
}

/** Every registry recorded on the storage; objects there that are not records are reported by key. */
export async function readRecords(
  config: S3RegistryConfig,
  signal?: AbortSignal,
): Promise<{ records: RegistryRecord[]; unreadable: string[] }> {
  const location = locationOf(config);
  const { objects } = await listObjects(location, `${jindrPrefix(config.prefix)}registries/`, signal ? { signal } : {});
  const records: RegistryRecord[] = [];
  const unreadable: string[] = [];
  for (const o of objects) {
    if (o.key.endsWith('/')) continue;
    const bytes = /^[\w./-]+$/.test(o.key) ? await getObject(location, o.key, signal) : undefined;
    const record = bytes && readRecord(o.key, bytes);
    if (record) records.push(record);
    else if (bytes) unreadable.push(o.key);
  }
  return { records, unreadable };
}

/** Forgets a record (its registry container is gone). */
export async function dropRecord(config: S3RegistryConfig, record: RegistryRecord, signal?: AbortSignal): Promise<void> {
  await deleteObject(locationOf(config), record.key, signal);
}
