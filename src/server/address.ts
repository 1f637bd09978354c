// The -r/--registry HOST:PORT of the life-cycle commands: a registry container on the
// engine's own machine, published on a loopback address only.
import { RefusedError, UsageError } from '../errors.ts';
import { formatHostPort, registryHost, type RegistryHost } from '../registry/host.ts';

export interface LocalRegistryAddress {
  /** As the user wrote it, e.g. localhost:5001. */
  registry: string;
  host: string;
  port: number;
  /** The loopback address the port is published on: 127.0.0.1 for localhost. */
  bindIp: string;
}

/** An unspecified address (every interface): '', 0.0.0.0 or ::. */
export const isWildcard = (ip: string): boolean => ip === '' || ip === '0.0.0.0' || ip === '::';

/** The address a loopback host name is published on: 127.0.0.1 for localhost. */
export function bindIpOf(hostname: string): string {
  const lower = hostname.toLowerCase();
  return lower === 'localhost' ? '127.0.0.1' : lower;
}

/** Checks -r for the life-cycle commands: a port, and a host on this machine. */
export function parseLocalRegistry(registry: RegistryHost | string): LocalRegistryAddress {
  const host = typeof registry === 'string' ? registryHost(registry.trim()) : registry;
  if (host.port === undefined) {
    throw new UsageError(`-r/--registry needs HOST:PORT with a port from 1 to 65535, e.g. localhost:5001 (got "${host.name}")`);
  }
  if (isWildcard(host.hostname)) {
    const local = formatHostPort(host.hostname === '::' ? '::1' : 'localhost', host.port);
    throw new UsageError(
      `-r ${host.name} is not an address to reach the registry at: use -r ${local}, and to offer the registry to other machines too, start it with --bind ${host.hostname} --auth USER`,
    );
  }
  if (!host.loopback) {
    throw new RefusedError(
      `a registry can only be run on this machine: -r ${host.name} is not local (use localhost:PORT, 127.x.x.x:PORT or [::1]:PORT)`,
    );
  }
  return { registry: host.name, host: host.hostname.toLowerCase(), port: host.port, bindIp: bindIpOf(host.hostname) };
}

/** Does a published host address serve bindIp? An unspecified address serves every one. */
export function hostIpServes(hostIp: string, bindIp: string): boolean {
  if (isWildcard(hostIp)) return true;
  return hostIp === bindIp;
}

/** The registry's name for a published address: localhost:PORT for 127.0.0.1 and unspecified. */
export function registryName(hostIp: string, port: number): string {
  if (isWildcard(hostIp) || hostIp === '127.0.0.1') return `localhost:${port}`;
  return formatHostPort(hostIp, port);
}

/**
 * Where a registry on the host's network (`docker run --network host`) listens: distribution's
 * REGISTRY_HTTP_ADDR (":5000", "127.0.0.1:5001", "[::1]:5001"), else its default ":5000".
 * Such a container publishes no port; this stands in for the binding. Undefined for an
 * address that is not HOST:PORT (a Unix socket, say).
 */
export function hostNetworkBinding(env: readonly string[]): { hostIp: string; port: number } | undefined {
  const addr = env.findLast((e) => e.startsWith('REGISTRY_HTTP_ADDR='))?.slice('REGISTRY_HTTP_ADDR='.length) ?? ':5000';
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(addr.trim());
  const port = Number(m?.[3]);
  if (!m || !(port >= 1 && port <= 65535)) return undefined;
  return { hostIp: bindIpOf(m[1] ?? m[2] ?? ''), port };
}
