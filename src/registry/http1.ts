// Whole-answer HTTP/1.1 exchanges over kept-alive sockets: the registry client's path
// for requests whose body is in memory (or absent) and whose answer it reads whole:
// manifests, configs, tag lists, the catalog, HEADs, manifest PUTs and DELETEs. A
// listing makes thousands of these, and on two cores the client's CPU per request is
// taken from the registry answering it: Node's http client (ClientRequest,
// IncomingMessage, their streams) costs about 0.25 ms of CPU per request here, this
// about 0.11 ms (bench/list: the bare loops). Streamed bodies (blobs up and down) stay
// on Node's http (http-pool.ts).
//
// One request at a time per socket (no pipelining), at most `connections` sockets per
// origin. The answer is framed by Content-Length, chunked transfer coding, or the end
// of the connection; 1xx answers are skipped. A kept-alive socket that the server
// closed while it was idle is replaced once, for GET and HEAD (nothing was done).
// The connect timeout covers connecting; the idle timeout every later wait for the
// server's next bytes; and an answer whose bytes come slower than the minimum rate over a
// whole window (a slow drip) is ended too. A body over its limit is refused as soon as
// that is known (http1-answer.ts), so a registry cannot make the client hold more.
import type { Socket } from 'node:net';
import { AnswerReader, type Answer, type BodyLimits } from './http1-answer.ts';
import { connectLoopback, isLoopbackName } from './loopback.ts';
import { proxiedSocket, proxyHeaderLines, proxyTarget } from './proxy-agents.ts';
import type { ProxyChooser } from './proxy-env.ts';
import { abortError, RateWatch, slowError, timeoutError, type MinRate } from './wire-limits.ts';

export { abortError } from './wire-limits.ts';

export type { Answer, BodyLimits } from './http1-answer.ts';

export interface TlsOptions {
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  cert?: string | Buffer | undefined;
  key?: string | Buffer | undefined;
  rejectUnauthorized: boolean;
}

export interface PoolOptions {
  /** Sockets per origin (requests beyond wait for one). */
  connections: number;
  /** Idle timeout of a request, ms. */
  timeoutMs: number;
  /** Time to make a TCP connection, ms (default: timeoutMs). */
  connectTimeoutMs?: number;
  /** An answer slower than `bytes` per second over a whole `windowMs` (from its first byte) is ended (default: none). */
  minRate?: MinRate;
  tls: TlsOptions;
  /** The proxy for a URL (proxy-env.ts); none: every request goes direct. */
  proxy?: ProxyChooser | undefined;
}

export interface WholeRequest {
  method: string;
  headers: Record<string, string>;
  body?: Buffer | string | undefined;
  signal?: AbortSignal | undefined;
  /** Bytes the answer's body may have (default: no limit). */
  limits?: BodyLimits | undefined;
}

interface Origin {
  idle: Socket[];
  open: number;
  waiting: Array<() => void>;
}

export class Http1Pool {
  private readonly options: PoolOptions;
  private readonly origins = new Map<string, Origin>();
  private readonly sockets = new Set<Socket>();
  private closed = false;

  constructor(options: PoolOptions) {
    this.options = options;
  }

  async request(url: URL, init: WholeRequest): Promise<Answer> {
    const key = `${url.protocol}//${url.host}`;
    let origin = this.origins.get(key);
    if (!origin) this.origins.set(key, (origin = { idle: [], open: 0, waiting: [] }));
    const head = requestHead(url, init, url.protocol === 'http:' ? this.options.proxy?.(url) : undefined);
    for (let attempt = 0; ; attempt += 1) {
      const { socket, reused } = await this.take(origin, url, init.signal);
      try {
        const answer = await exchange(socket, head, init, this.options);
        this.give(origin, socket, answer.keepAlive);
        return answer;
      } catch (err) {
        this.give(origin, socket, false);
        // The server closed a kept-alive socket as it was reused: nothing was done, try a new one.
        const idempotent = init.method === 'GET' || init.method === 'HEAD';
        if (reused && idempotent && attempt === 0 && (err as { beforeAnswer?: boolean }).beforeAnswer === true) continue;
        throw err;
      }
    }
  }

  close(): Promise<void> {
    this.closed = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.origins.clear();
    return Promise.resolve();
  }

