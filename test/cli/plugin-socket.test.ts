// The Docker CLI's plugin socket, stood in for by a real abstract unix socket server.
import test from 'ava';
import { createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { watchPluginSocket } from '../../src/cli/plugin-socket.ts';

function abstractServer(): Promise<{ server: Server; name: string; connection: Promise<Socket> }> {
  const name = `jindr_test_${randomBytes(6).toString('hex')}`;
  let accept!: (s: Socket) => void;
  const connection = new Promise<Socket>((resolve) => (accept = resolve));
  const server = createServer(accept);
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen('\0' + name, () => resolve({ server, name, connection }));
  });
}

test('connects to @name, and calls back once the CLI closes the connection', async (t) => {
  const { server, name, connection } = await abstractServer();
  t.teardown(() => server.close());
  let closed = 0;
  const done = new Promise<void>((resolve) => {
    watchPluginSocket({ DOCKER_CLI_PLUGIN_SOCKET: '@' + name }, () => {
      closed += 1;
      resolve();
    });
  });
  const socket = await connection;
  t.is(closed, 0);
  socket.end();
  await done;
  t.is(closed, 1);
});

test('no socket named: nothing happens; a socket that is not there: no false alarm', async (t) => {
  let closed = 0;
  t.is(
    watchPluginSocket({}, () => (closed += 1)),
    undefined,
  );
  const socket = watchPluginSocket(
    { DOCKER_CLI_PLUGIN_SOCKET: '@jindr_nobody_listens_' + randomBytes(6).toString('hex') },
    () => (closed += 1),
  );
  // The attempt ends (refused, then closed) without a call: waited for, not slept on.
  await new Promise((resolve) => (socket!.closed ? resolve(undefined) : socket!.once('close', resolve)));
  t.is(closed, 0);
});
