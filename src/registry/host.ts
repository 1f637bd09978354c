// The registry host: one value for -r and for the host part of every reference, parsed
// once. Everything else asks it: whether it is a loopback host (plain HTTP, as Docker
// treats it), whether it is Docker Hub, where requests go, the key of its logins.
//
// API
//   registryHost(text, option?) -> RegistryHost, or UsageError naming the option and what to write
//   parseRegistryHost(text) -> RegistryHost, or the problem ('empty' | 'form' | 'port')
//   looksLikeHost(component) / splitDomain(name) -> the distribution rule: a name's first
//       component is a registry host when it has a "." or ":", is "localhost", or has upper case
//   isLoopback(hostname) -> localhost, 127.0.0.0/8, ::1
//   isDockerHub(name) -> one of DOCKER_HUB_NAMES
//   formatHostPort(hostname, port) -> "host:port", "[::1]:port"
//   jindrCommand(registry, command) -> "docker jindr -r HOST:PORT command" (-r left out for the default)
import { UsageError } from '../errors.ts';

/** Docker Hub as references name it. */
export const DOCKER_HUB = 'docker.io';
/** Where Docker Hub's registry API answers. */
const DOCKER_HUB_API = 'registry-1.docker.io';
/** Docker Hub's key in config.json and for credential helpers (the Docker CLI's IndexServer). */
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
/**
 * Names that mean Docker Hub: docker.io and index.docker.io (the names the Docker CLI
 * normalises to docker.io), the host its API answers on, and its old name.
 */
export const DOCKER_HUB_NAMES: ReadonlySet<string> = new Set(['docker.io', 'index.docker.io', DOCKER_HUB_API, 'registry.hub.docker.com']);
/** The registry docker-jindr works on when -r is not given. */
export const DEFAULT_REGISTRY = 'localhost:5001';

export interface RegistryHost {
  /** HOST[:PORT] as written ("localhost:5001", "[::1]:5000"); every Docker Hub name is "docker.io". */
  readonly name: string;
  /** The host without port or brackets: "localhost", "::1", "ghcr.io". */
  readonly hostname: string;
  readonly port: number | undefined;
  /** localhost, 127.0.0.0/8 or ::1: spoken to in plain HTTP first, as Docker does. */
  readonly loopback: boolean;
  readonly hub: boolean;
  /** HOST[:PORT] requests go to: registry-1.docker.io for Docker Hub, else the name. */
  readonly requestHost: string;
  /** The key of its logins in config.json and for credential helpers. */
  readonly configKey: string;
  /** The name, so the value reads as text in messages. */
  toString(): string;
}

/** Why a text is not HOST[:PORT]: nothing, not that form at all, or a port outside 1-65535. */
export type HostProblem = 'empty' | 'form' | 'port';

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOSTNAME = new RegExp(`^${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*$`);
const IPV6 = /^[a-fA-F0-9:]+$/;

export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export function isDockerHub(name: string): boolean {
  return DOCKER_HUB_NAMES.has(name.toLowerCase());
}

export function formatHostPort(hostname: string, port: number): string {
  return hostname.includes(':') ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

/** Parses HOST[:PORT] (an IPv6 address in brackets); the problem when it is not that. */
export function parseRegistryHost(text: string): RegistryHost | HostProblem {
  if (text === '') return 'empty';
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  let hostname: string;
  let portText: string | undefined;
  if (bracketed) {
    hostname = bracketed[1]!;
    portText = bracketed[2];
    if (!IPV6.test(hostname)) return 'form';
  } else {
    const colon = text.indexOf(':');
    if (colon !== text.lastIndexOf(':')) return 'form';
    hostname = colon === -1 ? text : text.slice(0, colon);
    portText = colon === -1 ? undefined : text.slice(colon + 1);
    if (!HOSTNAME.test(hostname)) return 'form';
  }
  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^\d*$/.test(portText)) return 'form';
    port = Number(portText);
    if (portText === '' || port < 1 || port > 65535) return 'port';
  }
  const hub = isDockerHub(text);
  const name = hub ? DOCKER_HUB : text;
  return Object.freeze({
    name,
    hostname,
    port,
    loopback: isLoopback(hostname),
    hub,
    requestHost: hub ? DOCKER_HUB_API : text,
    configKey: hub ? DOCKER_HUB_KEY : text,
    toString: () => name,
  });
}

/** The host of -r (or another option): a usage error that says what to write when it is not HOST[:PORT]. */
export function registryHost(text: string, option = '-r/--registry'): RegistryHost {
  const parsed = parseRegistryHost(text);
  if (typeof parsed !== 'string') return parsed;
  const got = `(got ${JSON.stringify(text)})`;
  switch (parsed) {
    case 'empty':
      throw new UsageError(`${option} needs HOST or HOST:PORT, e.g. ${DEFAULT_REGISTRY} ${got}`);
    case 'port':
      throw new UsageError(`${option} needs a port from 1 to 65535 after the colon, e.g. ${DEFAULT_REGISTRY} ${got}`);
    case 'form':
      throw new UsageError(`${option} needs HOST or HOST:PORT, without a scheme or path ${got}`);
  }
}

/** The distribution rule: a first path component names a registry when it looks like a host. */
export function looksLikeHost(component: string): boolean {
  return /[.:]/.test(component) || component === 'localhost' || component !== component.toLowerCase();
}

/** "localhost:5002/team/app" -> domain "localhost:5002", rest "team/app"; no domain when the first component is not a host. */
export function splitDomain(name: string): { domain: string | undefined; rest: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  if (slash !== -1 && looksLikeHost(first)) return { domain: first, rest: name.slice(slash + 1) };
  return { domain: undefined, rest: name };
}

/** A docker jindr command line for the registry: "docker jindr -r localhost:5650 start", or without -r for the default. */
export function jindrCommand(registry: RegistryHost | string, command: string): string {
  const name = String(registry);
  return name === DEFAULT_REGISTRY ? `docker jindr ${command}` : `docker jindr -r ${name} ${command}`;
}
