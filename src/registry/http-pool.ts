// The HTTP client under the registry client: Node's own http and https modules, one
// keep-alive pool per registry client, for streamed bodies (blobs up and down); answers
// read whole go over the leaner http1.ts (requestWhole). Node's parser is native; undici
// (which this replaced) cost a command about 35 ms of CPU at start (loading it, compiling its
// WebAssembly parser) where node:http costs about 5, and start-up is most of what
// `ls` or a warm copy costs. Both are loaded on the first request (a command that makes
// none, --help, does not pay for them), https (and with it TLS, about 20 ms more) only
// when a request goes to an https URL.
//
// The connect timeout covers connecting; the idle timeout then covers waiting for the
// answer and each gap between body chunks (the socket's inactivity); either fails the
// request with ETIMEDOUT. A gap is not counted against this registry while its side waits
// on the other end of a copy: an upload waiting for its source, a download its reader
// does not take (backpressure): the registry that stalls is the one named. An answer
// below the minimum rate over a window (wire-limits.ts) is ended too.
import type { Agent as HttpAgent, ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Agent as HttpsAgent } from 'node:https';
import { pipeline, type Readable } from 'node:stream';
import { abortError, Http1Pool, type Answer, type PoolOptions, type WholeRequest } from './http1.ts';
import { AnswerTooLargeError } from './http1-answer.ts';
import { forwardAgent, forwardOptions, tunnelAgent } from './proxy-agents.ts';
import { RateWatch, slowError, timeoutError, type MinRate } from './wire-limits.ts';

export type { PoolOptions, TlsOptions } from './http1.ts';

export interface WireRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string | Readable | undefined;
  signal?: AbortSignal | undefined;
}

export interface WireResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** Read it to the end or destroy it: either frees the socket. */
  body: IncomingMessage;
}

export class HttpPool {
  private readonly options: PoolOptions;
  private http: HttpAgent | undefined;
  private https: HttpsAgent | undefined;
  private whole: Http1Pool | undefined;
  /** Agents through a proxy, by proxy and kind (plain http forwarded, https tunnelled). */
  private readonly proxied = new Map<string, HttpAgent | HttpsAgent>();

  constructor(options: PoolOptions) {
    this.options = options;
  }

  /** The agent (and so the sockets) for url: the one place this stack's connections are made. */
  private agent(url: URL): HttpAgent | HttpsAgent {
    return url.protocol === 'https:' ? this.httpsAgent() : this.httpAgent();
  }

  private httpAgent(): HttpAgent {
    const { Agent } = process.getBuiltinModule('node:http');
    this.http ??= new Agent({ keepAlive: true, maxSockets: this.options.connections, timeout: 30_000 });
    return this.http;
  }

  private httpsAgent(): HttpsAgent {
    const { Agent } = process.getBuiltinModule('node:https');
    this.https ??= new Agent({ keepAlive: true, maxSockets: this.options.connections, timeout: 30_000, ...this.options.tls });
    return this.https;
  }

  private proxyAgent(proxy: URL, secure: boolean): HttpAgent | HttpsAgent {
    const key = `${secure ? 'tunnel' : 'forward'} ${proxy.href}`;
    let agent = this.proxied.get(key);
    if (agent === undefined) {
      const options = { keepAlive: true, maxSockets: this.options.connections, timeout: 30_000 };
      agent = secure
        ? tunnelAgent(proxy, { ...options, ...this.options.tls }, this.options.timeoutMs)
        : forwardAgent(proxy, options, this.options.timeoutMs);
      this.proxied.set(key, agent);
    }
    return agent;
  }

