// Registry clients as Docker makes them: its logins (config.json, credential helpers) and
// certs.d TLS material, as `docker push` uses them. The one place clients are made, for
// commands and completion alike; callers never construct RegistryClient.
import pkg from '../../package.json' with { type: 'json' };
import { UsageError } from '../errors.ts';
import { cacheDirectory } from '../registry/cache-file.ts';
import { RegistryClient } from '../registry/client.ts';
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

/** JINDR_TIMEOUT_MS: how long a registry may stay silent (connecting, before answering, between body chunks); default 30 s. */
export function registryTimeoutMs(env: NodeJS.ProcessEnv): number | undefined {
  const text = env.JINDR_TIMEOUT_MS;
  if (text === undefined || text === '') return undefined;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < 1) throw new UsageError(`JINDR_TIMEOUT_MS must be a whole number of milliseconds, 1 or more (got ${JSON.stringify(text)})`);
  return ms;
}

/** Opens clients with Docker's logins, certs.d and proxies; JINDR_TIMEOUT_MS and the proxies are checked here, before any request. */
export function dockerRegistryClients(settings: DockerClientSettings): OpenClient {
  const timeoutMs = settings.defaults?.timeoutMs ?? registryTimeoutMs(settings.env);
  // HTTP_PROXY, HTTPS_PROXY, NO_PROXY as Docker honours them, read once for the run.
  const proxy = registryProxies(settings.env);
  // One keychain for the run: config.json is read once, each host asked once.
  const credentials = dockerKeychain({ configDir: dockerConfigDir(settings.configFlag, settings.env), env: settings.env });
  return (host, options = {}) =>
    new RegistryClient(host, {
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
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
