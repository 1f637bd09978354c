// The engine's multiplexed stream format (logs and exec of containers without a TTY):
// frames of an 8-byte header [stream, 0, 0, 0, size as uint32 big-endian] and a payload.
// Stream 1 is stdout, 2 is stderr (0 is stdin, seen only with attach).
import type { Readable } from 'node:stream';

export interface Frame {
  stream: number;
  data: Buffer;
}

/** Cuts frames out of chunks that may split a header or a payload anywhere. */
export class FrameSplitter {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      frames.push({ stream: this.pending[0]!, data: this.pending.subarray(8, 8 + size) });
      this.pending = this.pending.subarray(8 + size);
    }
    return frames;
  }

  /** Bytes of an unfinished frame left over at the end. */
  get leftover(): number {
    return this.pending.length;
  }
}

/**
 * Feeds a multiplexed stream to onFrame until it ends. With tty, the stream is raw output
 * (all of it stdout). Resolves when the stream ends or is destroyed by an abort.
 */
export function readFrames(stream: Readable | NodeJS.ReadableStream, tty: boolean, onFrame: (frame: Frame) => void): Promise<void> {
  const splitter = new FrameSplitter();
  return new Promise((resolve, reject) => {
    stream.on('data', (chunk: Buffer | string) => {
      const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (tty) onFrame({ stream: 1, data });
      else for (const frame of splitter.push(data)) onFrame(frame);
    });
    stream.on('end', () => resolve());
    stream.on('close', () => resolve());
    stream.on('error', (err: Error) => (err.name === 'AbortError' ? resolve() : reject(err)));
  });
}