  /**
   * Sends one request; resolves with the answer's head, its body still to read. The idle
   * timeout runs while connecting, from the end of the request's body to the answer, and
   * between the answer's body chunks; not while a streamed body waits for its own source
   * (a copy's upload waits on the download: the side that stalls is the one named).
   */
  request(url: URL, init: WireRequest = {}): Promise<WireResponse> {
    const signal = init.signal;
    const ms = this.options.timeoutMs;
    const connectMs = this.options.connectTimeoutMs ?? ms;
    const minRate = this.options.minRate;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const secure = url.protocol === 'https:';
      const send = process.getBuiltinModule(secure ? 'node:https' : 'node:http').request;
      // timeout: the socket's (connecting included); 'timeout' is emitted on the request.
      const proxy = this.options.proxy?.(url);
      const method = init.method ?? 'GET';
      const req =
        proxy === undefined
          ? send(url, { method, headers: init.headers, agent: this.agent(url), timeout: ms })
          : secure
            ? send(url, { method, headers: init.headers, agent: this.proxyAgent(proxy, true), timeout: ms })
            : send({ ...forwardOptions(url, proxy, init.headers), method, agent: this.proxyAgent(proxy, false), timeout: ms });
      const body = init.body;
      const streamed = !(body === undefined || typeof body === 'string' || Buffer.isBuffer(body));
      let answer: IncomingMessage | undefined;
      const onAbort = (): void => void req.destroy(abortError(signal!));
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('timeout', () => {
        const socket = req.socket;
        const connecting = socket?.connecting === true;
        if (!connecting && socket) {
          // Our side waits, not the registry: the upload on its source, the answer on its reader.
          const uploadWaits = streamed && !req.writableFinished && socket.writableLength === 0 && req.writableLength === 0;
          const readerWaits = answer !== undefined && (answer.isPaused() || answer.readableLength >= answer.readableHighWaterMark);
          if (uploadWaits || readerWaits) {
            socket.setTimeout(ms);
            return;
          }
        }
        const err = timeoutError(connecting ? connectMs : ms, connecting);
        answer?.destroy(err); // its reader learns why, not just that the connection went
        req.destroy(err);
      });
      req.once('socket', (socket) => {
        if (minRate) watchRate(req, socket, minRate, () => answer);
        if (!socket.connecting) return;
        socket.setTimeout(connectMs);
        socket.once('connect', () => socket.setTimeout(ms));
      });
      req.once('error', (err) => {
        signal?.removeEventListener('abort', onAbort);
        reject(err);
      });
      req.once('response', (res) => {
        answer = res;
        // The body's readers listen for its errors; this one only keeps an unread body from crashing the process.
        res.on('error', () => {});
        res.once('close', () => signal?.removeEventListener('abort', onAbort));
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: res });
      });
      if (!streamed) {
        req.end(body);
        return;
      }
      pipeline(body, req, () => {});
    });
  }

  /**
   * A request whose body is in memory (or absent) and whose answer is read whole, over
   * sockets of its own (http1.ts: about half the CPU per request of Node's client).
   */
  requestWhole(url: URL, init: WholeRequest): Promise<Answer> {
    this.whole ??= new Http1Pool(this.options);
    return this.whole.request(url, init);
  }

  close(): Promise<void> {
    this.http?.destroy();
    this.https?.destroy();
    for (const agent of this.proxied.values()) agent.destroy();
    return this.whole?.close() ?? Promise.resolve();
  }
}

/** Ends an answer (head and body) whose bytes come slower than the minimum rate, except while its reader holds it back. */
function watchRate(req: ClientRequest, socket: Socket, minRate: MinRate, answer: () => IncomingMessage | undefined): void {
  const watch = new RateWatch(minRate);
  const onData = (chunk: Buffer): void => {
    const res = answer();
    if (res?.isPaused()) watch.paused = true;
    if (!watch.tooSlow(chunk.length)) return;
    const err = slowError(minRate);
    res?.destroy(err);
    req.destroy(err);
  };
  socket.on('data', onData);
  const stop = (): void => void socket.off('data', onData);
  req.once('close', stop);
  req.once('response', (res: IncomingMessage) => {
    res.on('pause', () => void (watch.paused = true));
    res.once('close', stop);
  });
}

/**
 * Reads a body to its end (at most `limit` bytes: beyond, it is destroyed and the read
 * fails with AnswerTooLargeError, whatever its Content-Length announced).
 */
export function readAll(stream: Readable, limit = Infinity, status = 200): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stream.destroy();
        reject(new AnswerTooLargeError(limit, status));
        return;
      }
      chunks.push(chunk);
    });
    stream.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

/** Reads a body to its end as text (at most `limit` bytes). */
export async function bodyText(body: Readable, limit = Infinity): Promise<string> {
  return (await readAll(body, limit)).toString('utf8');
}
