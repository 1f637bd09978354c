// The one place commands get a registry client: it ties the client to the command's
// Context (Ctrl-C aborts its requests, --debug shows them) and, later, to Docker's
// credentials and certs.d TLS material. Commands never construct RegistryClient.
import pkg from '../../package.json' with { type: 'json' };
import { RegistryClient, type RegistryClientOptions } from '../registry/client.ts';
import { registryTlsOptions } from '../docker/certs.ts';
import { dockerConfigDir } from '../docker/config.ts';
import { dockerKeychain } from '../docker/credentials.ts';
import type { RegistryHost } from '../registry/host.ts';
import { UsageError } from '../errors.ts';
import type { Context } from './context.ts';

export type RegistryClientForOptions = Pick<RegistryClientOptions, 'insecure' | 'concurrency' | 'connections' | 'timeoutMs' | 'credentials'>;

/** JINDR_TIMEOUT_MS: how long a registry may stay silent (connecting, before answering, between body chunks); default 30 s. */
export function registryTimeoutMs(env: NodeJS.ProcessEnv): number | undefined {
  const text = env.JINDR_TIMEOUT_MS;
  if (text === undefined || text === '') return undefined;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < 1) throw new UsageError(`JINDR_TIMEOUT_MS must be a whole number of milliseconds, 1 or more (got ${JSON.stringify(text)})`);
  return ms;
}

export function registryClientFor(ctx: Context, host: RegistryHost | string, options: RegistryClientForOptions = {}): RegistryClient {
  const timeoutMs = registryTimeoutMs(ctx.env);
  return new RegistryClient(host, {
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    signal: ctx.signal,
    log: ctx.debug ? (message) => ctx.debugLog(message) : undefined,
    userAgent: `docker-jindr/${pkg.version}`,
    // Docker's logins (credHelpers, credsStore, auths) and certs.d, as `docker push` uses them.
    credentials: dockerKeychain({ configDir: dockerConfigDir(ctx.docker.config, ctx.env), env: ctx.env }),
    ...registryTlsOptions(String(host), ctx.env),
    ...options,
  });
}
