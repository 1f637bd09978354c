// Injectable misbehaviour for the in-process registry: a test adds faults, each matching
// some requests (method, path, which ones) and acting on them instead of, or on top of,
// the registry's real answer:
//
//   fake.faults.add({ path: '/tags/list', status: 500, times: 1 })       one 500, then real answers
//   fake.faults.add({ path: /manifests/, skip: 2, status: 503, headers: { 'retry-after': '0' } })
//   fake.faults.add({ method: 'GET', path: '/blobs/', cut: 20 })          Content-Length larger than sent
//   fake.faults.add({ stall: true })                                      accepts, never answers
//   fake.faults.add({ path: '/blobs/', cut: 100, stall: true })           100 bytes of the body, then silence
//   fake.faults.add({ reset: true, times: 1 })                            closes the connection unanswered
//   fake.faults.add({ headers: { 'docker-content-digest': null } })       the real answer, a header removed
//   fake.faults.add({ delayMs: 5 })                                       the real answer, later
// A hostile registry (hostile.ts):
//   fake.faults.add({ path: /manifests/, raw: 'HTTP/1.1 200 OK\r\nX :1\r\n...' })  these bytes, then close
//   fake.faults.add({ path: /manifests/, flood: { announce: 2 ** 31 } })      2 GiB announced, sent as fast as read
//   fake.faults.add({ path: /tags/, flood: { framing: 'chunked' } })           a chunked body that never ends
//   fake.faults.add({ path: /manifests/, dripMs: 500 })                        the real answer, a byte every 500 ms
import { randomBytes } from 'node:crypto';
import { apiError, reply, type Reply } from './reply.ts';

export interface FaultSpec {
  method?: string;
  /** A RegExp, or a string the path (without the query) must contain. Default: every path. */
  path?: string | RegExp;
  /** Let this many matching requests through untouched first (which request fails). Default 0. */
  skip?: number;
  /** Act on this many requests, then stop. Default: every one. */
  times?: number;
  /** Answer this status instead of the registry: with `code`, a spec error body; else `body`. */
  status?: number;
  code?: string;
  body?: string | Buffer;
  contentType?: string;
  /** Headers set on the answer (the real one, or the status above); null removes one. */
  headers?: Record<string, string | null>;
  /** Send only this many bytes of the body, announce all of them, then close the connection (or, with stall, say nothing more). */
  cut?: number;
  /** Never answer (until the registry closes); with cut, stop after that many bytes of the body. */
  stall?: boolean;
  /** Close the connection without answering. */
  reset?: boolean;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Write these bytes (latin1) on the connection instead of an answer, then close it. */
  raw?: string | Buffer;
  /** Answer `status` (200) with a body of spaces sent as fast as the client reads: `announce` bytes announced (and sent), or chunked or close-delimited without end. */
  flood?: { announce?: number; framing?: 'chunked' | 'close' };
  /** Send the answer (the real one, or the status above) one byte (or dripBytes) every this many ms, head included. */
  dripMs?: number;
  dripBytes?: number;
  /** Never read the request's body (a registry paused mid-upload): the sender's writes back up. */
  unread?: boolean;
}

export interface Fault extends FaultSpec {
  /** Matching requests seen so far, and how many the fault acted on. */
  seen: number;
  acted: number;
}

export class Faults {
  readonly list: Fault[] = [];

  add(spec: FaultSpec): Fault {
    const fault: Fault = { ...spec, seen: 0, acted: 0 };
    this.list.push(fault);
    return fault;
  }

  clear(): void {
    this.list.length = 0;
  }

  /** The first fault that acts on this request, counting it; undefined: behave. `unread` faults act before the body is read. */
  take(method: string, path: string, unread = false): Fault | undefined {
    for (const fault of this.list) {
      if ((fault.unread === true) !== unread) continue;
      if (fault.method !== undefined && fault.method !== method) continue;
      if (fault.path !== undefined && !(typeof fault.path === 'string' ? path.includes(fault.path) : fault.path.test(path))) continue;
      fault.seen += 1;
      if (fault.seen <= (fault.skip ?? 0)) continue;
      if (fault.acted >= (fault.times ?? Infinity)) continue;
      fault.acted += 1;
      return fault;
    }
    return undefined;
  }
}

/** The answer a status fault gives instead of the registry's; undefined when it does not replace it. */
export function replacement(fault: Fault): Reply | undefined {
  if (fault.status === undefined) return undefined;
  if (fault.code !== undefined) return apiError(fault.status, fault.code);
  return reply(fault.status, fault.contentType ? { 'content-type': fault.contentType } : {}, fault.body ?? '');
}

/** Applies a fault's header changes to an answer. */
export function withHeaders(answer: Reply, fault: Fault | undefined): Reply {
  if (!fault?.headers) return answer;
  const headers = { ...answer.headers };
  for (const [name, value] of Object.entries(fault.headers)) {
    if (value === null) delete headers[name.toLowerCase()];
    else headers[name.toLowerCase()] = value;
  }
  return { ...answer, headers };
}

/** Whole registries gone wrong, for every request: what proxies, wrong ports and dying servers answer. */
export const MISBEHAVIOURS = {
  /** 200 and random bytes. */
  garbage: { status: 200, contentType: 'application/octet-stream', body: randomBytes(512) },
  /** 200, application/json, JSON cut off. */
  'invalid-json': { status: 200, contentType: 'application/json', body: '{"repositories": ["app", ' },
  /** A proxy's HTML error page. */
  'html-502': {
    status: 502,
    contentType: 'text/html',
    body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
  },
  /** 4096 bytes announced, a few sent, then the connection closes. */
  truncated: { status: 200, contentType: 'application/json', body: '{"repositories": ["app", "ot' + ' '.repeat(4068), cut: 28 },
  /** Requests are accepted and never answered. */
  silent: { stall: true },
} satisfies Record<string, FaultSpec>;

export type Misbehaviour = keyof typeof MISBEHAVIOURS;
