// Reaching a registry through a proxy, as Go's http.Transport does: plain-HTTP requests go
// to the proxy in absolute form ("GET http://host/path"), with Proxy-Authorization from the
// proxy URL's user and password; HTTPS goes through a CONNECT tunnel, and TLS to the
// registry runs inside it with the registry's own checks (its CA, its name). An https://
// proxy is spoken to over TLS itself (verified with the system's CAs). Other schemes
// (socks5) are refused with a message.
//
// API
//   registryProxies(env) -> the proxy chooser of proxy-env.ts, undefined when no proxy is set;
//       UsageError for a proxy this client cannot speak (socks5), before any request
//   checkProxyUrl(proxy, variable) -> throws UsageError for a scheme this client cannot speak
//   proxyAuthorization(proxy) -> the Proxy-Authorization value, or undefined
//   connectProxy(proxy, timeoutMs, signal) -> a socket connected to the proxy
//   openTunnel(proxy, host, port, timeoutMs, signal) -> a socket to host:port through CONNECT
//   redactProxy(proxy) -> the proxy as messages name it (never its password)
import type { Socket } from 'node:net';
import { UsageError } from '../errors.ts';
import { abortError } from './wire-limits.ts';
import { parseProxyUrl, proxyChooser, proxyEnvironment, type ProxyChooser } from './proxy-env.ts';

/** CONNECT's answer head is read whole; a proxy sending more than this is not one. */
const MAX_HEAD = 64 * 1024;

export function redactProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

export function checkProxyUrl(proxy: URL, variable: string): void {
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new UsageError(
      `${variable} names a ${proxy.protocol.slice(0, -1)} proxy (${redactProxy(proxy)}), which docker-jindr cannot use: give an http:// or https:// proxy, or unset ${variable}`,
    );
  }
  if (proxy.hostname === '') throw new UsageError(`${variable} names no proxy host: write it as http://HOST:PORT`);
}

export function registryProxies(env: NodeJS.ProcessEnv): ProxyChooser | undefined {
  const settings = proxyEnvironment(env);
  const http = parseProxyUrl(settings.httpProxy);
  const https = parseProxyUrl(settings.httpsProxy);
  if (http === undefined && https === undefined) return undefined;
  if (http !== undefined) checkProxyUrl(http, 'HTTP_PROXY (or http_proxy)');
  if (https !== undefined) checkProxyUrl(https, 'HTTPS_PROXY (or https_proxy)');
  return proxyChooser(env);
}

export function proxyAuthorization(proxy: URL): string | undefined {
  if (proxy.username === '' && proxy.password === '') return undefined;
  const user = decodeURIComponent(proxy.username);
  const password = decodeURIComponent(proxy.password);
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** A failure of the proxy, said as one: no network code of its own, so the registry is not blamed. */
function proxyError(message: string): Error {
  return Object.assign(new Error(message), { code: 'EPROXY' });
}

/** A socket connected to the proxy (TLS for an https:// proxy); errors name the proxy. */
export function connectProxy(proxy: URL, timeoutMs: number, signal: AbortSignal | undefined): Promise<Socket> {
  const secure = proxy.protocol === 'https:';
  const host = proxy.hostname.startsWith('[') ? proxy.hostname.slice(1, -1) : proxy.hostname;
  const port = Number(proxy.port || (secure ? 443 : 80));
  const socket: Socket = secure
    ? process
        .getBuiltinModule('node:tls')
        .connect({ host, port, ...(process.getBuiltinModule('node:net').isIP(host) === 0 ? { servername: host } : {}) })
    : process.getBuiltinModule('node:net').connect({ host, port });
  const ready = secure ? 'secureConnect' : 'connect';
  return new Promise((resolve, reject) => {
    const done = (err: Error | undefined): void => {
      socket.off(ready, onReady);
      socket.off('error', onError);
      socket.off('timeout', onTimeout);
      signal?.removeEventListener('abort', onAbort);
      socket.setTimeout(0);
      if (err) {
        socket.destroy();
        reject(err);
      } else resolve(socket);
    };
    const onReady = (): void => done(undefined);
    const onError = (err: Error): void => {
      const code = (err as { code?: string }).code;
      done(
        proxyError(
          `cannot connect to the proxy ${redactProxy(proxy)} (${code ?? err.message}): check that it runs, or HTTP_PROXY, HTTPS_PROXY and NO_PROXY`,
        ),
      );
    };
    const onTimeout = (): void =>
      done(proxyError(`the proxy ${redactProxy(proxy)} did not accept a connection within ${timeoutMs / 1000} s`));
    const onAbort = (): void => done(abortError(signal!));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once(ready, onReady);
    socket.once('error', onError);
    socket.once('timeout', onTimeout);
    socket.setTimeout(timeoutMs);
    if (!secure) socket.setNoDelay(true);
  });
}

/** A socket to host:port through the proxy's CONNECT; the caller starts TLS on it. */
export async function openTunnel(
  proxy: URL,
  host: string,
  port: number,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Socket> {
  const socket = await connectProxy(proxy, timeoutMs, signal);
  const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const auth = proxyAuthorization(proxy);
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const done = (err: Error | undefined, rest?: Buffer): void => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      socket.off('timeout', onTimeout);
      signal?.removeEventListener('abort', onAbort);
      socket.setTimeout(0);
      if (err) {
        socket.destroy();
        reject(err);
        return;
      }
      socket.pause();
      if (rest && rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_HEAD)
          done(proxyError(`the proxy ${redactProxy(proxy)} sent an answer to CONNECT longer than ${MAX_HEAD / 1024} KiB`));
        return;
      }
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
      if (!match)
        return done(
          proxyError(`the proxy ${redactProxy(proxy)} did not answer CONNECT in HTTP (${JSON.stringify(statusLine.slice(0, 60))})`),
        );
      // Go's transport takes 200 only, as does this.
      if (match[1] !== '200') {
        const hint = match[1] === '407' ? ': give the proxy user and password in the proxy URL (http://USER:PASSWORD@HOST:PORT)' : '';
        return done(
          proxyError(
            `the proxy ${redactProxy(proxy)} refused CONNECT to ${authority} (${match[1]}${match[2] ? ` ${match[2]}` : ''})${hint}`,
          ),
        );
      }
      done(undefined, head.subarray(end + 4));
    };
    const onEnd = (): void =>
      done(proxyError(`the proxy ${redactProxy(proxy)} closed the connection before answering CONNECT to ${authority}`));
    const onError = (err: Error): void =>
      done(
        proxyError(
          `the proxy ${redactProxy(proxy)} failed during CONNECT to ${authority} (${(err as { code?: string }).code ?? err.message})`,
        ),
      );
    const onTimeout = (): void =>
      done(proxyError(`the proxy ${redactProxy(proxy)} did not answer CONNECT to ${authority} within ${timeoutMs / 1000} s`));
    const onAbort = (): void => done(abortError(signal!));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
    socket.once('timeout', onTimeout);
    socket.setTimeout(timeoutMs);
    socket.write(
      `CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n${auth !== undefined ? `proxy-authorization: ${auth}\r\n` : ''}\r\n`,
      'latin1',
    );
  });
}
