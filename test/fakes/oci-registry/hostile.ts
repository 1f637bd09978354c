// The hostile answers of the in-process registry (faults.ts: raw, flood, drip), written on
// the connection itself: bytes no well-behaved HTTP server would send.
import type { Socket } from 'node:net';
import type { Fault } from './faults.ts';
import type { Reply } from './reply.ts';

/** Timers of drips under way, stopped when the registry closes. */
export type Drips = Set<NodeJS.Timeout>;

/** Acts on a raw or flood fault; true when it did (the answer is then this). */
export function hostileAnswer(fault: Fault | undefined, socket: Socket): boolean {
  if (fault?.raw !== undefined) {
    socket.end(typeof fault.raw === 'string' ? Buffer.from(fault.raw, 'latin1') : fault.raw);
    return true;
  }
  if (fault?.flood === undefined) return false;
  const { announce, framing } = fault.flood;
  const framingHeader =
    announce !== undefined ? `content-length: ${announce}` : framing === 'chunked' ? 'transfer-encoding: chunked' : 'connection: close';
  socket.write(
    `HTTP/1.1 ${fault.status ?? 200} Flood\r\ncontent-type: ${fault.contentType ?? 'application/json'}\r\n${framingHeader}\r\n\r\n`,
    'latin1',
  );
  const block = Buffer.alloc(64 * 1024, 0x20);
  const piece =
    framing === 'chunked' && announce === undefined ? Buffer.concat([Buffer.from('10000\r\n'), block, Buffer.from('\r\n')]) : block;
  let left = announce ?? Infinity;
  const pump = (): void => {
    while (!socket.destroyed && left > 0) {
      const part = left < piece.length ? piece.subarray(0, left) : piece;
      left -= part.length;
      if (!socket.write(part)) return void socket.once('drain', pump);
    }
  };
  socket.on('error', () => {});
  pump();
  return true;
}

/** An answer as bytes on the wire, sent `step` bytes every `ms`. */
export function drip(answer: Reply, head: boolean, ms: number, step: number, socket: Socket, drips: Drips): void {
  let text = `HTTP/1.1 ${answer.status} Drip\r\n`;
  for (const [name, value] of Object.entries(answer.headers)) text += `${name}: ${value}\r\n`;
  const bytes = Buffer.concat([Buffer.from(`${text}\r\n`, 'latin1'), head ? Buffer.alloc(0) : (answer.body ?? Buffer.alloc(0))]);
  let at = 0;
  socket.setNoDelay(true); // each byte its own segment, not held for the last one's ACK
  socket.on('error', () => {});
  const timer = setInterval(() => {
    if (socket.destroyed || at >= bytes.length) {
      clearInterval(timer);
      drips.delete(timer);
      return;
    }
    socket.write(bytes.subarray(at, at + step));
    at += step;
  }, ms);
  drips.add(timer);
}
