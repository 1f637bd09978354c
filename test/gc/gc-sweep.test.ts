// The blob sweep: the registry's collection is asked with --dry-run only, and of what it
// lists, only the blobs the plan allows go, with their layer links. Run on a real tree
// with this machine's sh; the registry's answer is the one 2.8 and 3.x print.
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { listStorage } from '../../src/storage/storage-listing.ts';
import type { Exec } from '../../src/server/container-exec.ts';
import { parseEligible, sweepBlobs } from '../../src/gc/gc-sweep.ts';

const hexOf = (c: string) => c.repeat(64);
const A = `sha256:${hexOf('a')}`;
const B = `sha256:${hexOf('b')}`;
const C = `sha256:${hexOf('c')}`;
const M = `sha256:${hexOf('d')}`;

// What `registry garbage-collect --dry-run` prints (3.x adds the layer-link lines).
const dryRunOutput = (eligible: string[]) =>
  [
    'app',
    `app: marking manifest ${M} `,
    `app: marking blob ${M}`,
    '',
    `1 blobs marked, ${eligible.length} blobs and 0 manifests eligible for deletion`,
    ...eligible.map((d) => `blob eligible for deletion: ${d}`),
    ...eligible.map((d) => `app: layer link eligible for deletion: ${d}`),
    '',
  ].join('\n');

test('parseEligible: the blobs, not the layer links or the marking', (t) => {
  t.deepEqual([...parseEligible(dryRunOutput([A, B]))].sort(), [A, B]);
  t.deepEqual([...parseEligible('0 blobs marked, 0 blobs and 0 manifests eligible for deletion\n')], []);
});

function tree(t: { teardown(fn: () => void): void }, withRepositories: boolean): string {
  const root = mkdtempSync(join(tmpdir(), 'jindr-sweep-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const put = (path: string, content: string) => {
    const full = join(root, 'docker/registry/v2', path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  };
  for (const d of [A, B, C, M]) put(`blobs/sha256/${d.slice(7, 9)}/${d.slice(7)}/data`, d);
  if (withRepositories) {
    for (const d of [A, B, C]) {
      put(`repositories/app/_layers/sha256/${d.slice(7)}/link`, d);
      put(`repositories/team/app/_layers/sha256/${d.slice(7)}/link`, d);
    }
  }
  return root;
}

/**
 * This machine's sh and tools, with a `registry` program first on PATH that records its
 * arguments and answers as the registry's dry run does (or fails with `failure`).
 */
function execWithRegistry(t: { teardown(fn: () => void): void }, eligible: string[], seen: string[][], failure?: string): Exec {
  const bin = mkdtempSync(join(tmpdir(), 'jindr-sweep-bin-'));
  t.teardown(() => rmSync(bin, { recursive: true, force: true }));
  writeFileSync(join(bin, 'answer'), failure ?? dryRunOutput(eligible));
  const log = join(bin, 'log');
  writeFileSync(
    join(bin, 'registry'),
    `#!/bin/sh\nprintf 'registry %s\\n' "$*" >> '${log}'\n${failure ? `cat '${join(bin, 'answer')}' >&2; exit 1` : `cat '${join(bin, 'answer')}'`}\n`,
    { mode: 0o755 },
  );
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
  return (cmd) =>
    new Promise((resolve) => {
      execFile(cmd[0]!, cmd.slice(1), { encoding: 'buffer', env }, (err, stdout, stderr) => {
        if (existsSync(log))
          seen.splice(
            0,
            seen.length,
            ...readFileSync(log, 'utf8')
              .trim()
              .split('\n')
              .map((l) => l.split(' ')),
          );
        resolve({ exitCode: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr: stderr.toString() });
      });
    });
}

const blobDir = (root: string, d: string) => join(root, 'docker/registry/v2/blobs/sha256', d.slice(7, 9), d.slice(7));
const link = (root: string, repo: string, d: string) => join(root, 'docker/registry/v2/repositories', repo, '_layers/sha256', d.slice(7));

test('sweepBlobs deletes what the registry lists AND the plan allows, with its layer links; asks only with --dry-run', async (t) => {
  const root = tree(t, true);
  const seen: string[][] = [];
  const exec = execWithRegistry(t, [A, B], seen);
  const listing = await listStorage(exec, root);
  // B: unreferenced but young (not allowed); C: allowed but the registry does not list it.
  const sweep = await sweepBlobs(exec, root, '/etc/distribution/config.yml', listing, [A, C]);
  t.deepEqual(seen, [['registry', 'garbage-collect', '--dry-run', '/etc/distribution/config.yml']]);
  t.deepEqual(sweep, { deleted: [A], notListed: [C], leftAlone: [] });
  t.false(existsSync(blobDir(root, A)));
  t.false(existsSync(link(root, 'app', A)));
  t.false(existsSync(link(root, 'team/app', A)));
  for (const d of [B, C, M]) t.true(existsSync(join(blobDir(root, d), 'data')), d);
  for (const d of [B, C]) for (const repo of ['app', 'team/app']) t.true(existsSync(link(root, repo, d)), `${repo} ${d}`);
});

test('sweepBlobs on a storage nothing was pushed to: the repositories directory the collection needs is made', async (t) => {
  const root = tree(t, false);
  const exec = execWithRegistry(t, [A], []);
  const listing = await listStorage(exec, root);
  const sweep = await sweepBlobs(exec, root, '/c.yml', listing, [A]);
  t.deepEqual(sweep.deleted, [A]);
  t.true(existsSync(join(root, 'docker/registry/v2/repositories')));
});

test("sweepBlobs fails with the registry's last line when its collection fails, and deletes nothing", async (t) => {
  const root = tree(t, true);
  const failing = execWithRegistry(t, [], [], 'time="x" level=info\nfailed to garbage collect: boom\n');
  const listing = await listStorage(failing, root);
  await t.throwsAsync(sweepBlobs(failing, root, '/c.yml', listing, [A]), {
    message: 'registry garbage-collect --dry-run failed (exit 1): failed to garbage collect: boom',
  });
  t.true(existsSync(join(blobDir(root, A), 'data')));
});

test('sweepBlobs: a repositories directory that cannot be made is named, and the collection is not asked', async (t) => {
  const root = tree(t, false);
  const seen: string[][] = [];
  const exec = execWithRegistry(t, [A], seen);
  const listing = await listStorage(exec, root);
  // A file where the directory should be: mkdir -p fails.
  writeFileSync(join(root, 'docker/registry/v2/repositories'), '');
  await t.throwsAsync(sweepBlobs(exec, root, '/c.yml', listing, [A]), {
    message: /^preparing the registry storage failed in the registry container: mkdir: .*repositories/,
  });
  t.deepEqual(seen, []);
  t.true(existsSync(join(blobDir(root, A), 'data')));
});
