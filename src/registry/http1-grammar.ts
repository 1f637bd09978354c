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

/** Whether bytes[from, end) hold an LF not preceded by CR, or a CR followed by something else than LF. */
export function bareLineBreak(bytes: Buffer, from: number, end: number): boolean {
  // Native searches: a head has a few dozen line ends, and thousands of heads go by per second.
  for (let at = bytes.indexOf(0x0a, Math.max(0, from)); at >= 0 && at < end; at = bytes.indexOf(0x0a, at + 1)) {
    if (at === 0 || bytes[at - 1] !== 0x0d) return true;
  }
  for (let at = bytes.indexOf(0x0d, Math.max(0, from)); at >= 0 && at < end; at = bytes.indexOf(0x0d, at + 1)) {
    if (at + 1 < bytes.length && bytes[at + 1] !== 0x0a) return true;
  }
  return false;
}

// HTTP/1.x and the versions llhttp takes besides (0.9, 2.0); the reason is any text.
const STATUS_LINE = /^HTTP\/(0\.9|1\.[01]|2\.0) (\d{3})(?: [^\r\n]*)?$/;

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
const NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
// Every field of a block (lines joined by CRLF) at once: one pass of a compiled regex, where
// thousands of answers a second go by; a block it refuses is looked at line by line to say why.
const FIELD_TEXT = "[!#$%&'*+.^_`|~0-9A-Za-z-]+:[\\t\\x20-\\x7e\\x80-\\xff]*";
const FIELDS = new RegExp(`^${FIELD_TEXT}(?:\\r\\n${FIELD_TEXT})*$`);

const isBlank = (code: number): boolean => code === 0x20 || code === 0x09;

/** Adds the fields of a block (a head's lines after the status line, or trailers, joined by CRLF); refuses obs-folds, spaces before a colon, control characters. */
export function readFields(block: string, headers: IncomingHttpHeaders, framing: FramingFields | undefined): void {
  if (block === '') return;
  if (!FIELDS.test(block)) explain(block.split('\r\n'));
  for (let at = 0; at < block.length;) {
    let eol = block.indexOf('\r\n', at);
    if (eol < 0) eol = block.length;
    const colon = block.indexOf(':', at);
    let start = colon + 1;
    let end = eol;
    while (start < end && isBlank(block.charCodeAt(start))) start += 1;
    while (end > start && isBlank(block.charCodeAt(end - 1))) end -= 1;
    const name = block.slice(at, colon).toLowerCase();
    const value = block.slice(start, end);
    at = eol + 2;
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

/** Why a block of fields is refused (throws). */
function explain(lines: readonly string[]): never {
  for (const line of lines) {
    const colon = line.indexOf(':');
    const rawName = colon > 0 ? line.slice(0, colon) : '';
    if (!NAME.test(rawName)) {
      if (isBlank(line.charCodeAt(0))) throw malformed('a header line is folded (obs-fold)');
      throw malformed(`a header line is not "name: value" (${JSON.stringify(line.slice(0, 40))})`);
    }
    let start = colon + 1;
    let end = line.length;
    while (start < end && isBlank(line.charCodeAt(start))) start += 1;
    while (end > start && isBlank(line.charCodeAt(end - 1))) end -= 1;
    if (BAD_VALUE.test(line.slice(start, end))) throw malformed(`the header ${rawName} has a control character in its value`);
  }
  throw malformed('a header line does not end with CRLF');
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
    const codings = transferEncoding
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c !== '');
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
