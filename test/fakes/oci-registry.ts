// An OCI registry in the test process, in the manner of go-containerregistry's
// pkg/registry: a node:http server on a free 127.0.0.1 port speaking the distribution
// spec (manifests of the four media types as raw bytes, blobs, monolithic and chunked
// uploads, cross-repository mounts, tags and catalog paging with Link, the referrers
// API, Basic or Bearer auth with a token endpoint on the same server), that a test can
// seed, read, and tell to misbehave (faults), and that logs every request.
//
//   const fake = await startOciRegistry({ auth: { basic: { users: { alice: 'pw' } } } });
//   t.teardown(fake.close);
//   fake.store.pushIndex('app', 'v1', buildIndex(...));   // seed without HTTP
//   fake.faults.add({ path: '/tags/list', status: 500, times: 1 });
//   ... new RegistryClient(fake.host) ...
//   t.deepEqual(fake.requests(), ['GET /v2/_catalog?n=1000', ...]);
//
// Files: oci-registry/store.ts (what it holds), routes.ts and blob-routes.ts (the API),
// auth.ts (challenges and tokens), faults.ts (misbehaviour), behaviour.ts (options).
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Auth, TOKEN_PATH, type AuthOptions, type TokenRequest } from './oci-registry/auth.ts';
import { DEFAULT_BEHAVIOUR, type Behaviour } from './oci-registry/behaviour.ts';
import { Faults, replacement, withHeaders, type Fault } from './oci-registry/faults.ts';
import { drip, hostileAnswer, type Drips } from './oci-registry/hostile.ts';
import { reply, type Reply, type Request } from './oci-registry/reply.ts';
import { cutUpload } from './oci-registry/blob-routes.ts';
import { route } from './oci-registry/routes.ts';
import { Store } from './oci-registry/store.ts';

export { Store } from './oci-registry/store.ts';
export { MISBEHAVIOURS, type FaultSpec, type Misbehaviour } from './oci-registry/faults.ts';
export type { AuthOptions, TokenRequest } from './oci-registry/auth.ts';

export interface OciRegistryOptions extends Partial<Behaviour> {
  auth?: AuthOptions;
  /** Address to listen on (default 127.0.0.1). */
  address?: string;
  /** Serve HTTPS with these options (cert, key, and ca/requestCert for client certificates). */
  tls?: HttpsOptions;
}

export interface LoggedRequest {
  method: string;
  /** The path without the query. */
  path: string;
  /** '?...' or ''. */
  query: string;
  /** The status answered; undefined while pending, for a stall, a reset or a cut body (-1). */
  status?: number;
  authorization?: string;
  /** Whether it came over TLS. */
  tls: boolean;
  /** Which TCP connection carried it (1, 2, ... in order of arrival). */
  connection: number;
}

export interface OciRegistry {
  /** 127.0.0.1:PORT */
  host: string;
  port: number;
  /** http(s)://127.0.0.1:PORT */
  origin: string;
  store: Store;
  behaviour: Behaviour;
  faults: Faults;
  /** Every request, in order of arrival. */
  log: LoggedRequest[];
  /** Requests to the token endpoint (Bearer auth). */
  tokenRequests: TokenRequest[];
  /** TCP connections accepted so far. */
  connections: number;
  /** Requests being answered right now, and the most at once so far. */
  inFlight: number;
  maxInFlight: number;
  /** "METHOD /path?query" of every request (to the registry API; the token endpoint too). */
  requests(): string[];
  /** The first request (already logged, or still to come) that matches; default: any. */
  arrived(match?: (request: LoggedRequest) => boolean): Promise<LoggedRequest>;
  /** The request handler, to serve the same registry behind another listener (e.g. test/fakes/tls-port.ts). */
  handler: RequestListener;
  close(): Promise<void>;
}

const socketIds = new WeakMap<Socket, number>();

