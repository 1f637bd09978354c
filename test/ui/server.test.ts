// The page's server in-process, over real HTTP on 127.0.0.1: nothing without the token,
// the cookie it sets, Host and Origin checks before any API handler runs, and the
// headers every answer carries. The API behind it is a recorder: these tests are about
// the door, not the registry (test/e2e/ui.test.ts covers the whole way).
import test from 'ava';
import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import { startUiServer, type UiServer } from '../../src/ui/server.ts';
import { ResourceError } from '../../src/errors.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, setHost: false, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const token = 'f'.repeat(48);
const calls: string[] = [];

async function server(t: import('ava').ExecutionContext): Promise<UiServer> {
  const s = await startUiServer({
    port: 0,
    token,
    assets: { js: 'console.log("page")', css: 'body{}' },
    api: async (method, path, query, body) => {
      calls.push(`${method} ${path} ${query.toString()} ${JSON.stringify(body)}`);
      return { status: 200, body: { answered: path } };
    },
  });
  t.teardown(() => s.close());
  return s;
}

test.serial('without the token every path answers 401 and no handler runs', async (t) => {
  const s = await server(t);
  calls.length = 0;
  const host = `127.0.0.1:${s.port}`;
  for (const path of ['/', '/index.html', '/app.js', '/app.css', '/api/info', '/api/repositories', '/favicon.ico', '/nothing']) {
    const reply = await send(s.port, 'GET', path, { host });
    t.is(reply.status, 401, path);
    t.false(reply.body.includes('page'), path);
    t.is(reply.headers['set-cookie'], undefined, path);
  }
  t.is(
    (await send(s.port, 'POST', '/api/delete', { host, origin: `http://${host}`, 'content-type': 'application/json' }, '{}')).status,
    401,
  );
  t.deepEqual(calls, []);
});

test.serial(
  'the printed URL is http://127.0.0.1:PORT/?token=TOKEN; its first load sets an HttpOnly SameSite=Strict cookie that opens the rest',
  async (t) => {
    const s = await server(t);
    t.is(s.url, `http://127.0.0.1:${s.port}/?token=${token}`);
    const host = `127.0.0.1:${s.port}`;
    const first = await send(s.port, 'GET', `/?token=${token}`, { host });
    t.is(first.status, 200);
    t.regex(first.body, /<script src="\/app\.js"><\/script>/);
    const cookie = String(first.headers['set-cookie']);
    t.regex(cookie, new RegExp(`^jindr-ui-${s.port}=${token}; HttpOnly; SameSite=Strict; Path=/`));
    const jar = cookie.split(';')[0]!;
    const script = await send(s.port, 'GET', '/app.js', { host, cookie: jar });
    t.is(script.status, 200);
    t.is(script.body, 'console.log("page")');
    t.regex(String(script.headers['content-type']), /^text\/javascript/);
    t.is((await send(s.port, 'GET', '/app.css', { host: `localhost:${s.port}`, cookie: jar })).body, 'body{}');
    const api = await send(s.port, 'GET', '/api/tags?repository=a%2Fb', { host, cookie: jar });
    t.deepEqual(JSON.parse(api.body), { answered: 'tags' });
    t.is(calls.at(-1), 'GET tags repository=a%2Fb undefined');
    t.is((await send(s.port, 'GET', '/elsewhere', { host, cookie: jar })).status, 404);
  },
);

test.serial("every answer forbids framing, other origins' scripts, sniffing, caching and the Referer", async (t) => {
  const s = await server(t);
  for (const reply of [
    await send(s.port, 'GET', `/?token=${token}`, { host: `127.0.0.1:${s.port}` }),
    await send(s.port, 'GET', '/', { host: `127.0.0.1:${s.port}` }),
  ]) {
    t.regex(
      String(reply.headers['content-security-policy']),
      /default-src 'none'; script-src 'self'; style-src 'self'.*frame-ancestors 'none'/,
    );
    t.is(reply.headers['referrer-policy'], 'no-referrer');
    t.is(reply.headers['x-content-type-options'], 'nosniff');
    t.is(reply.headers['x-frame-options'], 'DENY');
    t.is(reply.headers['cache-control'], 'no-store');
  }
});

