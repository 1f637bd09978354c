// Registries that misbehave, in the test process on 127.0.0.1 free ports: they answer
// garbage, an HTML error page, a truncated body, or nothing at all; or they serve an
// image whose manifest or blob bytes do not match their digests. Each records what it
// was asked, so a test can prove that nothing was deleted or written.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { BuiltManifest } from '../helpers/images.ts';

export interface BadRegistry {
  /** 127.0.0.1:PORT */
  host: string;
  port: number;
  /** "METHOD /path" of every HTTP request, in order. */
  requests: string[];
  /** TCP connections accepted. */
  connections: number;
  close(): Promise<void>;
}

/**
 * garbage: 200 and random bytes; invalid-json: 200, application/json, cut-off JSON;
 * html-502: a proxy's HTML error page; truncated: Content-Length larger than what is sent,
 * then the connection closes; silent: accepts connections and never answers.
 */
export type Misbehaviour = 'garbage' | 'invalid-json' | 'html-502' | 'truncated' | 'silent';

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      resolve(address.port);
    });
  });
}

function tracked(server: Server, record: BadRegistry): () => Promise<void> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    record.connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

async function serve(handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined): Promise<BadRegistry> {
  const server: Server = handler ? createHttpServer(handler) : createNetServer(() => {});
  const record: BadRegistry = { host: '', port: 0, requests: [], connections: 0, close: async () => {} };
  if (handler) {
    server.on('request', (req: IncomingMessage) => record.requests.push(`${req.method} ${req.url}`));
  }
  record.close = tracked(server, record);
  record.port = await listen(server);
  record.host = `127.0.0.1:${record.port}`;
  return record;
}

export function startBadRegistry(behaviour: Misbehaviour): Promise<BadRegistry> {
  if (behaviour === 'silent') return serve(undefined);
  return serve((req, res) => {
    req.resume();
    switch (behaviour) {
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(randomBytes(512));
        return;
      case 'invalid-json':
        res.writeHead(200, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0' });
        res.end('{"repositories": ["app", ');
        return;
      case 'html-502':
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n');
        return;
      case 'truncated':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
        res.write('{"repositories": ["app", "ot');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
    }
  });
}

export interface ImageRegistryOptions {
  /** Served bytes of this blob have one byte changed (same length). */
  corruptBlob?: string;
  /** This blob's body stops half-way and the connection closes. */
  truncateBlob?: string;
  /** This blob's body stops half-way and the server then says nothing more. */
  stallBlob?: string;
  /** A Docker-Content-Digest header that is not the manifest's digest. */
  wrongDigestHeader?: string;
  /** The manifest bytes served are not those of the image (one whitespace more), under the image's digest. */
  alteredManifest?: boolean;
}

/** A read-only registry holding one image as REPO:TAG, misbehaving as options say. */
export function startImageRegistry(repo: string, tag: string, image: BuiltManifest, options: ImageRegistryOptions = {}): Promise<BadRegistry> {
  const manifestBytes = options.alteredManifest ? Buffer.concat([image.bytes, Buffer.from('\n')]) : image.bytes;
  const blobs = new Map([image.config, ...image.layers].map((b) => [b.digest, b.bytes]));
  return serve((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://x');
    const head = req.method === 'HEAD';
    if (url.pathname === '/v2/') {
      res.writeHead(200, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0' });
      return res.end(head ? undefined : '{}');
    }
    if (req.method !== 'GET' && !head) {
      res.writeHead(405, { 'content-type': 'application/json' });
      return res.end('{"errors":[{"code":"UNSUPPORTED","message":"read-only"}]}');
    }
    if (url.pathname === `/v2/${repo}/tags/list`) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(head ? undefined : JSON.stringify({ name: repo, tags: [tag] }));
    }
    const manifest = new RegExp(`^/v2/${repo}/manifests/(.+)$`).exec(url.pathname);
    if (manifest && (manifest[1] === tag || manifest[1] === image.digest)) {
      res.writeHead(200, {
        'content-type': image.mediaType,
        'content-length': String(manifestBytes.length),
        'docker-content-digest': options.wrongDigestHeader ?? image.digest,
      });
      return res.end(head ? undefined : manifestBytes);
    }
    const blob = new RegExp(`^/v2/${repo}/blobs/(sha256:[a-f0-9]{64})$`).exec(url.pathname);
    const bytes = blob ? blobs.get(blob[1]!) : undefined;
    if (blob && bytes) {
      const digest = blob[1]!;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length), 'docker-content-digest': digest });
      if (head) return res.end();
      if (digest === options.corruptBlob) {
        const changed = Buffer.from(bytes);
        changed[changed.length >> 1] = changed[changed.length >> 1]! ^ 0xff;
        return res.end(changed);
      }
      if (digest === options.truncateBlob || digest === options.stallBlob) {
        res.write(bytes.subarray(0, bytes.length >> 1));
        if (digest === options.truncateBlob) setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      return res.end(bytes);
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(head ? undefined : '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
  });
}
