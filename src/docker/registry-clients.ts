// Registry clients as Docker makes them: its logins (config.json, credential helpers) and
// certs.d TLS material, as `docker push` uses them. The one place clients are made, for
// commands and completion alike; callers never construct RegistryClient.
import pkg from '../../package.json' with { type: 'json' };
import { UsageError } from '../errors.ts';
import { cacheDirectory } from '../registry/cache-file.ts';
import { MIN_RATE, RegistryClient } from '../registry/client.ts';
import { registryProxies } from '../registry/proxy-connect.ts';
import type { ClientOptions, OpenClient } from '../registry/per-host.ts';
import { registryTlsOptions } from './certs.ts';
import { dockerConfigDir } from './config.ts';
import { dockerKeychain } from './credentials.ts';

export interface DockerClientSettings {
  env: NodeJS.ProcessEnv;
  /** Docker's --config, when given (else DOCKER_CONFIG, else ~/.docker). */
  configFlag: string | undefined;
  /** Aborts every request (Ctrl-C, or completion's deadline). */
  signal?: AbortSignal;
  /** Debug lines (--debug); never credentials. */
  log?: (message: string) => void;
  /** Options every client gets unless the caller asks otherwise (completion: a short deadline, no retries). */
  defaults?: ClientOptions;
}

/** A whole number of at least 1 from the environment, or undefined when unset. */
function envNumber(env: NodeJS.ProcessEnv, name: string, unit: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${name} must be a whole number of ${unit}, 1 or more (got ${JSON.stringify(text)})`);
  return n;
}

/** JINDR_TIMEOUT_MS: how long a registry may stay silent (before answering, between body chunks); default 30 s. */
export function registryTimeoutMs(env: NodeJS.ProcessEnv): number | undefined {
  return envNumber(env, 'JINDR_TIMEOUT_MS', 'milliseconds');
}

/**
 * The client options the environment sets: JINDR_TIMEOUT_MS; JINDR_CONNECT_TIMEOUT_MS (time to
 * connect, default JINDR_TIMEOUT_MS); JINDR_MIN_RATE (bytes/s, default 1024) and
 * JINDR_RATE_WINDOW_MS (default 60000): an answer slower than the rate over a whole window ends.
 */
export function registryWireOptions(env: NodeJS.ProcessEnv): ClientOptions {
  const timeoutMs = registryTimeoutMs(env);
  const connectTimeoutMs = envNumber(env, 'JINDR_CONNECT_TIMEOUT_MS', 'milliseconds');
  const bytesPerSecond = envNumber(env, 'JINDR_MIN_RATE', 'bytes per second');
  const windowMs = envNumber(env, 'JINDR_RATE_WINDOW_MS', 'milliseconds');
  return {
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(connectTimeoutMs !== undefined ? { connectTimeoutMs } : {}),
    ...(bytesPerSecond !== undefined || windowMs !== undefined
      ? { minRate: { bytesPerSecond: bytesPerSecond ?? MIN_RATE.bytesPerSecond, windowMs: windowMs ?? MIN_RATE.windowMs } }
      : {}),
  };
}

/** Opens clients with Docker's logins, certs.d and proxies; the JINDR_* wire settings and the proxies are checked here, before any request. */
export function dockerRegistryClients(settings: DockerClientSettings): OpenClient {
  // A caller's own timeout (completion's deadline) leaves JINDR_TIMEOUT_MS unread.
  const wire = registryWireOptions(
    settings.defaults?.timeoutMs !== undefined ? { ...settings.env, JINDR_TIMEOUT_MS: undefined } : settings.env,
  );
  // HTTP_PROXY, HTTPS_PROXY, NO_PROXY as Docker honours them, read once for the run.
  const proxy = registryProxies(settings.env);
  // One keychain for the run: config.json is read once, each host asked once.
  const credentials = dockerKeychain({ configDir: dockerConfigDir(settings.configFlag, settings.env), env: settings.env });
  return (host, options = {}) =>
    new RegistryClient(host, {
      ...wire,
      signal: settings.signal,
      log: settings.log,
      userAgent: `docker-jindr/${pkg.version}`,
      credentials,
      ...(proxy !== undefined ? { proxy } : {}),
      ...registryTlsOptions(host, settings.env),
      // Where blobs were seen, manifests by digest: shortcuts, never trusted blindly.
      cacheDir: cacheDirectory(settings.env),
      ...settings.defaults,
      ...options,
    });
}
