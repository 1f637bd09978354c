// One client per registry host: grouped in the order hosts first appear, opened one at a
// time, and closed even when the work on a host fails.
import test from 'ava';
import type { RegistryClient } from '../../src/registry/client.ts';
import { forEachHost, groupByHost, type OpenClient } from '../../src/registry/per-host.ts';

/** An opener whose clients only record being opened and closed. */
function recorder(): { open: OpenClient; log: string[] } {
  const log: string[] = [];
  const open: OpenClient = (host) => {
    log.push(`open ${host}`);
    return { host, close: async () => void log.push(`close ${host}`) } as unknown as RegistryClient;
  };
  return { open, log };
}

const items = [
  { registry: 'b:1', n: 1 },
  { registry: 'a:1', n: 2 },
  { registry: 'b:1', n: 3 },
];

test('items are grouped by host, hosts in the order they first appear', (t) => {
  t.deepEqual(
    [...groupByHost(items)].map(([host, group]) => [host, group.map((i) => i.n)]),
    [
      ['b:1', [1, 3]],
      ['a:1', [2]],
    ],
  );
  t.is(groupByHost([]).size, 0);
});

test('one client per host, each closed before the next opens; results joined in host order', async (t) => {
  const { open, log } = recorder();
  const results = await forEachHost(open, items, async (client, group, host) => {
    log.push(`work ${host} ${group.map((i) => i.n).join(',')}`);
    t.is(client.host, host);
    return group.map((i) => `${host}#${i.n}`);
  });
  t.deepEqual(results, ['b:1#1', 'b:1#3', 'a:1#2']);
  t.deepEqual(log, ['open b:1', 'work b:1 1,3', 'close b:1', 'open a:1', 'work a:1 2', 'close a:1']);
});

test('a failure on one host closes its client and stops before the next host', async (t) => {
  const { open, log } = recorder();
  await t.throwsAsync(
    forEachHost(open, items, async (_client, _group, host) => {
      throw new Error(`failed on ${host}`);
    }),
    { message: 'failed on b:1' },
  );
  t.deepEqual(log, ['open b:1', 'close b:1']);
});
