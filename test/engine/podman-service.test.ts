// Finding Podman's service by the unix socket it listens on (/proc/net/unix), to have it
// read registries.conf again. The SIGHUP itself is seen working in test/e2e/podman.test.ts.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reloadPodmanService, socketInodes } from '../../src/engine/podman-service.ts';

const table = [
  'Num       RefCount Protocol Flags    Type St Inode Path',
  '000000004d183e7a: 00000002 00000000 00010000 0001 01 1148281 /tmp/pm/podman.sock',
  '0000000021ab77c0: 00000003 00000000 00000000 0001 03 1150001',
  '000000009f3e1c11: 00000002 00000000 00010000 0001 01 1149999 /run/podman/podman.sock',
  '000000009f3e1c12: 00000002 00000000 00010000 0001 01 1150002 /tmp/with space/podman.sock',
  '000000009f3e1c13: 00000002 00000000 00010000 0001 01 1150003 @docker_cli_abc',
].join('\n');

test('the listening sockets bound to a path, by inode', (t) => {
  t.deepEqual([...socketInodes(table, '/tmp/pm/podman.sock')], ['1148281']);
  t.deepEqual([...socketInodes(table, '/run/podman/podman.sock')], ['1149999']);
  t.deepEqual([...socketInodes(table, '/tmp/with space/podman.sock')], ['1150002']);
  t.deepEqual([...socketInodes(table, '/tmp/pm')], []);
  t.deepEqual([...socketInodes('', '/tmp/pm/podman.sock')], []);
});

test("a socket held by anything but podman (here: this test's node) is not signalled", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-podman-sock-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'podman.sock');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  t.teardown(() => server.close());
  t.deepEqual(reloadPodmanService(path), { notFound: true });
  t.deepEqual(reloadPodmanService(join(dir, 'nobody.sock')), { notFound: true });
});
