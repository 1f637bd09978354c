// The grace period: how it is said, and what a listing of a real directory tree (taken
// with this machine's sh, find, stat and date, as in the registry container) says is young.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_GRACE_MS, formatGrace, oldUploads, youngContent } from '../../src/storage/grace-period.ts';
import { listStorage } from '../../src/storage/storage-listing.ts';
import type { Exec } from '../../src/server/container-exec.ts';

test('formatGrace', (t) => {
  t.is(formatGrace(0), '0s');
  t.is(formatGrace(3_600_000), '1h');
  t.is(formatGrace(5_400_000), '1h30m');
  t.is(formatGrace(172_800_000), '2d');
  t.is(formatGrace(45_000), '45s');
});

const localExec: Exec = (cmd) =>
  new Promise((resolve) => {
    execFile(cmd[0]!, cmd.slice(1), { encoding: 'buffer' }, (err, stdout, stderr) => {
      resolve({ exitCode: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr: stderr.toString() });
    });
  });

const HOUR = 3600;

test('youngContent over a real storage tree: blobs, links, revisions and uploads by their mtime', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'jindr-grace-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const v2 = join(root, 'docker/registry/v2');
  const now = Date.now() / 1000;
  const file = (path: string, ageSeconds: number, content = 'x') => {
    const full = join(v2, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
    utimesSync(full, now - ageSeconds, now - ageSeconds);
  };
  const blob = (hex: string, age: number) => file(`blobs/sha256/${hex.slice(0, 2)}/${hex}/data`, age);
  blob('aa01000000000000000000000000000000000000000000000000000000000000', 2 * HOUR); // old, linked only by an old layer link
  blob('aa02000000000000000000000000000000000000000000000000000000000000', 2 * HOUR); // old data, but just linked into `busy` (a push found it there)
  blob('aa03000000000000000000000000000000000000000000000000000000000000', 60); // just uploaded
  blob('aa04000000000000000000000000000000000000000000000000000000000000', 2 * HOUR); // an old manifest, revision just written again in `app`
  blob('aa05000000000000000000000000000000000000000000000000000000000000', 2 * HOUR); // an old manifest
  file(
    'repositories/old/_layers/sha256/aa01000000000000000000000000000000000000000000000000000000000000/link',
    2 * HOUR,
    'sha256:aa01000000000000000000000000000000000000000000000000000000000000',
  );
  file(
    'repositories/busy/_layers/sha256/aa02000000000000000000000000000000000000000000000000000000000000/link',
    60,
    'sha256:aa02000000000000000000000000000000000000000000000000000000000000',
  );
  file(
    'repositories/app/_manifests/revisions/sha256/aa04000000000000000000000000000000000000000000000000000000000000/link',
    30,
    'sha256:aa04000000000000000000000000000000000000000000000000000000000000',
  );
  file(
    'repositories/app/_manifests/revisions/sha256/aa05000000000000000000000000000000000000000000000000000000000000/link',
    2 * HOUR,
    'sha256:aa05000000000000000000000000000000000000000000000000000000000000',
  );
  file('repositories/uploading/_uploads/11111111-1111-1111-1111-111111111111/startedat', 2 * HOUR);
  file('repositories/uploading/_uploads/11111111-1111-1111-1111-111111111111/data', 10);
  file('repositories/stale/_uploads/22222222-2222-2222-2222-222222222222/startedat', 3 * HOUR);
  file('repositories/stale/_uploads/22222222-2222-2222-2222-222222222222/data', 3 * HOUR);

  const listing = await listStorage(localExec, root);
  t.true(Math.abs(listing.times.now - now) < 60, 'now is the clock where the listing ran');
  const young = youngContent(listing, DEFAULT_GRACE_MS);
  t.deepEqual([...young.blobs].sort(), [
    'sha256:aa02000000000000000000000000000000000000000000000000000000000000',
    'sha256:aa03000000000000000000000000000000000000000000000000000000000000',
    'sha256:aa04000000000000000000000000000000000000000000000000000000000000',
  ]);
  t.deepEqual(Object.fromEntries([...young.manifests].map(([r, s]) => [r, [...s]])), {
    app: ['sha256:aa04000000000000000000000000000000000000000000000000000000000000'],
  });
  t.deepEqual([...young.busy].sort(), ['app', 'busy', 'uploading']);

  const none = youngContent(listing, 0);
  t.deepEqual([...none.blobs], [], 'with --grace 0 nothing is young');
  t.deepEqual([...none.busy], []);
  const wide = youngContent(listing, 4 * HOUR * 1000);
  t.is(wide.blobs.size, 5);
  t.deepEqual([...wide.busy].sort(), ['app', 'busy', 'old', 'stale', 'uploading']);

  // Upload sessions: gone once every file of theirs is older than the grace period.
  t.deepEqual(
    oldUploads(listing, DEFAULT_GRACE_MS).map((u) => `${u.repository} ${u.id} ${u.bytes}`),
    ['stale 22222222-2222-2222-2222-222222222222 2'],
  );
  t.deepEqual(oldUploads(listing, 4 * HOUR * 1000), []);
  t.is(oldUploads(listing, 0).length, 2);
});
