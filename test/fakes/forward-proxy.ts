// A small forwarding HTTP proxy, as a corporate one behaves: absolute-form requests
// ("GET http://host/path") of any method forwarded with their bodies streamed both ways,
// CONNECT tunnels for https, an optional Proxy-Authorization check (407 with
// Proxy-Authenticate otherwise), and a record of every request it saw. Names in `routes`
// ("registry.only-via-proxy.test:443" -> a local port) are reachable through it only: they
// resolve nowhere else. Other targets are refused with 502 unless `open` lets it connect to
// them as named.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ProxySeen {
  method: string;
  /** The absolute URL, or host:port for CONNECT. */
  target: string;
  /** The Proxy-Authorization header as it came (tests check it was sent, and never forwarded). */
  proxyAuthorization: string | undefined;
  /** Whether the request forwarded to the target carried an Authorization header. */
  authorization: boolean;
  status: number;
}

export interface ForwardProxy {
  /** http://HOST:PORT of the proxy. */
  url: string;
  host: string;
  port: number;
  seen: ProxySeen[];
  /** Requests and tunnels that reached a target named host (any port). */
  reached(host: string): ProxySeen[];
  close(): Promise<void>;
}

export interface ForwardProxyOptions {
  /** Where to listen: 127.0.0.1 by default (the docker bridge's gateway for containers). */
  host?: string;
  /** "name:port" -> where the proxy really connects. */
  routes?: Record<string, { host: string; port: number }>;
  /** Targets outside routes are connected to as named (else 502). */
  open?: boolean;
  /** A user and password the proxy asks for (407 without them). */
  auth?: { user: string; password: string };
  /** Speak TLS to clients (an https:// proxy). */
  tls?: { cert: string; key: string };
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'upgrade'];

export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const seen: ProxySeen[] = [];
  const routes = options.routes ?? {};
  const expected = options.auth ? `Basic ${Buffer.from(`${options.auth.user}:${options.auth.password}`).toString('base64')}` : undefined;
  const route = (authority: string): { host: string; port: number } | undefined => {
    const mapped = routes[authority.toLowerCase()];
    if (mapped) return mapped;
    if (!options.open) return undefined;
    const at = authority.lastIndexOf(':');
    return { host: authority.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(authority.slice(at + 1)) };
  };
  const proxyAuth = (headers: IncomingHttpHeaders): string | undefined => headers['proxy-authorization'];
  const sockets = new Set<Socket>();

  const handler: RequestListener = (req, res) => {
    const record: ProxySeen = {
      method: req.method ?? '?',
      target: req.url ?? '',
      proxyAuthorization: proxyAuth(req.headers),
      authorization: req.headers.authorization !== undefined,
      status: 0,
    };
    seen.push(record);
    const answer = (status: number, headers: Record<string, string> = {}): void => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(`proxy: ${status}\n`);
      req.resume();
    };
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      return answer(400); // origin-form: not a proxy request
    }
    if (expected !== undefined && record.proxyAuthorization !== expected)
      return answer(407, { 'proxy-authenticate': 'Basic realm="proxy"' });
    const where = route(`${target.hostname}:${target.port || '80'}`);
    if (target.protocol !== 'http:' || !where) return answer(502);
    const headers = { ...req.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    const upstream = httpRequest(
      { host: where.host, port: where.port, method: req.method, path: `${target.pathname}${target.search}`, headers },
      (reply) => {
        record.status = reply.statusCode ?? 0;
        const back = { ...reply.headers };
        for (const name of HOP_BY_HOP) delete back[name];
        res.writeHead(reply.statusCode ?? 502, back);
        reply.pipe(res);
      },
    );
    upstream.on('error', () => (res.headersSent ? res.destroy() : answer(502)));
    req.pipe(upstream);
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, handler) : createServer(handler);

  server.on('connect', (req, client: Socket, head: Buffer) => {
    const authority = req.url ?? '';
    const record: ProxySeen = {
      method: 'CONNECT',
      target: authority,
      proxyAuthorization: proxyAuth(req.headers),
      authorization: false,
      status: 0,
    };
    seen.push(record);
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    const refuse = (status: number, text: string, extra = ''): void => {
      record.status = status;
      client.end(`HTTP/1.1 ${status} ${text}\r\n${extra}content-length: 0\r\n\r\n`);
    };
    if (expected !== undefined && record.proxyAuthorization !== expected)
      return refuse(407, 'Proxy Authentication Required', 'proxy-authenticate: Basic realm="proxy"\r\n');
    const where = route(authority);
    if (!where) return refuse(502, 'Bad Gateway');
    const upstream = connect(where.port, where.host, () => {
      record.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream).pipe(client);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => (record.status === 0 ? refuse(502, 'Bad Gateway') : client.destroy()));
    client.on('close', () => upstream.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    host: address,
    port,
    seen,
    reached: (name) =>
      seen.filter((s) => (s.method === 'CONNECT' ? s.target.replace(/:\d+$/, '') : URL.parse(s.target)?.hostname) === name),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
