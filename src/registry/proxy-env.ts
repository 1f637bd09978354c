// Which proxy a request goes through, read from the environment as Go's
// http.ProxyFromEnvironment reads it (golang.org/x/net/http/httpproxy), which is how the
// Docker CLI, dockerd and distribution honour it:
// - HTTP_PROXY for http URLs, HTTPS_PROXY for https URLs, NO_PROXY for exceptions; each
//   upper-case name first, its lower-case form when the upper-case one is unset or empty.
// - A proxy without a scheme ("proxy:3128") means http://proxy:3128.
// - Never proxied: localhost, 127.0.0.0/8, ::1 (whatever NO_PROXY says).
// - NO_PROXY, comma-separated, case-insensitive: `*` (nothing is proxied); an IP address
//   (1.2.3.4, 2001:db8::1) or a CIDR block (10.0.0.0/8); a domain, which matches itself
//   and its subdomains (example.com), or with a leading "." or "*." its subdomains only
//   (.example.com); an IP or domain can carry a port (1.2.3.4:80, [2001:db8::1]:443,
//   example.com:5000), and then matches that port only. Anything else is ignored.
// - HTTP_PROXY is refused in a CGI environment (REQUEST_METHOD set), as Go refuses it.
//
// API
//   proxyFor(url, env) -> the proxy URL for a request to url, or undefined
//   proxyChooser(env) -> (url) => the same, with the environment read once
//   proxyEnvironment(env) -> { httpProxy, httpsProxy, noProxy } as chosen (empty: unset)
import type { BlockList as BlockListType } from 'node:net';

export interface ProxyEnvironment {
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
  cgi: boolean;
}

export type ProxyChooser = (url: URL) => URL | undefined;

function envAny(env: NodeJS.ProcessEnv, ...names: string[]): string {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  return '';
}

export function proxyEnvironment(env: NodeJS.ProcessEnv): ProxyEnvironment {
  return {
    httpProxy: envAny(env, 'HTTP_PROXY', 'http_proxy'),
    httpsProxy: envAny(env, 'HTTPS_PROXY', 'https_proxy'),
    noProxy: envAny(env, 'NO_PROXY', 'no_proxy'),
    cgi: envAny(env, 'REQUEST_METHOD') !== '',
  };
}

/** A proxy URL as Go parses it: with a scheme as written, else http:// prepended; undefined when unset or unparsable. */
export function parseProxyUrl(text: string): URL | undefined {
  if (text === '') return undefined;
  const written = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text) ? text : `http://${text}`;
  try {
    return new URL(written);
  } catch {
    return undefined;
  }
}

type Matcher = (host: string, port: string, ip: 'ipv4' | 'ipv6' | undefined) => boolean;

// Loaded on demand, like the rest of Node's modules here: most runs have no proxy set.
const net = (): typeof import('node:net') => process.getBuiltinModule('node:net');

function newBlockList(): BlockListType {
  return new (net().BlockList)();
}

function ipType(text: string): 'ipv4' | 'ipv6' | undefined {
  const kind = net().isIP(text);
  return kind === 4 ? 'ipv4' : kind === 6 ? 'ipv6' : undefined;
}

function ascii(host: string): string {
  const converted = process.getBuiltinModule('node:url').domainToASCII(host);
  return converted === '' ? host : converted;
}

/** Splits "host:port" and "[v6]:port" as Go's net.SplitHostPort does; undefined when it is not that form. */
function splitHostPort(text: string): [string, string] | undefined {
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0 || text[end + 1] !== ':') return undefined;
    return [text.slice(1, end), text.slice(end + 2)];
  }
  const colon = text.lastIndexOf(':');
  if (colon < 0 || text.indexOf(':') !== colon) return undefined;
  return [text.slice(0, colon), text.slice(colon + 1)];
}

/** NO_PROXY as Go's httpproxy reads it: IP matchers, domain matchers, or everything ('*'). */
function noProxyMatchers(noProxy: string): { ip: Matcher[]; domain: Matcher[] } {
  const ip: Matcher[] = [];
  const domain: Matcher[] = [];
  for (const raw of noProxy.split(',')) {
    const p = raw.trim().toLowerCase();
    if (p === '') continue;
    if (p === '*') return { ip: [() => true], domain: [() => true] };
    const cidr = /^([^/]+)\/(\d+)$/.exec(p);
    const cidrType = cidr ? ipType(cidr[1]!) : undefined;
    if (cidr && cidrType) {
      const prefix = Number(cidr[2]);
      if (prefix <= (cidrType === 'ipv4' ? 32 : 128)) {
        const block = newBlockList();
        block.addSubnet(cidr[1]!, prefix, cidrType);
        ip.push((host, _port, type) => type !== undefined && block.check(host, type));
        continue;
      }
    }
    let [phost, pport] = splitHostPort(p) ?? [p, ''];
    if (phost === '') continue; // ":1": no host, ignored
    const pipType = ipType(phost);
    if (pipType) {
      const block = newBlockList();
      block.addAddress(phost, pipType);
      const wantPort = pport;
      ip.push((host, port, type) => type !== undefined && block.check(host, type) && (wantPort === '' || wantPort === port));
      continue;
    }
    if (phost.startsWith('*.')) phost = phost.slice(1);
    const matchHost = !phost.startsWith('.');
    if (matchHost) phost = `.${phost}`;
    const suffix = ascii(phost);
    const wantPort = pport;
    domain.push(
      (host, port) => (host.endsWith(suffix) || (matchHost && host === suffix.slice(1))) && (wantPort === '' || wantPort === port),
    );
  }
  return { ip, domain };
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

export function proxyChooser(env: NodeJS.ProcessEnv): ProxyChooser {
  const settings = proxyEnvironment(env);
  const httpProxy = parseProxyUrl(settings.httpProxy);
  const httpsProxy = parseProxyUrl(settings.httpsProxy);
  if (httpProxy === undefined && httpsProxy === undefined) return () => undefined;
  const matchers = noProxyMatchers(settings.noProxy);
  const loopback = newBlockList();
  loopback.addSubnet('127.0.0.0', 8, 'ipv4');
  loopback.addAddress('::1', 'ipv6');
  const useProxy = (url: URL): boolean => {
    const bracketed = url.hostname;
    const host = ascii(bracketed.startsWith('[') ? bracketed.slice(1, -1) : bracketed).toLowerCase();
    const port = url.port === '' ? (DEFAULT_PORTS[url.protocol] ?? '') : url.port;
    if (host === 'localhost') return false;
    const type = ipType(host);
    if (type !== undefined && loopback.check(host, type)) return false;
    if (type !== undefined && matchers.ip.some((m) => m(host, port, type))) return false;
    return !matchers.domain.some((m) => m(host, port, type));
  };
  return (url) => {
    let proxy: URL | undefined;
    if (url.protocol === 'https:') proxy = httpsProxy;
    else if (url.protocol === 'http:') {
      proxy = httpProxy;
      if (proxy !== undefined && settings.cgi)
        throw new Error('refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy');
    }
    if (proxy === undefined || !useProxy(url)) return undefined;
    return proxy;
  };
}

export function proxyFor(url: URL, env: NodeJS.ProcessEnv): URL | undefined {
  return proxyChooser(env)(url);
}
