// Disk usage of a storage area walked from Node counts what du counts.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { diskUsage, storageSize } from '../../src/storage/sizes.ts';
import type { RegistryContainer } from '../../src/server/container.ts';

test('diskUsage agrees with du -sk and does not follow symlinks', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-du-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'a/b'), { recursive: true });
  writeFileSync(join(dir, 'a/b/blob'), Buffer.alloc(100_000, 1));
  writeFileSync(join(dir, 'small'), 'x');
  symlinkSync('/usr', join(dir, 'link'));
  const du = Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0]) * 1024;
  const walked = await diskUsage(dir);
  t.is(walked, du);
  t.true(walked >= 100_000);
});

test("storageSize leaves out the mirrors kept in the area's mirrors directory, and nothing else called so", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-du-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const put = (path: string, bytes: number): void => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), Buffer.alloc(bytes, 1));
  };
  put('docker/registry/v2/blobs/sha256/aa/aa/data', 100_000);
  put('docker/registry/v2/repositories/mirrors/_layers/link', 50_000); // a repository named mirrors
  put('mirrors/docker.io/docker/registry/v2/blobs/sha256/bb/bb/data', 400_000);
  put('mirrors/docker.io/config.yml', 100);
  const du = (path: string): number => Number(execFileSync('du', ['-sk', path], { encoding: 'utf8' }).split('\t')[0]) * 1024;
  const registry = { storage: { kind: 'bind', path: dir }, running: false } as unknown as RegistryContainer;
  const size = await storageSize({} as Docker, registry, true);
  t.is(size, du(dir) - du(join(dir, 'mirrors')));
  t.true(size! >= 150_000 && size! < 400_000, `${size}`);
  // The mirror's own area has no mirrors directory: all of it counts.
  const mirror = { storage: { kind: 'bind', path: join(dir, 'mirrors/docker.io') }, running: false } as unknown as RegistryContainer;
  t.is(await storageSize({} as Docker, mirror, true), du(join(dir, 'mirrors/docker.io')));
});
