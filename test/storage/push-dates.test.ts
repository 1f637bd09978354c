// Push times from the tag links' modification times: the script run with this machine's
// sh on a real storage tree, and the parser on busybox stat's output.
import test from 'ava';
import { parsePushDates, readPushDates } from '../../src/storage/push-dates.ts';
import { localExec, storageTree } from '../helpers/storage-tree.ts';

test('parsePushDates: nanoseconds kept to the millisecond, time zones applied, nested repositories', (t) => {
  const out = [
    '2026-11-30 08:44:46.546440781 +0000 ./app/_manifests/tags/v1/current/link',
    '2026-11-30 09:44:46.5 +0100 ./team/app/_manifests/tags/latest/current/link',
    '2026-11-30 08:44:47 +0000 ./app/_manifests/tags/v1.0_rc-1/current/link',
    'stat: cannot stat ...',
    '',
  ].join('\n');
  const dates = parsePushDates(out);
  t.deepEqual([...dates.keys()], ['app', 'team/app']);
  t.deepEqual(Object.fromEntries(dates.get('app')!), { v1: '2026-11-30T08:44:46.546Z', 'v1.0_rc-1': '2026-11-30T08:44:47.000Z' });
  t.deepEqual(Object.fromEntries(dates.get('team/app')!), { latest: '2026-11-30T08:44:46.500Z' });
});

test("readPushDates: each tag link's modification time, from a real tree", async (t) => {
  const tree = storageTree(t);
  tree.tag('app', 'v1', 'sha256:aa', new Date('2025-01-02T03:04:05.625Z'));
  tree.tag('app', 'v2', 'sha256:bb', new Date('2025-06-01T00:00:00.000Z'));
  tree.tag('team/app', 'latest', 'sha256:aa', new Date('2024-12-31T23:59:59.125Z'));
  const dates = await readPushDates(localExec, tree.root);
  t.deepEqual(Object.fromEntries(dates.get('app')!), { v1: '2025-01-02T03:04:05.625Z', v2: '2025-06-01T00:00:00.000Z' });
  t.deepEqual(Object.fromEntries(dates.get('team/app')!), { latest: '2024-12-31T23:59:59.125Z' });
});

test('readPushDates: the pruned trees (layers, uploads, revisions, tag indexes) never hide a repository or tag of the same name', async (t) => {
  const tree = storageTree(t);
  const when = new Date('2025-03-04T05:06:07.000Z');
  for (const repo of ['index', 'revisions', 'team/index', 'index/revisions/app']) {
    tree.tag(repo, 'index', 'sha256:aa', when);
    tree.tag(repo, 'revisions', 'sha256:aa', when);
    tree.manifest(repo, { n: repo }); // a revision to prune
  }
  const dates = await readPushDates(localExec, tree.root);
  t.deepEqual([...dates.keys()].sort(), ['index', 'index/revisions/app', 'revisions', 'team/index']);
  for (const tags of dates.values()) t.deepEqual(Object.fromEntries(tags), { index: when.toISOString(), revisions: when.toISOString() });
});

test('readPushDates: no repositories yet, or no storage at all, is no dates', async (t) => {
  const tree = storageTree(t);
  t.is((await readPushDates(localExec, tree.root)).size, 0);
  t.is((await readPushDates(localExec, `${tree.root}/nowhere`)).size, 0);
});

test('readPushDates: a container without stat is an error, not an empty answer', async (t) => {
  const exec = async () => ({ exitCode: 0, stdout: Buffer.alloc(0), stderr: 'find: stat: not found\n' });
  await t.throwsAsync(readPushDates(exec, '/var/lib/registry'), { message: /reading push times .* failed: find: stat: not found/ });
});
