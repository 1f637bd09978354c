// Reading one HTTP/1.1 answer from the bytes of a socket (RFC 9112): the status line,
// the header fields, and the body framed by Content-Length, by chunked transfer coding
// or by the end of the connection. Pure: bytes in, an answer out, so every framing is
// tested without a server (test/registry/http1-answer.test.ts).
import type { IncomingHttpHeaders } from 'node:http';

export interface Answer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Whether the socket may carry another request. */
  keepAlive: boolean;
}

/** Header sections larger than this are refused (Node's http allows 16 KiB). */
const MAX_HEAD = 64 * 1024;
const CRLF2 = Buffer.from('\r\n\r\n');
type Framing = { kind: 'none' } | { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' };

export class AnswerReader {
  private readonly head: boolean;
  private pending: Buffer = Buffer.alloc(0);
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private keepAlive = true;
  private framing: Framing | undefined;
  private readonly parts: Buffer[] = [];
  /** In a chunked body: bytes of the current chunk still to come (-1: a size line is next; -2: the trailers). */
  private chunkLeft = -1;
  /** Whether any byte of the answer has arrived. */
  started = false;

  /** @param head whether the request was a HEAD (its answer has no body, whatever its headers say). */
  constructor(head: boolean) {
    this.head = head;
  }

  /** Takes the next bytes; returns the answer once it is whole. Throws on a malformed answer. */
  push(chunk: Buffer): Answer | undefined {
    this.started = true;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.framing === undefined) {
      const end = this.pending.indexOf(CRLF2);
      if (end < 0) {
        if (this.pending.length > MAX_HEAD) throw malformed('its header section is too large');
        return undefined;
      }
      this.readHead(this.pending.toString('latin1', 0, end));
      this.pending = this.pending.subarray(end + 4);
    }
    return this.readBody();
  }

  /** The connection ended: the answer if the end completes it (a body framed by the close), else undefined. */
  end(): Answer | undefined {
    if (this.framing?.kind !== 'close') return undefined;
    if (this.pending.length > 0) this.parts.push(this.pending);
    this.keepAlive = false;
    return this.answer();
  }

  private readHead(text: string): void {
    const lines = text.split('\r\n');
    const status = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0] ?? '');
    if (!status) throw malformed(`it does not start with an HTTP/1.x status line`);
    const code = Number(status[2]);
    const headers: IncomingHttpHeaders = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw malformed('a header line has no name');
      addHeader(headers, line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    if (code >= 100 && code < 200) return; // informational (103 Early Hints): the real answer follows
    this.status = code;
    this.headers = headers;
    const connection = String(headers.connection ?? '').toLowerCase();
    this.keepAlive = status[1] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    const coding = String(headers['transfer-encoding'] ?? '').toLowerCase();
    const length = headers['content-length'];
    if (this.head || code === 204 || code === 304) this.framing = { kind: 'none' };
    else if (coding !== '') {
      if (!/(^|,)\s*chunked\s*$/.test(coding)) throw malformed(`its transfer coding "${coding}" is not chunked`);
      this.framing = { kind: 'chunked' };
    } else if (length !== undefined) {
      if (!/^\d{1,15}$/.test(length)) throw malformed(`its Content-Length "${length}" is not a number`);
      this.framing = { kind: 'length', left: Number(length) };
    } else this.framing = { kind: 'close' };
  }

  private readBody(): Answer | undefined {
    const framing = this.framing!;
    switch (framing.kind) {
      case 'none':
        return this.answer();
      case 'close':
        this.parts.push(this.pending);
        this.pending = Buffer.alloc(0);
        return undefined;
      case 'length': {
        const take = Math.min(framing.left, this.pending.length);
        if (take > 0) this.parts.push(this.pending.subarray(0, take));
        this.pending = this.pending.subarray(take);
        framing.left -= take;
        return framing.left === 0 ? this.answer() : undefined;
      }
      case 'chunked':
        return this.readChunks();
    }
  }

  private readChunks(): Answer | undefined {
    for (;;) {
      if (this.chunkLeft > 0) {
        const take = Math.min(this.chunkLeft, this.pending.length);
        if (take === 0) return undefined;
        this.parts.push(this.pending.subarray(0, take));
        this.pending = this.pending.subarray(take);
        this.chunkLeft -= take;
        if (this.chunkLeft === 0) this.chunkLeft = -3; // the chunk's closing CRLF
        continue;
      }
      const eol = this.pending.indexOf('\r\n');
      if (eol < 0) {
        if (this.pending.length > MAX_HEAD) throw malformed('a chunk line is too long');
        return undefined;
      }
      const line = this.pending.toString('latin1', 0, eol);
      this.pending = this.pending.subarray(eol + 2);
      if (this.chunkLeft === -3) {
        if (line !== '') throw malformed('a chunk does not end where its size says');
        this.chunkLeft = -1;
      } else if (this.chunkLeft === -2) {
        if (line === '') return this.answer(); // the end of the trailers
      } else {
        const size = /^([0-9a-fA-F]{1,12})\s*(;.*)?$/.exec(line);
        if (!size) throw malformed(`a chunk size "${line.slice(0, 20)}" is not hexadecimal`);
        const n = Number.parseInt(size[1]!, 16);
        this.chunkLeft = n === 0 ? -2 : n;
      }
    }
  }

  private answer(): Answer {
    // Bytes beyond the answer: the server sent more than it framed, so the socket is not reused.
    if (this.pending.length > 0) this.keepAlive = false;
    const body = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    return { statusCode: this.status, headers: this.headers, body, keepAlive: this.keepAlive };
  }
}

/** As Node's http does: repeated fields joined with ", ", set-cookie kept as a list, a repeated Content-Length refused unless equal. */
function addHeader(headers: IncomingHttpHeaders, name: string, value: string): void {
  const had = headers[name];
  if (name === 'set-cookie') headers[name] = [...((had as string[] | undefined) ?? []), value];
  else if (had === undefined) headers[name] = value;
  else if (name === 'content-length') {
    if (had !== value) throw malformed('it has two different Content-Length fields');
  } else headers[name] = `${had as string}, ${value}`;
}

function malformed(why: string): Error {
  return Object.assign(new Error(`malformed HTTP answer: ${why}`), { code: 'HPE_INVALID' });
}
