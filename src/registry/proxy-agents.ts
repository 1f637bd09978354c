// Proxied sockets and requests for both HTTP stacks of the registry client: http1.ts's own
// sockets (proxiedSocket, absolute-form request lines) and Node's http agents
// (tunnelAgent for https through CONNECT, forwardAgent plus forwardOptions for plain http).
// The rules are proxy-connect.ts's; which proxy, if any, is proxy-env.ts's.
import type { Agent as HttpAgent, ClientRequestArgs } from 'node:http';
import type { Agent as HttpsAgent, AgentOptions as HttpsAgentOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connectProxy, openTunnel, proxyAuthorization } from './proxy-connect.ts';

export interface TunnelTls {
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  cert?: string | Buffer | undefined;
  key?: string | Buffer | undefined;
  rejectUnauthorized: boolean;
}

/** The request target a proxy is sent for a plain-HTTP URL: the absolute form, without userinfo or fragment. */
export function proxyTarget(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search}`;
}

/** The Proxy-Authorization header line for a plain-HTTP request through proxy, or ''. */
export function proxyHeaderLines(proxy: URL): string {
  const auth = proxyAuthorization(proxy);
  return auth === undefined ? '' : `proxy-authorization: ${auth}\r\n`;
}

function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * A socket for http1.ts: to the proxy itself for a plain-HTTP URL (requests then go in
 * absolute form), or TLS to the registry through CONNECT for an https URL, verified as a
 * direct connection is (its CA, its name; SNI = the registry's host).
 */
export async function proxiedSocket(
  proxy: URL,
  url: URL,
  tls: TunnelTls,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Socket> {
  if (url.protocol !== 'https:') return connectProxy(proxy, timeoutMs, signal);
  const host = hostOf(url);
  const raw = await openTunnel(proxy, host, Number(url.port || 443), timeoutMs, signal);
  const { connect } = process.getBuiltinModule('node:tls');
  const { isIP } = process.getBuiltinModule('node:net');
  return connect({
    socket: raw,
    host,
    ALPNProtocols: ['http/1.1'],
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    rejectUnauthorized: tls.rejectUnauthorized,
  });
}

type Created = (err: Error | null, stream: Duplex) => void;

/** An https Agent whose sockets are TLS to the registry inside a CONNECT tunnel (the agent's TLS options apply inside). */
export function tunnelAgent(proxy: URL, options: HttpsAgentOptions, timeoutMs: number): HttpsAgent {
  const { Agent } = process.getBuiltinModule('node:https');
  const agent = new Agent(options);
  agent.createConnection = (connection: ClientRequestArgs, created?: Created): undefined => {
    const host = String(connection.host ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
    const port = Number(connection.port ?? 443);
    openTunnel(proxy, host, port, timeoutMs, undefined).then(
      (raw) => {
        const { connect } = process.getBuiltinModule('node:tls');
        // The agent's options (CA, client certificate, verification, servername) hold inside the tunnel.
        created?.(null, connect({ ...(connection as object), socket: raw, host }));
      },
      (err: Error) => created?.(err, undefined as unknown as Duplex),
    );
    return undefined;
  };
  return agent;
}

/** An http Agent whose sockets go to the proxy (TLS for an https:// proxy); requests use forwardOptions. */
export function forwardAgent(
  proxy: URL,
  options: { keepAlive: boolean; maxSockets: number; timeout: number },
  timeoutMs: number,
): HttpAgent {
  const { Agent } = process.getBuiltinModule('node:http');
  const agent = new Agent(options);
  agent.createConnection = (_connection: ClientRequestArgs, created?: Created): undefined => {
    connectProxy(proxy, timeoutMs, undefined).then(
      (socket) => created?.(null, socket),
      (err: Error) => created?.(err, undefined as unknown as Duplex),
    );
    return undefined;
  };
  return agent;
}

/** Where Node's http client sends a plain-HTTP request through the proxy: its host and port, the absolute form, Host and Proxy-Authorization. */
export function forwardOptions(url: URL, proxy: URL, headers: Record<string, string> | undefined): ClientRequestArgs {
  const auth = proxyAuthorization(proxy);
  return {
    host: hostOf(proxy),
    port: Number(proxy.port || (proxy.protocol === 'https:' ? 443 : 80)),
    path: proxyTarget(url),
    headers: { ...headers, host: url.host, ...(auth !== undefined ? { 'proxy-authorization': auth } : {}) },
  };
}

/** What an outside HTTP client (the AWS SDK's, for ECR) needs to honour the proxies: an https Agent, and where plain HTTP goes. */
export interface ProxiedNetwork {
  /** TLS straight to the host, or through CONNECT where a proxy applies (decided per host:port). */
  httpsAgent: HttpsAgent;
  /** For a plain-HTTP URL that a proxy applies to: the proxy's host and port, the absolute form, Host and Proxy-Authorization. */
  forward(url: URL): { hostname: string; port: number; path: string; headers: Record<string, string> } | undefined;
}

export function proxiedNetwork(choose: (url: URL) => URL | undefined, timeoutMs: number): ProxiedNetwork {
  const { Agent } = process.getBuiltinModule('node:https');
  const { connect } = process.getBuiltinModule('node:tls');
  const agent = new Agent({ keepAlive: true });
  const direct = agent.createConnection.bind(agent);
  agent.createConnection = (connection: ClientRequestArgs, created?: Created): Duplex | undefined => {
    const host = String(connection.host ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
    const port = Number(connection.port ?? 443);
    const proxy = choose(new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}/`));
    if (proxy === undefined) return direct(connection, created) ?? undefined;
    openTunnel(proxy, host, port, timeoutMs, undefined).then(
      (raw) => created?.(null, connect({ ...(connection as object), socket: raw, host })),
      (err: Error) => created?.(err, undefined as unknown as Duplex),
    );
    return undefined;
  };
  return {
    httpsAgent: agent,
    forward: (url) => {
      const proxy = choose(url);
      if (proxy === undefined) return undefined;
      const options = forwardOptions(url, proxy, undefined);
      return {
        hostname: String(options.host),
        port: Number(options.port),
        path: String(options.path),
        headers: options.headers as Record<string, string>,
      };
    },
  };
}
