// What `start --auth/--tls/--bind` asks of the registry container, worked out before anything
// is written or created: the registry's own htpasswd auth and TLS, configured by env, with
// their files in the data directory (seen in the container through its /var/lib/registry
// mount), and the host addresses the port is published on.
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { REGISTRY_STORAGE_PATH, type RegistryContainer } from './container.ts';
import { isWildcard, type LocalRegistryAddress } from './address.ts';
import { formatHostPort, isLoopback } from '../registry/host.ts';
import { RefusedError, UsageError } from '../errors.ts';
import type { User } from '../security/htpasswd.ts';
import { GENERATED, OWN, TLS_DIR, type OwnCertificate } from '../security/tls-files.ts';

/** The htpasswd file, relative to the data directory. */
export const AUTH_FILE = 'auth/htpasswd';
export const AUTH_REALM = 'docker-jindr';

const inContainer = (relative: string): string => `${REGISTRY_STORAGE_PATH}/${relative}`;

export const AUTH_ENV: Readonly<Record<string, string>> = {
  REGISTRY_AUTH: 'htpasswd',
  REGISTRY_AUTH_HTPASSWD_REALM: AUTH_REALM,
  REGISTRY_AUTH_HTPASSWD_PATH: inContainer(AUTH_FILE),
};

export type TlsKind = 'generated' | 'own';

export function tlsEnv(kind: TlsKind): Record<string, string> {
  const files = kind === 'own' ? OWN : GENERATED;
  return {
    REGISTRY_HTTP_TLS_CERTIFICATE: inContainer(`${TLS_DIR}/${files.cert}`),
    REGISTRY_HTTP_TLS_KEY: inContainer(`${TLS_DIR}/${files.key}`),
  };
}

/** Our auth and TLS as a container's env shows them (other settings are not ours to manage). */
export interface Security {
  auth: boolean;
  tls: TlsKind | undefined;
}

export function envMap(env: readonly string[] | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of env ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0) map.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return map;
}

const has = (env: Map<string, string>, wanted: Record<string, string>): boolean =>
  Object.entries(wanted).every(([k, v]) => env.get(k) === v);

export function securityOf(c: RegistryContainer): Security {
  const env = envMap(c.details.Config.Env);
  const tls = has(env, tlsEnv('generated')) ? 'generated' : has(env, tlsEnv('own')) ? 'own' : undefined;
  return { auth: has(env, AUTH_ENV), tls };
}

export interface SecurityRequest {
  /** --auth USER with their passwords, in order. */
  users: User[];
  /** --tls, or implied by --san/--cert. */
  tls: boolean;
  sans: string[];
  own: OwnCertificate | undefined;
  /** --bind ADDR, checked by parseBind. */
  bind: string | undefined;
  insecureExpose: boolean;
}

/** Reachable from other machines: anything but 127.0.0.0/8 and ::1. */
export const beyondLoopback = (ip: string): boolean => isWildcard(ip) || !isLoopback(ip);

/** --bind ADDR: an IP address (localhost means 127.0.0.1); a specific one must be this machine's. */
export function parseBind(value: string, local: boolean, addresses: () => string[] = machineAddresses): string {
  const v = value
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase();
  if (v === 'localhost') return '127.0.0.1';
  if (!isIP(v))
    throw new UsageError(
      `--bind needs an IP address of this machine, e.g. 0.0.0.0 (every interface) or 192.168.1.5 (got ${JSON.stringify(value)})`,
    );
  if (local && !isWildcard(v) && !isLoopback(v) && !addresses().includes(v)) {
    throw new UsageError(`--bind ${v}: no network interface of this machine has that address`);
  }
  return v;
}

function machineAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .flatMap((a) => (a ? [a.address.toLowerCase()] : []));
}

/**
 * The host addresses to publish on. The -r address always works on this machine: --bind
 * 0.0.0.0 or :: serves it too; a LAN address is published beside it; another loopback
 * address cannot be both, and must be named with -r.
 */
