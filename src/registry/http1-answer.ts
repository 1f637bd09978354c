// Reading one HTTP/1.1 answer from the bytes of a socket (RFC 9112): the status line,
// the header fields, and the body framed by Content-Length, by chunked transfer coding
// or by the end of the connection. Pure: bytes in, an answer out, so every framing is
// tested without a server (test/registry/http1-answer.test.ts), and its strictness against
// Node's own parser (test/registry/http1-strict.test.ts; the grammar is http1-grammar.ts).
// A body larger than its limit is refused as soon as that is known: from its announced
// length before any of it is read, else once the bytes that arrived pass the limit.
import type { IncomingHttpHeaders } from 'node:http';
import { bareLineBreak, bodyFraming, chunkSize, malformed, MAX_HEAD, readFields, statusLine, type FramingFields } from './http1-grammar.ts';

export interface Answer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Whether the socket may carry another request. */
  keepAlive: boolean;
}

export interface BodyLimits {
  /** Bytes a 2xx answer's body may have. */
  body: number;
  /** Bytes any other answer's body (an error's) may have. */
  error: number;
}

/** A body over its limit; `limit` is the bytes allowed, `status` the answer's. */
export class AnswerTooLargeError extends Error {
  readonly code = 'ERR_ANSWER_TOO_LARGE';
  readonly limit: number;
  readonly status: number;
  constructor(limit: number, status: number) {
    super(`the answer's body is larger than ${limit} bytes`);
    this.limit = limit;
    this.status = status;
  }
}

