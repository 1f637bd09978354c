// A strict, streaming ustar reader and writer: what save writes and load reads. Headers are
// checked (checksum, magic, octal fields), PAX (`x`) and GNU long names (`L`, `K`) are read,
// a file cut short anywhere (mid-header, mid-data, no end-of-archive blocks) is refused.
// Data is never held: the writer pipes a stream in, the reader hands each entry's data on
// in the pieces it arrives in. Names longer than ustar's 100 bytes and sizes past its 8 GiB
// are written with a PAX header, as Go's archive/tar and GNU tar do.
import type { Readable, Writable } from 'node:stream';

const BLOCK = 512;

/** The archive is not a tar file we can trust: refused before anything is done with it. */
export class TarError extends Error {}

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink';

export interface TarEntry {
  name: string;
  type: TarEntryType;
  size: number;
  linkname: string;
  /** Where its data starts in the archive. */
  offset: number;
}

// ---- writing ------------------------------------------------------------------------

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  return sum;
}

function headerBlock(name: string, size: number, typeflag: string): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(typeflag === '5' ? 0o755 : 0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(0, 12), 136, 'ascii'); // mtime 0: the same images make the same archive
  h.write(typeflag, 156, 'ascii');
  h.write('ustar\x0000', 257, 'ascii');
  h.write(octal(checksum(h), 7) + ' ', 148, 'ascii');
  return h;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length += 1;
  return `${length}${body}`;
}

const padding = (size: number): Buffer => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
const MAX_OCTAL_SIZE = 0o77777777777;

/** Writes a tar archive to out, one entry at a time, waiting for out to drain. */
export class TarWriter {
  private readonly out: Writable;
  /** Bytes written so far. */
  written = 0;

  constructor(out: Writable) {
    this.out = out;
  }

  private async put(chunk: Buffer): Promise<void> {
    this.written += chunk.length;
    if (!this.out.write(chunk)) await waitDrain(this.out);
  }

  private async header(name: string, size: number, typeflag: string): Promise<void> {
    const records: string[] = [];
    if (Buffer.byteLength(name) > 100) records.push(paxRecord('path', name));
    if (size > MAX_OCTAL_SIZE) records.push(paxRecord('size', String(size)));
    if (records.length > 0) {
      const pax = Buffer.from(records.join(''));
      await this.put(headerBlock('PaxHeaders/entry', pax.length, 'x'));
      await this.put(Buffer.concat([pax, padding(pax.length)]));
    }
    await this.put(headerBlock(name.slice(0, 100), Math.min(size, MAX_OCTAL_SIZE), typeflag));
  }

  async directory(name: string): Promise<void> {
    await this.header(name.endsWith('/') ? name : `${name}/`, 0, '5');
  }

  /** A file from bytes in memory (small ones: JSON). */
  async file(name: string, data: Buffer): Promise<void> {
    await this.header(name, data.length, '0');
    await this.put(data);
    await this.put(padding(data.length));
  }

  /** A file streamed from source, which must give exactly size bytes. */
  async stream(name: string, size: number, source: Readable): Promise<void> {
    await this.header(name, size, '0');
    let seen = 0;
    for await (const chunk of source as AsyncIterable<Buffer>) {
      seen += chunk.length;
      if (seen > size) throw new TarError(`${name}: more than the ${size} bytes announced`);
      await this.put(chunk);
    }
    if (seen !== size) throw new TarError(`${name}: ${seen} bytes instead of ${size}`);
    await this.put(padding(size));
  }

  /** The two zero blocks that end an archive. */
  async end(): Promise<void> {
    await this.put(Buffer.alloc(2 * BLOCK));
  }
}

function waitDrain(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      out.off('drain', onDrain);
      out.off('error', done);
      out.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => done();
    const onClose = (): void => done(new Error('the output closed before the archive was written'));
    out.once('drain', onDrain);
    out.once('error', done);
    out.once('close', onClose);
  });
}

// ---- reading ------------------------------------------------------------------------

/** Reads exact byte counts from a stream of chunks, keeping only what is not yet taken. */
class ByteReader {
  private readonly chunks: AsyncIterator<Buffer>;
  private rest: Buffer = Buffer.alloc(0);
  offset = 0;

  constructor(source: AsyncIterable<Buffer>) {
    this.chunks = source[Symbol.asyncIterator]();
  }

  private async more(): Promise<boolean> {
    const next = await this.chunks.next();
    if (next.done) return false;
    this.rest = this.rest.length === 0 ? next.value : Buffer.concat([this.rest, next.value]);
    return true;
  }

  /** n bytes, or undefined when the stream ends before any; a partial read is truncation. */
  async exact(n: number): Promise<Buffer | undefined> {
    while (this.rest.length < n) {
      if (!(await this.more())) {
        if (this.rest.length === 0) return undefined;
        throw new TarError(`the archive is truncated (it ends inside a header at byte ${this.offset + this.rest.length})`);
      }
    }
    const out = this.rest.subarray(0, n);
    this.rest = this.rest.subarray(n);
    this.offset += n;
    return out;
  }