export async function startOciRegistry(options: OciRegistryOptions = {}): Promise<OciRegistry> {
  const { auth: authOptions, address = '127.0.0.1', tls, ...behaviourOptions } = options;
  const behaviour: Behaviour = { ...DEFAULT_BEHAVIOUR, ...behaviourOptions };
  const store = new Store();
  const faults = new Faults();
  const auth = new Auth(authOptions);
  const stalled = new Set<ServerResponse>();
  const drips: Drips = new Set();
  const waiting = new Set<(request: LoggedRequest) => void>();
  let sockets = 0;

  const answer = (req: Request): Reply => {
    if (req.url.pathname === TOKEN_PATH && authOptions?.bearer) return auth.token(req);
    const chosen = route(req, { store, behaviour });
    if (chosen.scopes !== undefined && auth.enabled) {
      const refused = auth.check(req, chosen.scopes);
      if (refused) return refused;
    }
    return chosen.run();
  };

  const handle = async (incoming: IncomingMessage, res: ServerResponse, entry: LoggedRequest, body: Buffer): Promise<void> => {
    const encrypted = entry.tls;
    const req: Request = {
      method: incoming.method ?? 'GET',
      url: new URL(incoming.url ?? '/', 'http://x'),
      headers: incoming.headers,
      body,
      origin: `${encrypted ? 'https' : 'http'}://${incoming.headers.host ?? `${address}:${fake.port}`}`,
    };
    const fault: Fault | undefined = faults.take(req.method, req.url.pathname);
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault?.reset) {
      entry.status = -1;
      incoming.socket.destroy();
      return;
    }
    if (hostileAnswer(fault, incoming.socket)) {
      entry.status = -1;
      stalled.add(res);
      return;
    }
    if (fault?.stall && fault.cut === undefined) {
      stalled.add(res);
      return;
    }
    const out = withHeaders((fault && replacement(fault)) ?? answer(req), fault);
    const headers = { 'docker-distribution-api-version': 'registry/2.0', ...out.headers };
    entry.status = out.status;
    if (fault?.dripMs !== undefined) {
      entry.status = -1;
      stalled.add(res);
      drip({ ...out, headers }, req.method === 'HEAD', fault.dripMs, fault.dripBytes ?? 1, incoming.socket, drips);
      return;
    }
    if (fault?.cut !== undefined && out.body) {
      entry.status = -1;
      res.writeHead(out.status, headers);
      res.write(out.body.subarray(0, fault.cut));
      if (fault.stall) stalled.add(res);
      else setTimeout(() => res.socket?.destroy(), 10);
      return;
    }
    res.writeHead(out.status, headers);
    res.end(req.method === 'HEAD' ? undefined : out.body);
  };

  const handler: RequestListener = (incoming, res) => {
    const socket = incoming.socket;
    if (!socketIds.has(socket)) socketIds.set(socket, ++sockets);
    const url = new URL(incoming.url ?? '/', 'http://x');
    const entry: LoggedRequest = {
      method: incoming.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      tls: 'encrypted' in socket && socket.encrypted === true,
      connection: socketIds.get(socket)!,
      ...(incoming.headers.authorization ? { authorization: incoming.headers.authorization } : {}),
    };
    fake.log.push(entry);
    for (const notify of waiting) notify(entry);
    if (faults.take(entry.method, entry.path, true)) {
      incoming.pause(); // the body stays unread: a paused registry
      stalled.add(res);
      return;
    }
    const chunks: Buffer[] = [];
    incoming.on('data', (c: Buffer) => chunks.push(c));
    incoming.on('close', () => {
      if (incoming.complete) return;
      entry.status ??= -1;
      cutUpload(store, entry.method, entry.path, Buffer.concat(chunks));
    });
    incoming.on('end', () => {
      fake.inFlight += 1;
      fake.maxInFlight = Math.max(fake.maxInFlight, fake.inFlight);
      res.on('close', () => (fake.inFlight -= 1));
      handle(incoming, res, entry, Buffer.concat(chunks)).catch((err: unknown) => {
        const failed = reply(500, { 'content-type': 'text/plain' }, `fake registry bug: ${String(err)}`);
        entry.status = 500;
        if (!res.headersSent) res.writeHead(failed.status, failed.headers).end(failed.body);
      });
    });
  };

  const server: Server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  server.keepAliveTimeout = 30_000;
  server.on('connection', () => (fake.connections += 1));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostPart = address.includes(':') ? `[${address}]` : address;
  const fake: OciRegistry = {
    host: `${hostPart}:${port}`,
    port,
    origin: `${tls ? 'https' : 'http'}://${hostPart}:${port}`,
    store,
    behaviour,
    faults,
    log: [],
    connections: 0,
    tokenRequests: auth.tokenRequests,
    inFlight: 0,
    maxInFlight: 0,
    requests: () => fake.log.map((r) => `${r.method} ${r.path}${r.query}`),
    arrived: (match = () => true) =>
      new Promise((resolve) => {
        const found = fake.log.find(match);
        if (found) return resolve(found);
        const notify = (request: LoggedRequest): void => {
          if (!match(request)) return;
          waiting.delete(notify);
          resolve(request);
        };
        waiting.add(notify);
      }),
    handler,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of drips) clearInterval(timer);
        for (const res of stalled) res.socket?.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}

/** HOST:PORT on 127.0.0.1 where nothing listens (a port that was free a moment ago). */
export async function closedHost(): Promise<string> {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}
