// The registry client's HTTP pool (Node's http): the idle timeout fails a silent server and
// a body that stops half-way with ETIMEDOUT, but never an upload whose own source is slow
// (a copy's upload waits on its download: the side that stalls is the one to name).
import test from 'ava';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { HttpPool, bodyText } from '../../src/registry/http-pool.ts';

async function serve(t: { teardown(fn: () => void): void }, handler: Parameters<typeof createServer>[1]): Promise<URL> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
}

function pool(t: { teardown(fn: () => void): void }, timeoutMs: number): HttpPool {
  const p = new HttpPool({ connections: 2, timeoutMs, tls: { rejectUnauthorized: true } });
  t.teardown(() => void p.close());
  return p;
}

test('a server that never answers: ETIMEDOUT after the idle timeout', async (t) => {
  const url = await serve(t, () => {});
  const started = Date.now();
  const err = await t.throwsAsync(pool(t, 300).request(url));
  t.is((err as NodeJS.ErrnoException).code, 'ETIMEDOUT');
  t.true(Date.now() - started < 3000);
});

test('a body that stops half-way: its reader gets ETIMEDOUT', async (t) => {
  const url = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-length': '10' });
    res.write('hello'); // and never the rest
  });
  const response = await pool(t, 300).request(url);
  t.is(response.statusCode, 200);
  const err = await t.throwsAsync(bodyText(response.body));
  t.is((err as NodeJS.ErrnoException).code, 'ETIMEDOUT');
});

test('an upload whose source pauses longer than the timeout still completes; the answer is awaited with the timeout', async (t) => {
  const url = await serve(t, (req, res) => {
    void bodyText(req).then((text) => res.end(`got ${text}`));
  });
  let sent = 0;
  const source = new Readable({
    read() {
      sent += 1;
      if (sent === 1) this.push('first ');
      else if (sent === 2)
        setTimeout(() => this.push('second'), 700); // the source is slow, not the server
      else this.push(null);
    },
  });
  const response = await pool(t, 300).request(url, { method: 'PUT', body: source, headers: { 'content-length': '12' } });
  t.is(await bodyText(response.body), 'got first second');
});

test("an aborted request rejects with the signal's reason", async (t) => {
  const controller = new AbortController();
  // Aborted once the server has the request (it never answers).
  const url = await serve(t, () => controller.abort(new Error('stop now')));
  const pending = pool(t, 5000).request(url, { signal: controller.signal });
  await t.throwsAsync(pending, { message: 'stop now' });
});