const CRLF2 = Buffer.from('\r\n\r\n');
const UNLIMITED: BodyLimits = { body: Infinity, error: Infinity };
type Framing = { kind: 'none' } | { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' };

export class AnswerReader {
  private readonly head: boolean;
  private readonly limits: BodyLimits;
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes of pending already searched for a bare CR or LF (the head, a chunk line). */
  private scanned = 0;
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private keepAlive = true;
  private framing: Framing | undefined;
  private limit = Infinity;
  private received = 0;
  private readonly parts: Buffer[] = [];
  /** In a chunked body: bytes of the current chunk still to come (-1: a size line is next; -2: the trailers; -3: a chunk's CRLF). */
  private chunkLeft = -1;
  private trailers: string[] = [];
  /** Whether any byte of the answer has arrived. */
  started = false;

  /** @param head whether the request was a HEAD (its answer has no body, whatever its headers say). */
  constructor(head: boolean, limits: BodyLimits = UNLIMITED) {
    this.head = head;
    this.limits = limits;
  }

  /** Takes the next bytes; returns the answer once it is whole. Throws on a malformed or too large answer. */
  push(chunk: Buffer): Answer | undefined {
    this.started = true;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.framing === undefined) {
      if (this.scanned === 0) {
        // As llhttp: empty lines before a status line are skipped.
        let skip = 0;
        while (skip < this.pending.length && (this.pending[skip] === 0x0d || this.pending[skip] === 0x0a)) skip += 1;
        if (skip > 0) this.pending = this.pending.subarray(skip);
      }
      const end = this.pending.indexOf(CRLF2);
      if ((end < 0 ? this.pending.length : end) > MAX_HEAD) throw malformed(`its header section is larger than ${MAX_HEAD / 1024} KiB`);
      if (end < 0) {
        // Not whole yet: a line break that is not CRLF is refused now, not when the head ends (it may never).
        if (bareLineBreak(this.pending, this.scanned - 1, this.pending.length))
          throw malformed('a line of its head does not end with CRLF');
        this.scanned = this.pending.length;
        return undefined;
      }
      this.readHead(this.pending.toString('latin1', 0, end));
      this.pending = this.pending.subarray(end + 4);
      this.scanned = 0;
    }
    return this.readBody();
  }

  /** The connection ended: the answer if the end completes it (a body framed by the close), else undefined. */
  end(): Answer | undefined {
    if (this.framing?.kind !== 'close') return undefined;
    if (this.pending.length > 0) this.take(this.pending.length);
    this.keepAlive = false;
    return this.answer();
  }

  private readHead(text: string): void {
    const eol = text.indexOf('\r\n');
    const status = statusLine(eol < 0 ? text : text.slice(0, eol));
    const headers: IncomingHttpHeaders = {};
    const fields: FramingFields = {};
    readFields(eol < 0 ? '' : text.slice(eol + 2), headers, fields);
    const framing = bodyFraming(fields);
    const code = status.code;
    if (code >= 100 && code < 200) return; // informational (103 Early Hints): the real answer follows
    this.status = code;
    this.headers = headers;
    this.limit = code >= 200 && code < 300 ? this.limits.body : this.limits.error;
    const connection = String(headers.connection ?? '').toLowerCase();
    this.keepAlive =
      status.version === '1.1' ? !/\bclose\b/.test(connection) : status.version === '1.0' && /\bkeep-alive\b/.test(connection);
    if (this.head || code === 204 || code === 304) this.framing = { kind: 'none' };
    else if (framing === 'chunked') this.framing = { kind: 'chunked' };
    else if (framing === undefined) {
      this.framing = { kind: 'close' };
      this.keepAlive = false;
    } else {
      if (framing > this.limit) throw new AnswerTooLargeError(this.limit, code);
      this.framing = { kind: 'length', left: framing };
    }
  }

  /** Moves n bytes of pending into the body, refusing a body over its limit. */
  private take(n: number): void {
    this.received += n;
    if (this.received > this.limit) throw new AnswerTooLargeError(this.limit, this.status);
    this.parts.push(this.pending.subarray(0, n));
    this.pending = this.pending.subarray(n);
  }

  private readBody(): Answer | undefined {
    const framing = this.framing!;
    switch (framing.kind) {
      case 'none':
        return this.answer();
      case 'close':
        if (this.pending.length > 0) this.take(this.pending.length);
        return undefined;
      case 'length': {
        const n = Math.min(framing.left, this.pending.length);
        if (n > 0) this.take(n);
        framing.left -= n;
        return framing.left === 0 ? this.answer() : undefined;
      }
      case 'chunked':
        return this.readChunks();
    }
  }

  private readChunks(): Answer | undefined {
    for (;;) {
      if (this.chunkLeft > 0) {
        const n = Math.min(this.chunkLeft, this.pending.length);
        if (n === 0) return undefined;
        this.take(n);
        this.chunkLeft -= n;
        if (this.chunkLeft === 0) this.chunkLeft = -3;
        continue;
      }
      if (this.chunkLeft === -3) {
        // The chunk's data ends with CRLF, right there.
        if (this.pending.length > 0 && this.pending[0] !== 0x0d) throw malformed('a chunk does not end where its size says');
        if (this.pending.length > 1 && this.pending[1] !== 0x0a) throw malformed('a chunk does not end where its size says');
        if (this.pending.length < 2) return undefined;
        this.pending = this.pending.subarray(2);
        this.chunkLeft = -1;
        continue;
      }
      const eol = this.pending.indexOf('\r\n');
      if (bareLineBreak(this.pending, 0, eol < 0 ? this.pending.length : eol + 2)) throw malformed('a chunk line does not end with CRLF');
      if (eol < 0) {
        if (this.pending.length > MAX_HEAD) throw malformed('a chunk line is too long');
        return undefined;
      }
      const line = this.pending.toString('latin1', 0, eol);
      this.pending = this.pending.subarray(eol + 2);
      if (this.chunkLeft === -2) {
        if (line !== '') {
          this.trailers.push(line);
          if (this.trailers.join('\r\n').length > MAX_HEAD) throw malformed('its trailers are too large');
          continue;
        }
        readFields(this.trailers.join('\r\n'), {}, undefined); // checked as fields are, then dropped
        return this.answer();
      }
      const n = chunkSize(line);
      if (this.received + n > this.limit) throw new AnswerTooLargeError(this.limit, this.status);
      this.chunkLeft = n === 0 ? -2 : n;
    }
  }

  private answer(): Answer {
    // Bytes beyond the answer: the server sent more than it framed, so the socket is not reused.
    if (this.pending.length > 0) this.keepAlive = false;
    const body = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    return { statusCode: this.status, headers: this.headers, body, keepAlive: this.keepAlive };
  }
}
