// An HTTP proxy in front of a real registry that slows request bodies down (and, when
// asked, response bodies), so a test can act (kill the registry, run gc) while a copy is
// surely in the middle of a blob.
// When the registry is gone it answers 503, as a load balancer would. Once the test has
// acted, unthrottle() lets every stream, those under way included, run at full speed:
// the rest of the copy proves nothing more for being slow.
// A slow stream alone leaves a race (a busy machine can take longer to act than the
// stream to end): hold() stops every stream where it is until unthrottle(), and
// holdAfter stops them by itself once that many bytes have gone through, so a test acts
// while the copy surely waits.
import { createServer, request as httpRequest, type Server } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';

export interface ThrottleProxy {
  host: string;
  port: number;
  /** From now on, no stream is slowed down (the ones under way included, held ones released). */
  unthrottle(): void;
  /** Stops every stream where it is (no byte more goes through) until unthrottle(). */
  hold(): void;
  /** Whether the streams are held now (by hold() or holdAfter). */
  held(): boolean;
  close(): Promise<void>;
}

/** The rate every stream of one proxy reads (Infinity: not slowed down), and whether they are held. */
interface Rate {
  bytesPerSecond: number;
  /** Bytes gone through, every stream together. */
  passed: number;
  /** Hold once this many bytes have gone through. */
  holdAfter: number;
  held: boolean;
  /** The chunks held back, to send on when released. */
  waiting: (() => void)[];
}

class Throttle extends Transform {
  private readonly rate: Rate;
  constructor(rate: Rate) {
    super();
    this.rate = rate;
  }
  override _transform(chunk: Buffer, enc: BufferEncoding, callback: TransformCallback): void {
    const rate = this.rate;
    if (rate.held) {
      rate.waiting.push(() => this._transform(chunk, enc, callback));
      return;
    }
    const pass = () => {
      rate.passed += chunk.length;
      if (rate.passed >= rate.holdAfter) rate.held = true;
      callback(null, chunk);
    };
    if (rate.bytesPerSecond === Infinity) return pass();
    setTimeout(pass, (chunk.length / rate.bytesPerSecond) * 1000);
  }
}

export async function startThrottleProxy(
  targetPort: number,
  bytesPerSecond: number,
  options: { responses?: boolean; holdAfter?: number } = {},
): Promise<ThrottleProxy> {
  let port = 0;
  const rate: Rate = { bytesPerSecond, passed: 0, holdAfter: options.holdAfter ?? Infinity, held: false, waiting: [] };
  const server: Server = createServer((req, res) => {
    const upstream = httpRequest(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const headers = { ...answer.headers };
        if (typeof headers.location === 'string') headers.location = headers.location.replace(`:${targetPort}`, `:${port}`);
        res.writeHead(answer.statusCode ?? 502, headers);
        (options.responses ? answer.pipe(new Throttle(rate)) : answer).pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent)
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAVAILABLE","message":"registry gone"}]}');
      else res.destroy();
    });
    req.pipe(new Throttle(rate)).pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  port = address.port;
  return {
    host: `localhost:${port}`,
    port,
    unthrottle: () => {
      rate.bytesPerSecond = Infinity;
      rate.holdAfter = Infinity;
      rate.held = false;
      for (const send of rate.waiting.splice(0)) send();
    },
    hold: () => {
      rate.held = true;
    },
    held: () => rate.held,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
