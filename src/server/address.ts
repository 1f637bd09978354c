// The -r/--registry HOST:PORT of the life-cycle commands: a registry container on the
// engine's own machine, published on a loopback address only.
import { RefusedError, UsageError } from '../errors.ts';

export interface LocalRegistryAddress {
  /** As the user wrote it, e.g. localhost:5001. */
  registry: string;
  host: string;
  port: number;
  /** The loopback address the port is published on: 127.0.0.1 for localhost. */
  bindIp: string;
}

/** Splits HOST:PORT (IPv6 hosts in brackets); undefined port when there is none. */
export function splitHostPort(value: string): { host: string; port: string | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(value);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] };
  const colon = value.lastIndexOf(':');
  if (colon < 0) return { host: value, port: undefined };
  return { host: value.slice(0, colon), port: value.slice(colon + 1) };
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Checks -r for the life-cycle commands: a port, and a host on this machine. */
export function parseLocalRegistry(registry: string): LocalRegistryAddress {
  const { host, port } = splitHostPort(registry.trim());
  if (!host || port === undefined || !/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new UsageError(`-r/--registry needs HOST:PORT with a port from 1 to 65535, e.g. localhost:5001 (got "${registry}")`);
  }
  if (!isLoopbackHost(host)) {
    throw new RefusedError(
      `a registry can only be run on this machine: -r ${registry} is not local (use localhost:PORT, 127.x.x.x:PORT or [::1]:PORT)`,
    );
  }
  const lower = host.toLowerCase();
  return { registry, host: lower, port: Number(port), bindIp: lower === 'localhost' ? '127.0.0.1' : lower };
}

/** Does a published host address serve bindIp? An unspecified address serves every one. */
export function hostIpServes(hostIp: string, bindIp: string): boolean {
  if (hostIp === '' || hostIp === '0.0.0.0' || hostIp === '::') return true;
  return hostIp === bindIp;
}

/** The registry's name for a published address: localhost:PORT for 127.0.0.1 and unspecified. */
export function registryName(hostIp: string, port: number): string {
  if (hostIp === '' || hostIp === '0.0.0.0' || hostIp === '::' || hostIp === '127.0.0.1') return `localhost:${port}`;
  return hostIp.includes(':') ? `[${hostIp}]:${port}` : `${hostIp}:${port}`;
}
