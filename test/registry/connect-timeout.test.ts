// The connect timeout: a listener whose accept queue is full (it never accepts, and two
// connections already wait in it) leaves a new connection's SYN unanswered, as a registry
// behind a firewall that drops packets does. Node always accepts, so the listener is a
// few lines of Python (socket.listen(0), never accept).
import test from 'ava';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { RegistryClient } from '../../src/registry/client.ts';
import { RegistryError } from '../../src/errors.ts';

const LISTENER = `
import socket, sys, time
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)
port = s.getsockname()[1]
held = []
for i in range(3):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(('127.0.0.1', port))
    except BlockingIOError: pass
    held.append(c)
time.sleep(0.5)
print(port, flush=True)
sys.stdin.read()
`;

test('a registry that never completes the connection: the connect timeout ends it, naming the host and JINDR_CONNECT_TIMEOUT_MS', async (t) => {
  const child = spawn('python3', ['-c', LISTENER], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.teardown(() => child.kill());
  const [line] = await createInterface({ input: child.stdout })
    [Symbol.asyncIterator]()
    .next()
    .then((r) => [r.value as string]);
  const host = `127.0.0.1:${line!.trim()}`;
  const client = new RegistryClient(host, { connectTimeoutMs: 400, timeoutMs: 30_000, retries: 0 });
  t.teardown(() => client.close());
  const started = Date.now();
  const err = await t.throwsAsync(() => client.request({ path: '/v2/' }), { instanceOf: RegistryError });
  t.is(err.message, `${host} did not accept a connection within 0.4 s (JINDR_CONNECT_TIMEOUT_MS=<milliseconds> waits longer)`);
  t.true(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
});
