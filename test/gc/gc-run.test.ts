// collectGarbage against a fake engine: what happens to a running registry around the
// collection. The collection itself is tested end to end in test/e2e/gc.test.ts.
import test from 'ava';
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { describeContainer } from '../../src/server/container.ts';
import { collectGarbage } from '../../src/gc/gc-run.ts';
import { InterruptedError } from '../../src/errors.ts';
import { fakeExec, registryDetails } from '../fakes/engine.ts';

// One untagged manifest in a repository with no tags: there is something to collect.
const manifest = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}';
const hex = createHash('sha256').update(manifest).digest('hex');
// Written at `written` (seconds), listed at 100000.
const listingAt = (written: number) =>
  `N 100000\nR ./app/_manifests\nV ${written} ./app/_manifests/revisions/sha256/${hex}/link\n` +
  `B ${manifest.length} ${written} blobs/sha256/${hex.slice(0, 2)}/${hex}/data\n`;
const HOUR = 3_600_000;

function fakeEngine(onExec: (cmd: string[]) => number | void, listing = listingAt(1)) {
  const calls: string[] = [];
  const details = registryDetails({
    image: 'registry:3',
    mounts: [{ Type: 'bind', Source: '/d', Destination: '/var/lib/registry', Mode: '', RW: true, Propagation: 'rprivate' }],
  });
  const container = {
    inspect: async () => details,
    stop: async () => void calls.push('stop'),
    start: async () => void calls.push('start'),
    exec: async (options: { Cmd: string[] }) => {
      const exitCode = onExec(options.Cmd) ?? 0;
      const script = options.Cmd[2] ?? '';
      const stdout =
        options.Cmd[0] === 'cat' && options.Cmd.length === 2
          ? ''
          : script.includes('find')
            ? listing
            : script.includes('cat --')
              ? manifest
              : '';
      // A storage script that reads the configuration first (withConfigRead) gets its length and text (empty) first.
      return fakeExec({ exitCode, stdout: (script.startsWith('c=$1; shift') ? '0\n' : '') + stdout });
    },
  };
  const docker = {
    listContainers: async () => [],
    createContainer: async () => {
      calls.push('helper');
      return { id: 'helper', start: async () => {}, remove: async () => void calls.push('helper removed') };
    },
    getContainer: () => container,
  } as unknown as Docker;
  return { docker, calls, registry: describeContainer(details as unknown as Docker.ContainerInspectInfo) };
}

test('Ctrl-C while a running registry is being read: it is not stopped', async (t) => {
  const controller = new AbortController();
  const { docker, calls, registry } = fakeEngine((cmd) => {
    if ((cmd[2] ?? '').includes('find')) controller.abort(new InterruptedError());
  });
  await t.throwsAsync(
    collectGarbage(docker, registry, { dryRun: false, graceMs: HOUR, restart: true, local: false, signal: controller.signal }),
    { instanceOf: InterruptedError },
  );
  t.deepEqual(calls, [], 'no stop, no helper');
});

test('a running registry with garbage is stopped, collected by a helper, and started again', async (t) => {
  const { docker, calls, registry } = fakeEngine(() => {});
  const report = await collectGarbage(docker, registry, { dryRun: false, graceMs: HOUR, restart: true, local: false });
  t.deepEqual(report.repositories, ['app']);
  t.deepEqual(calls, ['stop', 'helper', 'helper removed', 'start']);
});

test('a collection that fails half-way still removes its helper and starts the registry again', async (t) => {
  const { docker, calls, registry } = fakeEngine((cmd) => ((cmd[2] ?? '').includes('rm -rf') ? 1 : 0));
  await t.throwsAsync(collectGarbage(docker, registry, { dryRun: false, graceMs: HOUR, restart: true, local: false }), {
    message: /^removing manifests and upload sessions failed in the registry container \(exit 1\)/,
  });
  t.deepEqual(calls, ['stop', 'helper', 'helper removed', 'start']);
});

test('what was written within the grace period is not garbage: the registry is not stopped', async (t) => {
  const { docker, calls, registry } = fakeEngine(() => {}, listingAt(100000 - 60));
  const report = await collectGarbage(docker, registry, { dryRun: false, graceMs: HOUR, restart: true, local: false });
  t.deepEqual(report.manifests, []);
  t.deepEqual(report.repositories, []);
  t.like(report.keptYoung, { manifests: 1, blobs: 0 });
  t.deepEqual(calls, []);
  const none = await collectGarbage(docker, registry, { dryRun: false, graceMs: 30_000, restart: true, local: false });
  t.deepEqual(none.repositories, ['app'], 'with a grace period of 30 s the same minute-old manifest goes');
});

test('a registry container docker jindr did not create is refused, and left alone', async (t) => {
  const { docker, calls, registry } = fakeEngine(() => {});
  const foreign = { ...registry, managed: false, name: 'plain-registry' };
  const err = await t.throwsAsync(collectGarbage(docker, foreign, { dryRun: false, graceMs: 0, restart: true, local: false }));
  t.is(
    err?.message,
    'the registry container plain-registry was not created by docker jindr: gc would stop it, edit its storage and start it again; run gc --force to do it anyway',
  );
  t.deepEqual(calls, []);
  await collectGarbage(docker, foreign, { dryRun: false, graceMs: 0, force: true, restart: true, local: false });
  t.deepEqual(calls, ['stop', 'helper', 'helper removed', 'start']);
});