  private async take(origin: Origin, url: URL, signal: AbortSignal | undefined): Promise<{ socket: Socket; reused: boolean }> {
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      if (this.closed) throw Object.assign(new Error('the registry client was closed'), { code: 'ECONNABORTED' });
      const idle = origin.idle.pop();
      if (idle) {
        if (idle.destroyed || !idle.writable) {
          origin.open -= 1;
          continue;
        }
        idle.ref();
        return { socket: idle, reused: true };
      }
      if (origin.open < this.options.connections) {
        origin.open += 1;
        return { socket: await this.connect(origin, url, signal), reused: false };
      }
      await new Promise<void>((resolve) => origin.waiting.push(resolve));
    }
  }

  private give(origin: Origin, socket: Socket, keep: boolean): void {
    if (keep && !this.closed && !socket.destroyed) {
      socket.setTimeout(0);
      socket.unref(); // an idle socket does not keep the command running
      origin.idle.push(socket);
    } else {
      socket.destroy();
      origin.open -= 1;
      this.sockets.delete(socket);
    }
    origin.waiting.shift()?.();
  }

  private async connect(origin: Origin, url: URL, signal: AbortSignal | undefined): Promise<Socket> {
    const proxy = this.options.proxy?.(url);
    let socket: Socket;
    const connectMs = this.options.connectTimeoutMs ?? this.options.timeoutMs;
    if (proxy !== undefined || (url.protocol === 'http:' && isLoopbackName(url.hostname))) {
      try {
        socket =
          proxy !== undefined
            ? await proxiedSocket(proxy, url, this.options.tls, connectMs, signal)
            : await connectLoopback(Number(url.port || 80), connectMs, signal);
        if (this.closed) {
          socket.destroy();
          throw Object.assign(new Error('the registry client was closed'), { code: 'ECONNABORTED' });
        }
      } catch (err) {
        origin.open -= 1;
        origin.waiting.shift()?.();
        throw err;
      }
    } else {
      socket = openSocket(url, this.options.tls);
    }
    this.sockets.add(socket);
    // An idle socket the server closes leaves the pool quietly.
    const forget = (): void => {
      const at = origin.idle.indexOf(socket);
      if (at >= 0) {
        origin.idle.splice(at, 1);
        origin.open -= 1;
        origin.waiting.shift()?.();
      }
      this.sockets.delete(socket);
    };
    socket.on('close', forget);
    socket.on('error', () => {}); // reported through the exchange that is running, if any
    return socket;
  }
}

/** A new connection to url's origin, TLS for https: the one place this stack makes sockets. */
export function openSocket(url: URL, tls: TlsOptions): Socket {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const secure = url.protocol === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  if (secure) {
    const { connect } = process.getBuiltinModule('node:tls');
    const { isIP } = process.getBuiltinModule('node:net');
    return connect({
      host,
      port,
      ALPNProtocols: ['http/1.1'],
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      rejectUnauthorized: tls.rejectUnauthorized,
    });
  }
  const socket = process.getBuiltinModule('node:net').connect({ host, port });
  socket.setNoDelay(true);
  return socket;
}

/** Request line and headers; a header value with a line break is refused (no header injection). */
function requestHead(url: URL, init: WholeRequest, proxy: URL | undefined): string {
  // Through a proxy, plain HTTP goes in absolute form (proxy-agents.ts).
  let head =
    proxy === undefined
      ? `${init.method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`
      : `${init.method} ${proxyTarget(url)} HTTP/1.1\r\nhost: ${url.host}\r\n${proxyHeaderLines(proxy)}`;
  for (const [name, value] of Object.entries(init.headers)) {
    if (/[\r\n]/.test(value) || /[^!#$%&'*+.^_`|~0-9A-Za-z-]/.test(name))
      throw new TypeError(`invalid HTTP header ${JSON.stringify(name)}`);
    head += `${name}: ${value}\r\n`;
  }
  const length = init.body === undefined ? 0 : Buffer.byteLength(init.body);
  if (init.body !== undefined || !['GET', 'HEAD', 'DELETE'].includes(init.method)) head += `content-length: ${length}\r\n`;
  return `${head}\r\n`;
}

/** Writes one request and reads its whole answer. */
function exchange(socket: Socket, head: string, init: WholeRequest, options: PoolOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const signal = init.signal;
    const timeoutMs = options.timeoutMs;
    const connectMs = options.connectTimeoutMs ?? timeoutMs;
    const reader = new AnswerReader(init.method === 'HEAD', init.limits);
    const rate = options.minRate && new RateWatch(options.minRate);
    let settled = false;
    const finish = (err: Error | undefined, answer?: Answer): void => {
      if (settled) return;
      settled = true;
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
      socket.off('timeout', onTimeout);
      socket.off('connect', onConnect);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(answer!);
    };
    const onData = (chunk: Buffer): void => {
      let answer: Answer | undefined;
      try {
        answer = reader.push(chunk);
      } catch (err) {
        finish(err as Error);
        return;
      }
      if (answer) finish(undefined, answer);
      else if (rate?.tooSlow(chunk.length)) {
        const err = slowError(options.minRate!);
        finish(err);
        socket.destroy(err);
      }
    };
    const onEnd = (): void => {
      const answer = reader.end();
      if (answer) finish(undefined, answer);
      else
        finish(
          Object.assign(new Error('other side closed before the answer ended'), { code: 'ECONNRESET', beforeAnswer: !reader.started }),
        );
    };
    const onError = (err: Error): void => finish(Object.assign(err, { beforeAnswer: !reader.started }));
    const onTimeout = (): void => {
      const err = timeoutError(socket.connecting ? connectMs : timeoutMs, socket.connecting);
      finish(err);
      socket.destroy(err);
    };
    const onConnect = (): void => void socket.setTimeout(timeoutMs);
    const onAbort = (): void => {
      finish(abortError(signal!));
      socket.destroy();
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.on('error', onError);
    socket.on('timeout', onTimeout);
    if (socket.connecting) {
      socket.setTimeout(connectMs);
      socket.once('connect', onConnect);
    } else socket.setTimeout(timeoutMs);
    if (init.body === undefined || init.body.length === 0) socket.write(head, 'latin1');
    else socket.write(Buffer.concat([Buffer.from(head, 'latin1'), Buffer.isBuffer(init.body) ? init.body : Buffer.from(init.body)]));
  });
}