export function publishAddresses(address: LocalRegistryAddress, bind: string): string[] {
  if (isWildcard(bind) || bind === address.bindIp) return [bind];
  if (isLoopback(bind)) {
    const named = formatHostPort(bind, address.port);
    throw new UsageError(`--bind ${bind} does not serve -r ${address.registry}: name the registry by that address (-r ${named})`);
  }
  return [address.bindIp, bind];
}

export interface SecurityPlan {
  auth: boolean;
  tls: TlsKind | undefined;
  /** Env the container must have for them. */
  env: Record<string, string>;
  publish: string[];
  /** What the container found lacks of the request (for a notice, or a new container). */
  mismatches: string[];
  /** The data directory the files go into (undefined when there is no host directory). */
  dataDir: string | undefined;
  warnings: string[];
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x) => b.includes(x));

/**
 * Decides, from the request and the container found (whose settings are kept unless the
 * request changes them), what the registry will have. Writes nothing; refuses an exposure
 * without authentication unless --insecure-expose.
 */
export function planSecurity(
  address: LocalRegistryAddress,
  existing: RegistryContainer | undefined,
  request: SecurityRequest,
  dirs: { dataDir: string | undefined; defaultDataDir: string },
): SecurityPlan {
  const current: Security = existing ? securityOf(existing) : { auth: false, tls: undefined };
  const asked = request.users.length > 0 || request.tls;
  if (existing && !existing.managed && asked) {
    throw new RefusedError(
      `--auth and --tls configure registries made by docker jindr; ${existing.name} serves ${address.registry} and was not: remove it (docker rm -f ${existing.name}) or use another port`,
    );
  }
  const auth = request.users.length > 0 || current.auth;
  const tls: TlsKind | undefined = request.own ? 'own' : request.tls ? (current.tls ?? 'generated') : current.tls;
  if (tls === 'own' && request.sans.length > 0)
    throw new UsageError('--san names go into certificates docker jindr makes, not into your own --cert');

  const existingIps = [...new Set(existing?.bindings.map((b) => b.hostIp) ?? [])];
  const publish =
    request.bind !== undefined ? publishAddresses(address, request.bind) : existingIps.length > 0 ? existingIps : [address.bindIp];
  const exposed = publish.filter(beyondLoopback);
  const warnings: string[] = [];
  if (exposed.length > 0 && !auth) {
    if (!request.insecureExpose && request.bind !== undefined) {
      throw new RefusedError(
        `--bind ${request.bind} makes the registry reachable from other machines, and it has no authentication: add --auth USER (and --tls), or --insecure-expose to do it anyway`,
      );
    }
    warnings.push(
      `warning: the registry is published on ${exposed.join(', ')} without authentication: anyone who can reach this machine can read, push and delete images`,
    );
  } else if (exposed.length > 0 && !tls) {
    warnings.push(
      `warning: the registry is published on ${exposed.join(', ')} without TLS: passwords cross the network readable (add --tls)`,
    );
  }

  const dataDir = dirs.dataDir ?? (existing ? (existing.storage.kind === 'bind' ? existing.storage.path : undefined) : dirs.defaultDataDir);
  if ((auth || tls) && dataDir === undefined) {
    throw new RefusedError(
      `--auth and --tls keep their files in the registry's data directory, and ${existing?.name ?? 'the container'} has none on this machine: start a new one with -d DIR`,
    );
  }

  const env = { ...(auth ? AUTH_ENV : {}), ...(tls ? tlsEnv(tls) : {}) };
  const mismatches: string[] = [];
  if (existing) {
    if (request.users.length > 0 && !current.auth) mismatches.push('--auth');
    if (tls !== current.tls) mismatches.push(tls === 'own' ? '--cert/--key' : '--tls');
    if (request.bind !== undefined && !sameSet(publish, existingIps)) mismatches.push(`--bind ${request.bind}`);
  }
  return { auth, tls, env, publish, mismatches, dataDir, warnings };
}
