// The registry's configuration read in the same exec as the first storage script
// (withConfigRead), on real files with this machine's sh: the script's output is exactly
// what it is alone, the configuration comes whole, and nothing more is run.
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Exec } from '../../src/server/container-exec.ts';
import { listStorage } from '../../src/storage/storage-listing.ts';
import { readPushDates } from '../../src/storage/push-dates.ts';
import { storageOf, withConfigRead } from '../../src/storage/storage-root.ts';
import { localExec, storageTree } from '../helpers/storage-tree.ts';

function counted(): { exec: Exec; calls: string[][] } {
  const calls: string[][] = [];
  return { calls, exec: (cmd) => (calls.push([...cmd]), localExec(cmd)) };
}

const CONFIG =
  'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /var/lib/registry\n  delete:\n    enabled: true\n# é, and no final newline';

test('the first storage script reads the configuration too, in the same exec; its own output unchanged; later runs are plain', async (t) => {
  const tree = storageTree(t);
  const m = tree.manifest('app', { schemaVersion: 2 });
  tree.tag('app', 'v1', m.digest);
  const config = join(tree.root, 'config.yml');
  writeFileSync(config, CONFIG);
  const { exec, calls } = counted();
  const once = withConfigRead(exec, config);
  const listing = await listStorage(once.exec, tree.root);
  t.is(await once.config(), CONFIG);
  t.is(calls.length, 1);
  t.deepEqual({ ...listing, times: undefined }, { ...(await listStorage(localExec, tree.root)), times: undefined });
  t.deepEqual(listing.repositories[0]?.tags.get('v1'), m.digest);
  t.deepEqual(await readPushDates(once.exec, tree.root), await readPushDates(localExec, tree.root));
  t.is(calls.length, 2);
  t.false(calls[1]!.includes(config), 'the configuration is read once');
  t.deepEqual(storageOf((await once.config()) ?? '', []), { driver: 'filesystem', root: '/var/lib/registry' });
});

test('an unreadable configuration is undefined, as a failed cat was; the script still answers', async (t) => {
  const tree = storageTree(t);
  tree.tag('app', 'v1', tree.manifest('app', { schemaVersion: 2 }).digest);
  const once = withConfigRead(localExec, join(tree.root, 'missing.yml'));
  const dates = await readPushDates(once.exec, tree.root);
  t.is(await once.config(), undefined);
  t.deepEqual([...(dates.get('app')?.keys() ?? [])], ['v1']);
});

test('a first command that is no storage script: the configuration is read with cat before it', async (t) => {
  const tree = storageTree(t);
  const config = join(tree.root, 'config.yml');
  writeFileSync(config, CONFIG);
  const { exec, calls } = counted();
  const once = withConfigRead(exec, config);
  const result = await once.exec(['echo', 'hello']);
  t.is(result.stdout.toString(), 'hello\n');
  t.is(await once.config(), CONFIG);
  t.deepEqual(calls, [
    ['cat', config],
    ['echo', 'hello'],
  ]);
});
