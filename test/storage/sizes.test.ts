// Disk usage of a storage area walked from Node counts what du counts.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diskUsage } from '../../src/storage/sizes.ts';

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
