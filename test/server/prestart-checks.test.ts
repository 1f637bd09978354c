// Checks before `start` creates anything: the data directory and the port.
import test from 'ava';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { checkPortFree, prepareDataDir, resolveDataDir } from '../../src/server/prestart-checks.ts';
import { parseLocalRegistry } from '../../src/server/address.ts';
import { ResourceError } from '../../src/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'jindr-checks-'));
test.after.always(() => rmSync(root, { recursive: true, force: true }));

test('data directories: ~, relative and absolute', (t) => {
  t.is(resolveDataDir('~/.jindr', { HOME: '/home/u' }), '/home/u/.jindr');
  t.is(resolveDataDir('~', { HOME: '/home/u' }), '/home/u');
  t.is(resolveDataDir('data', {}, '/work'), '/work/data');
  t.is(resolveDataDir('/abs/../x', {}), '/x');
});

test('a missing data directory is created, with its parents, and left empty', (t) => {
  const dir = join(root, 'a/b/c');
  prepareDataDir(dir);
  t.true(existsSync(dir));
  t.deepEqual(readdirSync(dir), []);
  prepareDataDir(dir); // again: fine
});

const unusable: [string, () => string, RegExp][] = [
  ['under /proc', () => '/proc/jindr-test-data', /nothing can be created there/],
  [
    'under a file',
    () => {
      writeFileSync(join(root, 'file'), '');
      return join(root, 'file/data');
    },
    /is a file/,
  ],
  [
    'a file itself',
    () => {
      writeFileSync(join(root, 'file2'), '');
      return join(root, 'file2');
    },
    /not a directory/,
  ],
  ['that cannot hold files (/proc/self)', () => '/proc/self', /nothing can be created there/],
];
for (const [title, path, reason] of unusable) {
  test(`a data directory ${title} is refused in one line`, (t) => {
    const dir = path();
    const err = t.throws(() => prepareDataDir(dir), { instanceOf: ResourceError });
    t.regex(err.message, reason);
    t.true(err.message.startsWith(`cannot use ${dir} as the registry's data directory: `));
    t.true(err.message.endsWith('choose another with -d DIR'));
  });
}

function fakeDocker(ports: { name: string; IP: string; PublicPort: number }[]): Docker {
  return {
    listContainers: async () =>
      ports.map((p) => ({
        Id: 'id',
        Names: [`/${p.name}`],
        Ports: [{ IP: p.IP, PrivatePort: 80, PublicPort: p.PublicPort, Type: 'tcp' }],
      })),
  } as unknown as Docker;
}

function listen(host: string): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, host, () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

test('a port published by a container is taken, naming the container', async (t) => {
  const address = parseLocalRegistry('localhost:7777');
  const err = await t.throwsAsync(checkPortFree(fakeDocker([{ name: 'web', IP: '0.0.0.0', PublicPort: 7777 }]), address, false), {
    instanceOf: ResourceError,
  });
  t.is(err.message, 'port 7777 is taken by the container web: choose another port with -r localhost:PORT');
  // Another loopback address or another port is no clash.
  await t.notThrowsAsync(
    checkPortFree(
      fakeDocker([
        { name: 'x', IP: '127.0.0.2', PublicPort: 7777 },
        { name: 'y', IP: '127.0.0.1', PublicPort: 7778 },
      ]),
      address,
      false,
    ),
  );
});

test('a port something on this machine listens on is taken (local engine only)', async (t) => {
  for (const host of ['127.0.0.1', '0.0.0.0']) {
    const { server, port } = await listen(host);
    const address = parseLocalRegistry(`localhost:${port}`);
    await t.throwsAsync(checkPortFree(fakeDocker([]), address, true), {
      instanceOf: ResourceError,
      message: /already in use by another program/,
    });
    await t.notThrowsAsync(checkPortFree(fakeDocker([]), address, false), 'a remote engine: our port says nothing');
    await new Promise((r) => server.close(r));
    await t.notThrowsAsync(checkPortFree(fakeDocker([]), address, true), 'free once closed');
  }
});