test.serial('a rebinding Host is refused even with the token; a change needs this Origin and a JSON body', async (t) => {
  const s = await server(t);
  calls.length = 0;
  const host = `127.0.0.1:${s.port}`;
  const cookie = `jindr-ui-${s.port}=${token}`;
  t.is((await send(s.port, 'GET', `/?token=${token}`, { host: `attacker.example:${s.port}` })).status, 403);
  t.is((await send(s.port, 'GET', '/api/repositories', { host: `attacker.example:${s.port}`, cookie })).status, 403);
  const json = { host, cookie, 'content-type': 'application/json' };
  t.is((await send(s.port, 'POST', '/api/delete', json, '{"repository":"a","tag":"b"}')).status, 403, 'no Origin');
  t.is((await send(s.port, 'POST', '/api/delete', { ...json, origin: 'http://attacker.example' }, '{}')).status, 403);
  t.is((await send(s.port, 'POST', '/api/delete', { ...json, origin: `http://${host}`, 'content-type': 'text/plain' }, '{}')).status, 415);
  t.is((await send(s.port, 'POST', '/api/delete', { ...json, origin: `http://${host}`, 'sec-fetch-site': 'same-site' }, '{}')).status, 403);
  t.is((await send(s.port, 'PUT', '/api/delete', { ...json, origin: `http://${host}` }, '{}')).status, 405);
  t.is((await send(s.port, 'POST', '/', { ...json, origin: `http://${host}` }, '{}')).status, 405);
  t.deepEqual(calls, [], 'no handler ran');
  const bad = await send(s.port, 'POST', '/api/delete', { ...json, origin: `http://${host}` }, '{not json');
  t.is(bad.status, 400);
  t.regex(JSON.parse(bad.body).error, /not JSON/);
  const ok = await send(s.port, 'POST', '/api/delete', { ...json, origin: `http://${host}` }, '{"repository":"a","tag":"b"}');
  t.is(ok.status, 200);
  t.deepEqual(calls, ['POST delete  {"repository":"a","tag":"b"}']);
});

test.serial('a body over 64 KB is refused before any handler runs', async (t) => {
  const s = await server(t);
  calls.length = 0;
  const host = `127.0.0.1:${s.port}`;
  const reply = await send(
    s.port,
    'POST',
    '/api/delete',
    { host, cookie: `jindr-ui-${s.port}=${token}`, origin: `http://${host}`, 'content-type': 'application/json' },
    JSON.stringify({ x: 'y'.repeat(70_000) }),
  ).catch(() => ({ status: 0 }));
  t.true(reply.status === 400 || reply.status === 0, `status ${reply.status}`);
  t.deepEqual(calls, []);
});

test.serial('a taken --port is a ResourceError that says what to do', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const err = await t.throwsAsync(
    startUiServer({ port, token, assets: { js: '', css: '' }, api: async () => ({ status: 200, body: {} }) }),
  );
  t.true(err instanceof ResourceError);
  t.regex(err.message, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is taken: choose another with --port`));
});

test.serial('close() ends kept-alive connections too: it returns, the socket closes, nothing answers afterwards', async (t) => {
  const s = await startUiServer({ port: 0, token, assets: { js: '', css: '' }, api: async () => ({ status: 200, body: {} }) });
  const socket = connect(s.port, '127.0.0.1');
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => {});
  await new Promise<void>((resolve) => {
    socket.once('data', () => resolve());
    socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nConnection: keep-alive\r\n\r\n`);
  });
  await s.close();
  await closed;
  await t.throwsAsync(send(s.port, 'GET', '/', { host: `127.0.0.1:${s.port}` }), { code: 'ECONNREFUSED' });
});
