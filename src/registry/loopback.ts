// `localhost` reached without a name lookup (RFC 6761: localhost is the loopback
// addresses; Go's resolver, and so the Docker CLI, answers it without DNS too). Node's net.connect
// sends every host name through its IP check first, and that check compiles Node's IPv6
// grammar, a regular expression of some kilobytes: 2-4 ms of every warm `cp` measured with
// --cpu-prof (isIPv6 7.5% of a warm `cp -q`'s profile), plus a getaddrinfo on libuv's
// thread pool. For plain HTTP to localhost this connects to 127.0.0.1 first and to ::1 when
// nothing listens there, the order of Debian's /etc/hosts and of Node's own lookup.
//
// API
//   isLoopbackName(hostname) -> whether the name is localhost
//   connectLoopback(port, timeoutMs, signal) -> a connected socket (127.0.0.1, else ::1)
import type { Socket } from 'node:net';
import { abortError, timeoutError } from './wire-limits.ts';

export function isLoopbackName(hostname: string): boolean {
  return hostname.toLowerCase() === 'localhost';
}

/** Codes after which ::1 is tried: nothing listens on 127.0.0.1 there. */
const TRY_NEXT = new Set(['ECONNREFUSED', 'EADDRNOTAVAIL', 'ENETUNREACH', 'EHOSTUNREACH']);

export async function connectLoopback(port: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<Socket> {
  try {
    return await connectTo('127.0.0.1', port, timeoutMs, signal);
  } catch (first) {
    if (!TRY_NEXT.has((first as { code?: string }).code ?? '')) throw first;
    try {
      return await connectTo('::1', port, timeoutMs, signal);
    } catch (second) {
      // No IPv6 at all: the IPv4 refusal is the one worth reporting.
      throw (second as { code?: string }).code === 'ECONNREFUSED' ? second : first;
    }
  }
}

function connectTo(host: string, port: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<Socket> {
  const socket = process.getBuiltinModule('node:net').connect({ host, port });
  socket.setNoDelay(true);
  return new Promise((resolve, reject) => {
    const done = (err: Error | undefined): void => {
      socket.off('connect', onConnect);
      socket.off('error', onError);
      socket.off('timeout', onTimeout);
      signal?.removeEventListener('abort', onAbort);
      socket.setTimeout(0);
      if (err === undefined) return resolve(socket);
      socket.destroy();
      reject(err);
    };
    const onConnect = (): void => done(undefined);
    const onError = (err: Error): void => done(err);
    const onTimeout = (): void => done(timeoutError(timeoutMs, true));
    const onAbort = (): void => done(abortError(signal!));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', onConnect);
    socket.once('error', onError);
    socket.once('timeout', onTimeout);
    socket.setTimeout(timeoutMs);
  });
}
