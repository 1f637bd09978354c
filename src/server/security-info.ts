// Which registries ask for a login and speak TLS, for `info` and `stat`: a running registry
// published on this machine's loopback is asked (registry/probe.ts), which covers settings
// made in a config file; otherwise its env says (all of it, for the containers we made).
import type { RegistryContainer } from './container.ts';
import { isWildcard } from './address.ts';
import { envMap } from './security-plan.ts';
import { formatHostPort, isLoopback } from '../registry/host.ts';
import { probeRegistry } from '../registry/probe.ts';

export interface RegistrySecurity {
  /** A login is needed; null: cannot tell. */
  auth: boolean | null;
  /** htpasswd, token, basic, bearer, ...; null when none or unknown. */
  authMethod: string | null;
  tls: boolean | null;
}

function fromEnv(c: RegistryContainer): RegistrySecurity {
  const env = envMap(c.details.Config.Env);
  let method = env.get('REGISTRY_AUTH')?.trim() || undefined;
  if (!method && env.has('REGISTRY_AUTH_HTPASSWD_PATH')) method = 'htpasswd';
  if (!method && env.has('REGISTRY_AUTH_TOKEN_REALM')) method = 'token';
  const tls = env.has('REGISTRY_HTTP_TLS_CERTIFICATE') || env.has('REGISTRY_HTTP_TLS_LETSENCRYPT_CACHEFILE');
  // Our containers are configured by env alone; others may have it in a config file.
  const known = c.managed;
  return {
    auth: method ? true : known ? false : null,
    authMethod: method ?? null,
    tls: tls ? true : known ? false : null,
  };
}

/** Where to ask a running container: a loopback address it is published on, if any. */
function loopbackAddress(c: RegistryContainer): string | undefined {
  for (const b of c.bindings) {
    const ip = isWildcard(b.hostIp) ? (b.hostIp === '::' ? '::1' : '127.0.0.1') : b.hostIp;
    if (isLoopback(ip)) return formatHostPort(ip, b.port);
  }
  return undefined;
}

export async function registrySecurity(c: RegistryContainer, local: boolean, signal?: AbortSignal): Promise<RegistrySecurity> {
  const env = fromEnv(c);
  const at = c.running && local ? loopbackAddress(c) : undefined;
  const probe = at ? await probeRegistry(at, signal) : undefined;
  if (!probe) return env;
  const method = probe.auth === null ? null : (env.authMethod ?? (probe.auth === 'bearer' ? 'token' : probe.auth));
  return { auth: probe.auth !== null, authMethod: method, tls: probe.tls };
}

/** For tables: "htpasswd + TLS", "TLS", "none", or "-" when it cannot be told. */
export function describeRegistrySecurity(s: RegistrySecurity): string {
  if (s.auth === null && s.tls === null) return '-';
  const parts = [s.auth ? (s.authMethod ?? 'auth') : undefined, s.tls ? 'TLS' : undefined].filter((p): p is string => p !== undefined);
  if (parts.length > 0) return parts.join(' + ');
  return s.auth === false && s.tls === false ? 'none' : '-';
}
