// The HTTP client under the registry client: Node's own http and https modules, one
// keep-alive pool per registry client, for streamed bodies (blobs up and down); answers
// read whole go over the leaner http1.ts (requestWhole). Node's parser is native; undici
// (which this replaced) cost a command about 35 ms of CPU at start (loading it, compiling its
// WebAssembly parser) where node:http costs about 5, and start-up is most of what
// `ls` or a warm copy costs. Both are loaded on the first request (a command that makes
// none, --help, does not pay for them), https (and with it TLS, about 20 ms more) only
// when a request goes to an https URL.
//
// One idle timeout covers a request: connecting, waiting for the answer, and each gap
// between body chunks (the socket's inactivity); it fails the request with ETIMEDOUT.
import type { Agent as HttpAgent, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { pipeline, type Readable } from 'node:stream';
import { abortError, Http1Pool, type Answer, type PoolOptions, type WholeRequest } from './http1.ts';
import { forwardAgent, forwardOptions, tunnelAgent } from './proxy-agents.ts';

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
      agent = secure ? tunnelAgent(proxy, { ...options, ...this.options.tls }, this.options.timeoutMs) : forwardAgent(proxy, options, this.options.timeoutMs);
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
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const secure = url.protocol === 'https:';
      const send = process.getBuiltinModule(secure ? 'node:https' : 'node:http').request;
      // timeout: the socket's (connecting included); 'timeout' is emitted on the request.
      const proxy = this.options.proxy?.(url);
      const method = init.method ?? 'GET';
      const req =
        proxy === undefined
          ? send(url, { method, headers: init.headers, agent: secure ? this.httpsAgent() : this.httpAgent(), timeout: ms })
          : secure
            ? send(url, { method, headers: init.headers, agent: this.proxyAgent(proxy, true), timeout: ms })
            : send({ ...forwardOptions(url, proxy, init.headers), method, agent: this.proxyAgent(proxy, false), timeout: ms });
      let answer: IncomingMessage | undefined;
      const onAbort = (): void => void req.destroy(abortError(signal!));
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('timeout', () => {
        const err = Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' });
        answer?.destroy(err); // its reader learns why, not just that the connection went
        req.destroy(err);
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
      const body = init.body;
      if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
        req.end(body);
        return;
      }
      // Streamed: quiet once connected, until the whole body is handed to the system.
      req.once('socket', (socket) => {
        if (socket.connecting) socket.once('connect', () => req.writableFinished || socket.setTimeout(0));
        else if (!req.writableFinished) socket.setTimeout(0);
      });
      req.once('finish', () => req.socket?.setTimeout(ms));
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

/** Reads a body to its end, as text (undefined on failure: the caller only wanted to look). */
export async function bodyText(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
