// A registry restarting under a copy: which failures mean "it restarted", and a step run
// again once it answers, against a real HTTP server on loopback that goes away and comes
// back on the same port (the registry itself, restarted by gc, is in test/e2e/gc-inflight).
import test from 'ava';
import { createServer, type Server } from 'node:http';
import { RegistryClient } from '../../src/registry/client.ts';
import { BodyConsumedError, RegistryApiError } from '../../src/registry/errors.ts';
import { restartFailure } from '../../src/registry/retry-policy.ts';
import { acrossRestarts, waitUntilAnswering } from '../../src/registry/restart-retry.ts';
import { AuthError, RegistryError } from '../../src/errors.ts';

test('restartFailure: refused, reset, a stale upload session; nothing else', (t) => {
  const network = (code: string) => new RegistryError('network', { cause: Object.assign(new Error(code), { code }) });
  t.true(restartFailure(network('ECONNREFUSED')));
  t.true(restartFailure(network('ECONNRESET')));
  t.true(restartFailure(new RegistryError('x', { cause: new BodyConsumedError('again') })));
  t.true(restartFailure(new RegistryApiError('x', { status: 404, codes: ['BLOB_UPLOAD_INVALID'] })));
  t.true(restartFailure(new RegistryApiError('x', { status: 404, codes: ['BLOB_UPLOAD_UNKNOWN'] })));
  t.true(restartFailure(new RegistryApiError('x', { status: 404, path: '/v2/a/blobs/uploads/7e1' })), 'no code: the upload path says it');
  t.false(restartFailure(new RegistryApiError('x', { status: 404, codes: ['MANIFEST_BLOB_UNKNOWN'] })));
  t.false(restartFailure(new RegistryApiError('x', { status: 400, codes: ['BLOB_UPLOAD_INVALID'] })));
  t.false(restartFailure(new RegistryApiError('x', { status: 503 })));
  t.false(restartFailure(network('ENOTFOUND')));
  t.false(restartFailure(network('UNABLE_TO_VERIFY_LEAF_SIGNATURE')));
  t.false(restartFailure(new AuthError('denied', { status: 401 })));
  t.false(restartFailure(new Error('ECONNREFUSED')));
});

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

test('a step refused while the registry is down runs again once it answers', async (t) => {
  const handler = (req: { url?: string }, res: { writeHead(s: number): { end(): void } }) =>
    res.writeHead(req.url === '/v2/' ? 200 : 201).end();
  const first = createServer(handler);
  const port = await listen(first);
  // No retries of its own: the outage outlasts them, as a gc's does.
  const client = new RegistryClient(`127.0.0.1:${port}`, { timeoutMs: 20_000, retries: 0 });
  t.teardown(() => client.close());
  await client.request({ path: '/v2/' });
  await close(first);
  const back = createServer(handler);
  t.teardown(() => close(back));
  let runs = 0;
  const retried: string[] = [];
  let listening: Promise<number> | undefined;
  const status = acrossRestarts(
    client,
    async () => {
      runs += 1;
      return (await client.request({ method: 'PUT', path: '/v2/app/manifests/v1', body: '{}' })).status;
    },
    {
      onRetry: (reason) => {
        retried.push(reason);
        listening = listen(back, port); // back once the first run has failed, not after a fixed time
      },
    },
  );
  t.is(await status, 201);
  t.is(await listening, port);
  t.is(runs, 2);
  t.is(retried.length, 1);
  // Refused, or (a kept-alive connection the stopped server closed) reset: both are its restart.
  t.regex(retried[0]!, /^(no registry answers on 127\.0\.0\.1:\d+|127\.0\.0\.1:\d+ closed the connection)/);
});

test('a stale upload session (404 BLOB_UPLOAD_INVALID) is started again, at most three times in all', async (t) => {
  let puts = 0;
  const server = createServer((req, res) => {
    if (req.url === '/v2/') return res.writeHead(200).end();
    puts += 1;
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end('{"errors":[{"code":"BLOB_UPLOAD_INVALID","message":"blob upload invalid"}]}');
  });
  const port = await listen(server);
  t.teardown(() => close(server));
  const client = new RegistryClient(`127.0.0.1:${port}`);
  t.teardown(() => client.close());
  const err = await t.throwsAsync(
    acrossRestarts(client, () => client.request({ method: 'PUT', path: '/v2/a/blobs/uploads/1?digest=sha256:00', body: 'x' })),
  );
  t.is(puts, 3);
  t.regex(err.message, /BLOB_UPLOAD_INVALID.*\(tried 3 times, the registry restarting in between\)$/);
  t.false(restartFailure(err), 'nobody retries it again');
});

test('a registry that does not come back within the timeout: one line that says so', async (t) => {
  const server = createServer((_req, res) => res.writeHead(200).end());
  const port = await listen(server);
  const client = new RegistryClient(`127.0.0.1:${port}`, { timeoutMs: 1500, retries: 0 });
  t.teardown(() => client.close());
  await client.request({ path: '/v2/' });
  await close(server);
  t.false(await waitUntilAnswering(client, undefined, 100));
  const err = await t.throwsAsync(acrossRestarts(client, () => client.request({ path: '/v2/a/tags/list' })));
  t.is(
    err.message,
    `127.0.0.1:${port} went away during the copy and did not answer again within 1.5 s (JINDR_TIMEOUT_MS=<milliseconds> waits longer)`,
  );
  t.false(restartFailure(err));
});

test('other failures are not retried', async (t) => {
  let runs = 0;
  const server = createServer((_req, res) => res.writeHead(200).end());
  const port = await listen(server);
  t.teardown(() => close(server));
  const client = new RegistryClient(`127.0.0.1:${port}`);
  t.teardown(() => client.close());
  await t.throwsAsync(
    acrossRestarts(client, async () => {
      runs += 1;
      throw new RegistryApiError('x', { status: 404, codes: ['MANIFEST_BLOB_UNKNOWN'] });
    }),
    { message: 'x' },
  );
  t.is(runs, 1);
});

test("a broken connection while the registry answers (the source's, or a hiccup) is left to the caller", async (t) => {
  const server = createServer((_req, res) => res.writeHead(200).end());
  const port = await listen(server);
  t.teardown(() => close(server));
  const client = new RegistryClient(`127.0.0.1:${port}`);
  t.teardown(() => client.close());
  let runs = 0;
  const reset = new RegistryError('source.example closed the connection during a request', {
    cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
  });
  const err = await t.throwsAsync(
    acrossRestarts(client, async () => {
      runs += 1;
      throw reset;
    }),
  );
  t.is(err, reset, 'the same error, unchanged');
  t.is(runs, 1);
});
