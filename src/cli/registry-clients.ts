// A command's registry clients: Docker's (src/docker/registry-clients.ts), tied to the
// command's Context: Ctrl-C aborts their requests, --debug shows them.
import type { RegistryClient } from '../registry/client.ts';
import type { OpenClient } from '../registry/per-host.ts';
import { proxiedNetwork, type ProxiedNetwork } from '../registry/proxy-agents.ts';
import { registryProxies } from '../registry/proxy-connect.ts';
import { dockerRegistryClients, registryTimeoutMs } from '../docker/registry-clients.ts';
import type { Context } from './context.ts';

export function registryClients(ctx: Context): OpenClient {
  return dockerRegistryClients({
    env: ctx.env,
    configFlag: ctx.docker.config,
    signal: ctx.signal,
    log: ctx.debug ? (message) => ctx.debugLog(message) : undefined,
  });
}

/** One client for one registry host, for the commands that work on one registry (du, prune, index). */
export function registryClientFor(ctx: Context, host: string): RegistryClient {
  return registryClients(ctx)(host);
}

/** cpe's AWS client: the same proxies as the registry clients (HTTPS_PROXY, NO_PROXY...), none when none is set. */
export function ecrNetwork(ctx: Context): ProxiedNetwork | undefined {
  const proxy = registryProxies(ctx.env);
  return proxy === undefined ? undefined : proxiedNetwork(proxy, registryTimeoutMs(ctx.env) ?? 30_000);
}
