// Credentials go to the registry's own origin only: a Link (paging) or Location (upload)
// header naming another host must not receive the Authorization header, as a redirect
// does not; and --debug lines name paths, never a URL's query (upload state) or userinfo.
import test from 'ava';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryClient } from '../../src/registry/client.ts';
import { listRepositories } from '../../src/registry/catalog.ts';

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ host: string; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function json(res: ServerResponse, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

test('a next link to another origin is followed without the Authorization header', async (t) => {
  const otherSaw: { called: boolean; authorization?: string } = { called: false };
  const other = await serve((req, res) => {
    otherSaw.called = true;
    otherSaw.authorization = req.headers.authorization;
    json(res, { repositories: ['b'] });
  });
  t.teardown(other.close);
  const registry = await serve((req, res) => {
    if (req.headers.authorization === undefined) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' });
      return res.end();
    }
    json(res, { repositories: ['a'] }, { link: `<http://${other.host}/v2/_catalog?last=a&n=1000>; rel="next"` });
  });
  t.teardown(registry.close);
  const client = new RegistryClient(registry.host, { credentials: async () => ({ username: 'u', password: 'secret' }) });
  t.teardown(() => client.close());
  t.deepEqual(await listRepositories(client), ['a', 'b']);
  t.true(otherSaw.called);
  t.is(otherSaw.authorization, undefined);
});

test('a retried request is logged by path only: no query, no userinfo', async (t) => {
  let calls = 0;
  const registry = await serve((req, res) => {
    calls += 1;
    if (calls === 1) {
      req.socket.destroy(); // a connection reset: retried
      return;
    }
    json(res, {});
  });
  t.teardown(registry.close);
  const lines: string[] = [];
  const client = new RegistryClient(registry.host, { log: (m) => lines.push(m) });
  t.teardown(() => client.close());
  await client.request({ method: 'GET', path: `http://user:pw@${registry.host}/v2/x/blobs/uploads/abc?_state=SECRETSTATE` });
  t.is(calls, 2);
  t.true(lines.some((l) => l.includes('/v2/x/blobs/uploads/abc')), lines.join('\n'));
  t.false(lines.some((l) => /SECRETSTATE|pw@/.test(l)), lines.join('\n'));
});
