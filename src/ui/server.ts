// The page's HTTP server: 127.0.0.1 only, every request through the guard (guard.ts),
// then the page (one HTML, one script, one style sheet, all held in memory) or the JSON API.
import { parseJson } from '../json-shape.ts';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ResourceError } from '../errors.ts';
import { checkRequest, sessionCookie } from './guard.ts';

export interface PageAssets {
  js: string;
  css: string;
}

export interface ApiResult {
  status: number;
  body: unknown;
}

/** Answers one API call: the path after /api/, the query, and the parsed JSON body. */
export type ApiHandler = (method: string, path: string, query: URLSearchParams, body: unknown) => Promise<ApiResult>;

export interface UiServerOptions {
  /** 0: a free port. */
  port: number;
  token: string;
  api: ApiHandler;
  assets: PageAssets;
}

export interface UiServer {
  port: number;
  /** http://127.0.0.1:PORT/?token=... */
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>docker jindr ui</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/app.css">
</head>
<body>
<div id="app"></div>
<noscript>This page needs JavaScript.</noscript>
<script src="/app.js"></script>
</body>
</html>
`;

/** Headers on every answer: nothing from elsewhere runs here, the page is never framed, the URL's token never leaves in a Referer. */
const COMMON_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...COMMON_HEADERS, 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, options: UiServerOptions & { port: number }): Promise<void> {
  const method = req.method ?? 'GET';
  const target = req.url ?? '/';
  const verdict = checkRequest(method, target, req.headers, options);
  if (!verdict.ok) {
    send(res, verdict.status, 'text/plain; charset=utf-8', `${verdict.status}: ${verdict.message}\n`);
    return;
  }
  const url = new URL(target, 'http://127.0.0.1');
  const path = url.pathname;
  const cookie: Record<string, string> = verdict.fromQuery ? { 'set-cookie': sessionCookie(options) } : {};
  if (path.startsWith('/api/')) {
    let body: unknown;
    if (method === 'POST' || method === 'DELETE') {
      try {
        const text = await readBody(req);
        body = text === '' ? {} : parseJson(text);
      } catch (err) {
        sendJson(res, 400, { error: `the request body is not JSON (${err instanceof Error ? err.message : String(err)})` });
        return;
      }
    }
    const result = await options.api(method, path.slice('/api/'.length), url.searchParams, body);
    sendJson(res, result.status, result.body);
    return;
  }
  if (method !== 'GET' && method !== 'HEAD') {
    send(res, 405, 'text/plain; charset=utf-8', `405: ${method} is only for /api/\n`);
    return;
  }
  if (path === '/' || path === '/index.html') send(res, 200, 'text/html; charset=utf-8', INDEX_HTML, cookie);
  else if (path === '/app.js') send(res, 200, 'text/javascript; charset=utf-8', options.assets.js, cookie);
  else if (path === '/app.css') send(res, 200, 'text/css; charset=utf-8', options.assets.css, cookie);
  else send(res, 404, 'text/plain; charset=utf-8', '404: not found\n');
}

/** Starts the server on 127.0.0.1; a taken --port is a ResourceError. */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  let port = options.port;
  const server = createServer((req, res) => {
    handle(req, res, { ...options, port }).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: err instanceof Error ? err.message : String(err) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new ResourceError(`port ${options.port} on 127.0.0.1 is taken: choose another with --port, or leave it out for a free one`)
          : err,
      );
    });
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/?token=${options.token}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
