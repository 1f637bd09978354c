// The grammar of an HTTP/1.1 answer's head, as strictly as Node's own parser (llhttp,
// without its lenient flags) reads it: what it refuses is refused here too, and what it
// takes is taken (test/registry/http1-strict.test.ts sends every case to both).
// Pure functions over latin1 text; http1-answer.ts frames the bytes around them.
import type { IncomingHttpHeaders } from 'node:http';

/** Head sections (start line and fields, or trailers) larger than this are refused, as Node's --max-http-header-size default. */
export const MAX_HEAD = 16 * 1024;

export function malformed(why: string): Error {
  return Object.assign(new Error(`malformed HTTP answer: ${why}`), { code: 'HPE_INVALID' });
}

/** The index of the first LF not preceded by CR, or CR not followed by LF, from `from` (-1: none). */
export function bareLineBreak(bytes: Buffer, from: number): number {
  for (let at = Math.max(0, from); at < bytes.length; at += 1) {
    const byte = bytes[at];
    if (byte === 0x0a && (at === 0 || bytes[at - 1] !== 0x0d)) return at;
    if (byte === 0x0d && at + 1 < bytes.length && bytes[at + 1] !== 0x0a) return at;
  }
  return -1;
}

// HTTP/1.x and the versions llhttp takes besides (0.9, 2.0); the reason is any text.
const STATUS_LINE = /^HTTP\/(0\.9|1\.[01]|2\.0) (\d{3})(?: [^]*)?$/;

export interface StatusLine {
  version: string;
  code: number;
}

export function statusLine(line: string): StatusLine {
  const match = STATUS_LINE.exec(line);
  if (!match) throw malformed(`it does not start with an HTTP/1.x status line`);
  return { version: match[1]!, code: Number(match[2]) };
}

// A field: a token name, a colon right after it, a value of visible characters, spaces,
// tabs and obs-text (no control character, no DEL), trimmed of spaces and tabs.
const FIELD = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[\t ]*([^]*?)[\t ]*$/;
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;

/** Adds the field lines of a head or of trailers; refuses obs-folds, spaces before a colon, control characters. */
export function readFields(lines: readonly string[], headers: IncomingHttpHeaders, framing: FramingFields | undefined): void {
  for (const line of lines) {
    const match = FIELD.exec(line);
    if (!match) {
      if (/^[\t ]/.test(line)) throw malformed('a header line is folded (obs-fold)');
      throw malformed(`a header line is not "name: value" (${JSON.stringify(line.slice(0, 40))})`);
    }
    const value = match[2]!;
    if (BAD_VALUE.test(value)) throw malformed(`the header ${match[1]} has a control character in its value`);
    const name = match[1]!.toLowerCase();
    if (framing !== undefined) {
      if (name === 'content-length') {
        if (framing.contentLength !== undefined) throw malformed('it has two Content-Length fields');
        framing.contentLength = value;
      } else if (name === 'transfer-encoding') {
        if (value === '') throw malformed('its Transfer-Encoding is empty');
        framing.transferEncoding = value;
      }
    }
    addHeader(headers, name, value);
  }
}

export interface FramingFields {
  contentLength?: string;
  /** The last Transfer-Encoding field. */
  transferEncoding?: string;
}

/** The body's framing from its fields: a length, chunked, or the end of the connection (undefined). */
export function bodyFraming(fields: FramingFields): number | 'chunked' | undefined {
  const { contentLength, transferEncoding } = fields;
  if (contentLength !== undefined && transferEncoding !== undefined) throw malformed('it has both Content-Length and Transfer-Encoding');
  if (transferEncoding !== undefined) {
    const codings = transferEncoding.split(',').map((c) => c.trim()).filter((c) => c !== '');
    return codings.at(-1)?.toLowerCase() === 'chunked' ? 'chunked' : undefined;
  }
  if (contentLength === undefined) return undefined;
  if (contentLength === '') throw malformed('its Content-Length is empty');
  if (!/^\d+$/.test(contentLength)) throw malformed(`its Content-Length "${contentLength.slice(0, 20)}" is not a number`);
  const digits = contentLength.replace(/^0+(?=\d)/, '');
  // Beyond 2^53 no answer is taken anyway (the size limits); llhttp's own bound is 2^64.
  return digits.length > 16 ? Number.MAX_VALUE : Number(digits);
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[\\t !#-\\[\\]-~\\x80-\\xff]|\\\\[\\t -~\\x80-\\xff])*"';
const CHUNK_LINE = new RegExp(`^([0-9A-Fa-f]+)(?:;${TOKEN}(?:=(?:${TOKEN}|${QUOTED}))?)*$`);

/** A chunk's size line (size and extensions, no whitespace anywhere): the size. */
export function chunkSize(line: string): number {
  const match = CHUNK_LINE.exec(line);
  if (!match) throw malformed(`a chunk size line "${line.slice(0, 20)}" is not hexadecimal with extensions`);
  const hex = match[1]!.replace(/^0+(?=.)/, '');
  return hex.length > 13 ? Number.MAX_VALUE : Number.parseInt(hex, 16);
}

/** As Node's http does: repeated fields joined with ", ", set-cookie kept as a list. */
function addHeader(headers: IncomingHttpHeaders, name: string, value: string): void {
  const had = headers[name];
  if (name === 'set-cookie') headers[name] = [...((had as string[] | undefined) ?? []), value];
  else if (had === undefined) headers[name] = value;
  else headers[name] = `${had as string}, ${value}`;
}
