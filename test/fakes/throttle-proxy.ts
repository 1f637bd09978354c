// An HTTP proxy in front of a real registry that slows request bodies down (and, when
// asked, response bodies), so a test can act (kill the registry, run gc) while a copy is
// surely in the middle of a blob.
// When the registry is gone it answers 503, as a load balancer would.
import { createServer, request as httpRequest, type Server } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';

export interface ThrottleProxy {
  host: string;
  port: number;
  close(): Promise<void>;
}

class Throttle extends Transform {
  private readonly bytesPerSecond: number;
  constructor(bytesPerSecond: number) {
    super();
    this.bytesPerSecond = bytesPerSecond;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    setTimeout(() => callback(null, chunk), (chunk.length / this.bytesPerSecond) * 1000);
  }
}

export async function startThrottleProxy(
  targetPort: number,
  bytesPerSecond: number,
  options: { responses?: boolean } = {},
): Promise<ThrottleProxy> {
  let port = 0;
  const server: Server = createServer((req, res) => {
    const upstream = httpRequest(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const headers = { ...answer.headers };
        if (typeof headers.location === 'string') headers.location = headers.location.replace(`:${targetPort}`, `:${port}`);
        res.writeHead(answer.statusCode ?? 502, headers);
        (options.responses ? answer.pipe(new Throttle(bytesPerSecond)) : answer).pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent)
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAVAILABLE","message":"registry gone"}]}');
      else res.destroy();
    });
    req.pipe(new Throttle(bytesPerSecond)).pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  port = address.port;
  return {
    host: `localhost:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
