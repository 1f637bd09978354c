// The whole-answer HTTP/1.1 pool (src/registry/http1.ts) against raw TCP servers that
// answer as written here: sockets kept alive and reused up to the limit, a kept-alive
// socket the server dropped replaced once for a GET (never for a PUT), the idle
// timeout, an abort, and request heads that cannot smuggle a header.
import test, { type ExecutionContext } from 'ava';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { freePort } from '../helpers/free-port.ts';
import { Http1Pool } from '../../src/registry/http1.ts';

interface Raw {
  url: URL;
  /** Connections accepted so far. */
  connections: number;
  /** Every request head received, in order. */
  heads: string[];
}

/** A TCP server: `answer(head, n, socket)` answers the n-th request (counted from 0 on each connection). */
async function raw(t: ExecutionContext, answer: (head: string, n: number, socket: Socket) => void): Promise<Raw> {
  const state: Raw = { url: new URL('http://127.0.0.1/'), connections: 0, heads: [] };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    state.connections += 1;
    sockets.add(socket);
    let pending = '';
    let n = 0;
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const head = pending.slice(0, end);
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        pending = pending.slice(end + 4 + length);
        state.heads.push(head);
        answer(head, n++, socket);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/`);
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return state;
}

function pool(t: ExecutionContext, options: { connections?: number; timeoutMs?: number } = {}): Http1Pool {
  const p = new Http1Pool({
    connections: options.connections ?? 2,
    timeoutMs: options.timeoutMs ?? 5000,
    tls: { rejectUnauthorized: true },
  });
  t.teardown(() => void p.close());
  return p;
}

const ok = (socket: Socket, body = 'ok'): void => void socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
const get = { method: 'GET', headers: { accept: 'application/json' } };

test('many requests share at most `connections` kept-alive sockets, each answer read whole', async (t) => {
  const server = await raw(t, (head, _n, socket) => setTimeout(() => ok(socket, head.split(' ')[1]), 2));
  const p = pool(t, { connections: 3 });
  const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => p.request(new URL(`/v2/r${i}`, server.url), get)));
  t.deepEqual(
    answers.map((a) => a.body.toString()),
    Array.from({ length: 40 }, (_, i) => `/v2/r${i}`),
  );
  t.is(server.connections, 3);
  t.regex(server.heads[0]!, /^GET \/v2\/r\d+ HTTP\/1\.1\r\nhost: 127\.0\.0\.1:\d+\r\naccept: application\/json$/);
});

test('a body is sent with its length; a PUT without a body says 0', async (t) => {
  const server = await raw(t, (_head, _n, socket) => ok(socket));
  const p = pool(t);
  await p.request(server.url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"é":1}') });
  await p.request(server.url, { method: 'PUT', headers: {} });
  t.regex(server.heads[0]!, /content-length: 8$/); // bytes, not characters
  t.regex(server.heads[1]!, /content-length: 0$/);
});

test('a kept-alive socket the server drops as it is reused: a GET goes again on a new socket', async (t) => {
  // Each connection answers its first request, then drops the connection on the second.
  const server = await raw(t, (_head, n, socket) => (n === 0 ? ok(socket) : socket.destroy()));
  const p = pool(t, { connections: 1 });
  await p.request(server.url, get);
  const again = await p.request(server.url, get);
  t.is(again.body.toString(), 'ok');
  t.is(server.connections, 2);
});

test('the same for a PUT fails (the registry may have done it): the caller decides', async (t) => {
  const server = await raw(t, (_head, n, socket) => (n === 0 ? ok(socket) : socket.destroy()));
  const p = pool(t, { connections: 1 });
  await p.request(server.url, get);
  const err = await t.throwsAsync(p.request(server.url, { method: 'PUT', headers: {}, body: 'x' }));
  t.is((err as NodeJS.ErrnoException).code, 'ECONNRESET');
  t.is(server.connections, 1);
});

test('an answer cut short fails with ECONNRESET, not retried, and its socket is not reused', async (t) => {
  const server = await raw(t, (_head, _n, socket) =>
    server.heads.length === 1 ? socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello') : ok(socket),
  );
  const p = pool(t, { connections: 1 });
  const err = await t.throwsAsync(p.request(server.url, get));
  t.is((err as NodeJS.ErrnoException).code, 'ECONNRESET');
  t.is((await p.request(server.url, get)).body.toString(), 'ok');
  t.is(server.connections, 2);
});

test('Connection: close: the next request opens a new socket', async (t) => {
  const server = await raw(t, (_head, _n, socket) => socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok'));
  const p = pool(t, { connections: 1 });
  await p.request(server.url, get);
  await p.request(server.url, get);
  t.is(server.connections, 2);
});

test('a server that never answers: ETIMEDOUT after the idle timeout', async (t) => {
  const server = await raw(t, () => {});
  const started = Date.now();
  const err = await t.throwsAsync(pool(t, { timeoutMs: 300 }).request(server.url, get));
  t.is((err as NodeJS.ErrnoException).code, 'ETIMEDOUT');
  t.true(Date.now() - started < 3000);
});

test("an aborted request rejects with the signal's reason, and frees its place", async (t) => {
  const controller = new AbortController();
  // /slow is never answered: aborted once the server has it.
  const server = await raw(t, (head, _n, socket) => (head.includes('/slow') ? controller.abort(new Error('stop now')) : ok(socket)));
  const p = pool(t, { connections: 1 });
  const pending = p.request(new URL('/slow', server.url), { ...get, signal: controller.signal });
  await t.throwsAsync(pending, { message: 'stop now' });
  t.is((await p.request(server.url, get)).statusCode, 200);
});

test('a refused connection fails with ECONNREFUSED', async (t) => {
  const port = await freePort();
  const err = await t.throwsAsync(pool(t).request(new URL(`http://127.0.0.1:${port}/v2/`), get));
  t.is((err as NodeJS.ErrnoException).code, 'ECONNREFUSED');
});

test('a header value or name that would smuggle another header is refused before anything is sent', async (t) => {
  const server = await raw(t, (_head, _n, socket) => ok(socket));
  const p = pool(t);
  await t.throwsAsync(p.request(server.url, { method: 'GET', headers: { authorization: 'Bearer x\r\nX-Evil: 1' } }), {
    instanceOf: TypeError,
  });
  await t.throwsAsync(p.request(server.url, { method: 'GET', headers: { 'x-a: b\r\nx-c': 'd' } }), { instanceOf: TypeError });
  t.is(server.heads.length, 0);
});
