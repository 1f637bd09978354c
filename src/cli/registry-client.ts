// The one place commands get a registry client: it ties the client to the command's
// Context (Ctrl-C aborts its requests, --debug shows them) and, later, to Docker's
// credentials and certs.d TLS material. Commands never construct RegistryClient.
import pkg from '../../package.json' with { type: 'json' };
import { RegistryClient, type RegistryClientOptions } from '../registry/client.ts';
import { registryTlsOptions } from '../docker/certs.ts';
import { dockerConfigDir } from '../docker/config.ts';
import { dockerKeychain } from '../docker/credentials.ts';
import { checkRegistryHost } from '../registry/reference.ts';
import type { Context } from './context.ts';

export type RegistryClientForOptions = Pick<RegistryClientOptions, 'insecure' | 'concurrency' | 'connections' | 'timeoutMs' | 'credentials'>;

export function registryClientFor(ctx: Context, host: string, options: RegistryClientForOptions = {}): RegistryClient {
  return new RegistryClient(checkRegistryHost(host), {
    signal: ctx.signal,
    log: ctx.debug ? (message) => ctx.debugLog(message) : undefined,
    userAgent: `docker-jindr/${pkg.version}`,
    // Docker's logins (credHelpers, credsStore, auths) and certs.d, as `docker push` uses them.
    credentials: dockerKeychain({ configDir: dockerConfigDir(ctx.docker.config, ctx.env), env: ctx.env }),
    ...registryTlsOptions(host, ctx.env),
    ...options,
  });
}
