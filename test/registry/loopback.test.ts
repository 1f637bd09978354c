// `localhost` over plain HTTP is reached without a name lookup (src/registry/loopback.ts):
// 127.0.0.1 first, ::1 when nothing listens on 127.0.0.1, a refusal when neither does,
// and the connect timeout still applies. Real TCP servers on each address.
import test from 'ava';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Http1Pool } from '../../src/registry/http1.ts';
import { isLoopbackName } from '../../src/registry/loopback.ts';

const ANSWER = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';

/** A server on `host` (port 0: any) answering every request with 200 "ok"; records each peer's address. */
async function listen(host: string, port = 0): Promise<{ server: Server; port: number; peers: string[] }> {
  const peers: string[] = [];
  const server = createServer((socket) => {
    peers.push(socket.localAddress ?? '');
    socket.on('data', () => socket.write(ANSWER));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return { server, port: (server.address() as AddressInfo).port, peers };
}

const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

function pool(timeoutMs = 10_000): Http1Pool {
  return new Http1Pool({ connections: 2, timeoutMs, tls: { rejectUnauthorized: true } });
}

test('isLoopbackName: localhost in any case, nothing else', (t) => {
  t.deepEqual(['localhost', 'LocalHost', 'localhost.example', 'mylocalhost', '127.0.0.1', '::1'].map(isLoopbackName), [
    true,
    true,
    false,
    false,
    false,
    false,
  ]);
});

test('localhost goes to 127.0.0.1 when both addresses listen', async (t) => {
  const v4 = await listen('127.0.0.1');
  t.teardown(() => close(v4.server));
  let v6: Awaited<ReturnType<typeof listen>> | undefined;
  try {
    v6 = await listen('::1', v4.port);
  } catch {
    // port taken on ::1 by someone else: the IPv4 half of the test still holds
  }
  t.teardown(() => (v6 ? close(v6.server) : undefined));
  const p = pool();
  t.teardown(() => p.close());
  const answer = await p.request(new URL(`http://localhost:${v4.port}/v2/`), { method: 'GET', headers: {} });
  t.is(answer.statusCode, 200);
  t.is(answer.body.toString(), 'ok');
  t.deepEqual(v4.peers, ['127.0.0.1']);
  t.deepEqual(v6?.peers ?? [], []);
});

test('localhost falls back to ::1 when nothing listens on 127.0.0.1', async (t) => {
  const v6 = await listen('::1');
  t.teardown(() => close(v6.server));
  // The same port must be free on 127.0.0.1 for the fallback to be what is tested.
  const probe = await listen('127.0.0.1', v6.port).catch(() => undefined);
  if (probe === undefined) return t.pass('127.0.0.1 has this port taken by another process: nothing to test here');
  await close(probe.server);
  const p = pool();
  t.teardown(() => p.close());
  const answer = await p.request(new URL(`http://localhost:${v6.port}/v2/`), { method: 'GET', headers: {} });
  t.is(answer.statusCode, 200);
  t.deepEqual(v6.peers, ['::1']);
});

test('localhost with nothing listening is refused, with ECONNREFUSED', async (t) => {
  const free = await listen('127.0.0.1');
  const port = free.port;
  await close(free.server);
  const p = pool();
  t.teardown(() => p.close());
  const err = await t.throwsAsync(p.request(new URL(`http://localhost:${port}/v2/`), { method: 'GET', headers: {} }));
  t.is((err as { code?: string }).code, 'ECONNREFUSED');
});

test('an aborted request to localhost ends with the abort, and the pool takes new requests', async (t) => {
  const v4 = await listen('127.0.0.1');
  t.teardown(() => close(v4.server));
  const p = pool();
  t.teardown(() => p.close());
  const controller = new AbortController();
  controller.abort(new Error('stopped by the test'));
  const err = await t.throwsAsync(
    p.request(new URL(`http://localhost:${v4.port}/v2/`), { method: 'GET', headers: {}, signal: controller.signal }),
  );
  t.is(err?.message, 'stopped by the test');
  const answer = await p.request(new URL(`http://localhost:${v4.port}/v2/`), { method: 'GET', headers: {} });
  t.is(answer.statusCode, 200);
});