  /** n bytes in the pieces they come in. */
  async *take(n: number, what: string): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.rest.length === 0 && !(await this.more())) {
        throw new TarError(`the archive is truncated (${what} ends ${left} bytes early)`);
      }
      const piece = this.rest.subarray(0, Math.min(left, this.rest.length));
      this.rest = this.rest.subarray(piece.length);
      this.offset += piece.length;
      left -= piece.length;
      yield piece;
    }
  }
}

function text(h: Buffer, start: number, length: number): string {
  const field = h.subarray(start, start + length);
  const nul = field.indexOf(0);
  return field.subarray(0, nul === -1 ? length : nul).toString('utf8');
}

function number(h: Buffer, start: number, length: number, what: string): number {
  const field = h.subarray(start, start + length);
  if (field[0]! & 0x80) {
    // base-256 (GNU): big-endian, positive only
    let value = 0;
    for (let i = 1; i < length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const digits = text(h, start, length).trim();
  if (digits === '') return 0;
  if (!/^[0-7]+$/.test(digits)) throw new TarError(`the archive has a corrupt header (${what} ${JSON.stringify(digits)})`);
  return parseInt(digits, 8);
}

function parsePax(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = Number(data.subarray(at, space).toString('ascii'));
    if (space === -1 || !Number.isInteger(length) || length <= 0 || at + length > data.length) {
      throw new TarError('the archive has a corrupt PAX header');
    }
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq === -1) throw new TarError('the archive has a corrupt PAX header');
    records[record.slice(0, eq)] = record.slice(eq + 1);
    at += length;
  }
  return records;
}

const TYPES: Record<string, TarEntryType> = { '0': 'file', '\0': 'file', '7': 'file', '5': 'directory', '2': 'symlink', '1': 'hardlink' };
const META_LIMIT = 1 << 20;

/**
 * Reads every entry of a tar stream: onEntry gets each entry and, for a file, its data in
 * pieces (to hash, or to keep). Throws TarError for anything but a whole, well-formed archive.
 */
export async function readTar(
  source: AsyncIterable<Buffer>,
  onEntry: (entry: TarEntry, data: AsyncIterable<Buffer>) => Promise<void>,
): Promise<void> {
  const reader = new ByteReader(source);
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const at = reader.offset;
    const h = await reader.exact(BLOCK);
    if (h === undefined) throw new TarError('the archive is truncated (no end-of-archive blocks)');
    if (h.every((b) => b === 0)) {
      // The end: a second zero block usually follows; whatever comes after is padding.
      return;
    }
    const stored = number(h, 148, 8, 'checksum');
    if (stored !== checksum(h)) throw new TarError(`the archive has a corrupt header at byte ${at} (checksum mismatch)`);
    const magic = h.subarray(257, 263).toString('latin1');
    if (magic !== 'ustar\0' && magic !== 'ustar ') throw new TarError(`the archive has a header that is not ustar at byte ${at}`);
    const flag = String.fromCharCode(h[156]!);
    const prefix = magic === 'ustar\0' ? text(h, 345, 155) : '';
    const size = pax.size !== undefined ? Number(pax.size) : number(h, 124, 12, 'size');
    if (!Number.isSafeInteger(size) || size < 0) throw new TarError(`the archive has a corrupt header at byte ${at} (size)`);
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (size > META_LIMIT) throw new TarError(`the archive has an extended header of ${size} bytes at byte ${at}`);
      const chunks: Buffer[] = [];
      for await (const piece of reader.take(Math.ceil(size / BLOCK) * BLOCK, 'an extended header')) chunks.push(piece);
      const data = Buffer.concat(chunks).subarray(0, size);
      if (flag === 'x') pax = { ...pax, ...parsePax(data) };
      else if (flag === 'L') longName = text(data, 0, data.length);
      else if (flag === 'K') longLink = text(data, 0, data.length);
      // 'g' (global) records say nothing save and load need.
      continue;
    }
    const type = TYPES[flag];
    if (type === undefined) throw new TarError(`the archive has an entry of unsupported type ${JSON.stringify(flag)} at byte ${at}`);
    const name = pax.path ?? longName ?? (prefix ? `${prefix}/${text(h, 0, 100)}` : text(h, 0, 100));
    const linkname = pax.linkpath ?? longLink ?? text(h, 157, 100);
    pax = {};
    longName = undefined;
    longLink = undefined;
    // Links, directories and the like have no data, whatever their size field says (as Go's reader).
    const fileSize = type === 'file' ? size : 0;
    const entry: TarEntry = { name, type, size: fileSize, linkname, offset: reader.offset };
    await onEntry(entry, reader.take(fileSize, name));
    // Whatever onEntry left unread, then the padding.
    const left = entry.offset + Math.ceil(fileSize / BLOCK) * BLOCK - reader.offset;
    for await (const _ of reader.take(left, `${name}'s data`)) void _;
  }
}
