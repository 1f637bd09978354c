// What commands print, from the rows their services return: inspect's rows and layer
// sharing, lsi's short ids and warnings, rmi/rmr's Docker words, stat's line, start's line.
import test from 'ava';
import type Docker from 'dockerode';
import type { Context } from '../../../src/cli/context.ts';
import { printImages } from '../../../src/cli/output/images.ts';
import { shortDigest } from '../../../src/human-format.ts';
import { printInspected } from '../../../src/cli/output/inspect.ts';
import { printRemovals, printRepositoryDeletions } from '../../../src/cli/output/removals.ts';
import { printStarted } from '../../../src/cli/output/started.ts';
import { printStatus } from '../../../src/cli/output/status.ts';
import type { TagSummary } from '../../../src/registry/images.ts';
import { parseLocalRegistry } from '../../../src/server/address.ts';
import { describeContainer } from '../../../src/server/container.ts';

/** A Context that records what is printed (stdout) and noted (stderr). */
function recording(format: 'table' | 'json' = 'table') {
  const out: string[] = [];
  const err: string[] = [];
  const ctx = {
    format,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    info: (m: string) => err.push(m),
  } as unknown as Context;
  return { ctx, out: () => out.join(''), err };
}

const D = (c: string): string => `sha256:${c.repeat(64)}`;
const layer = (c: string, size: number) => ({ digest: D(c), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size });

const index: TagSummary = {
  repository: 'app',
  tag: 'v1',
  digest: D('a'),
  mediaType: 'application/vnd.oci.image.index.v1+json',
  kind: 'index',
  platforms: ['linux/amd64'],
  size: 300,
  entries: [
    {
      platform: 'linux/amd64',
      kind: 'image',
      digest: D('b'),
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: 300,
      layers: [layer('1', 100), layer('2', 200)],
    },
    { platform: 'linux/arm64', kind: 'image', digest: D('c'), mediaType: 'application/vnd.oci.image.manifest.v1+json', error: 'missing' },
  ],
};

test('inspect --layers: the index, a row per platform, a row per layer with how many other tags share it', (t) => {
  const { ctx, out } = recording();
  printInspected(
    ctx,
    [{ registry: 'localhost:5001', repository: 'app', tag: 'v1', summary: index, sharedWith: new Map([[D('1'), 2]]) }],
    true,
  );
  const lines = out()
    .trimEnd()
    .split('\n')
    .map((l) => l.split(/\s{3,}/));
  t.deepEqual(lines[0], ['IMAGE', 'TAG', 'PLATFORM', 'DIGEST', 'SIZE', 'SHARED WITH']);
  t.deepEqual(lines[1], ['localhost:5001/app', 'v1', '(index)', D('a'), '300B']);
  t.deepEqual(lines[2], ['', 'linux/amd64', D('b'), '300B']);
  t.deepEqual(lines[3], ['', 'layer 1', D('1'), '100B', '2']);
  t.deepEqual(lines[4], ['', 'layer 2', D('2'), '200B', '0']);
  t.deepEqual(lines[5], ['', 'linux/arm64 (missing)', D('c')]);
});

test('inspect --format json: one object per image, layers with sharedWith', (t) => {
  const { ctx, out } = recording('json');
  printInspected(
    ctx,
    [{ registry: 'localhost:5001', repository: 'app', tag: 'v1', summary: index, sharedWith: new Map([[D('1'), 2]]) }],
    true,
  );
  const lines = out().trimEnd().split('\n');
  t.is(lines.length, 1, 'one line per image');
  const [image] = lines.map((l) => JSON.parse(l)) as Array<{ image: string; platforms: Array<{ layers?: Array<{ sharedWith: number }> }> }>;
  t.is(image!.image, 'localhost:5001/app');
  t.deepEqual(
    image!.platforms[0]!.layers!.map((l) => l.sharedWith),
    [2, 0],
  );
  t.is(image!.platforms[1]!.layers, undefined);
});

test("lsi: Docker's 12-digit image id, an unreadable tag warned about, -q prints references", (t) => {
  t.is(shortDigest(D('f')), 'f'.repeat(12));
  const rows = [
    { registry: 'localhost:5001', ...index },
    {
      registry: 'localhost:5001',
      repository: 'app',
      tag: 'bad',
      digest: '',
      mediaType: '',
      kind: 'image' as const,
      platforms: [],
      size: 0,
      entries: [],
      error: 'not a manifest',
    },
  ];
  const table = recording();
  printImages(table.ctx, rows, false);
  t.deepEqual(table.err, ['warning: localhost:5001/app:bad: not a manifest']);
  t.regex(table.out(), new RegExp(`^localhost:5001/app\\s+v1\\s+${'a'.repeat(12)}\\s+linux/amd64\\s+N/A\\s+300B$`, 'm'));
  t.regex(table.out(), /^localhost:5001\/app\s+bad\s+\?\s+\(unreadable\)\s+N\/A\s+\?$/m);
  const quiet = recording();
  printImages(quiet.ctx, rows, true);
  t.is(quiet.out(), 'localhost:5001/app:v1\nlocalhost:5001/app:bad\n');
});

test("rmi and rmr say what went in Docker's words", (t) => {
  const { ctx, out } = recording();
  printRemovals(ctx, [
    { registry: 'r:1', repository: 'app', tag: 'v1', action: 'untagged', digest: D('a'), alsoRemovedTags: [] },
    { registry: 'r:1', repository: 'app', tag: 'v2', action: 'deleted', digest: D('b'), alsoRemovedTags: ['v3'] },
  ]);
  printRepositoryDeletions(ctx, [
    { registry: 'r:1', repository: 'web', manifests: 1, storageRemoved: true },
    { registry: 'r:1', repository: 'db', manifests: 3, storageRemoved: false },
  ]);
  t.is(
    out(),
    `Untagged: r:1/app:v1\nUntagged: r:1/app:v2\nUntagged: r:1/app:v3\nDeleted: r:1/app@${D('b')}\nDeleted: r:1/web (1 manifest)\nDeleted: r:1/db (3 manifests)\n`,
  );
});

function container(running: boolean): ReturnType<typeof describeContainer> {
  return describeContainer({
    Id: 'abc',
    Name: '/jindr-5650',
    Created: '2026-01-01T00:00:00Z',
    State: { Status: running ? 'running' : 'exited', Running: running },
    Config: { Image: 'registry:3', Cmd: [], Entrypoint: [], Labels: { 'jindr.registry': 'localhost:5650' }, Env: [], Tty: false },
    HostConfig: { PortBindings: { '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: '5650' }] } },
    NetworkSettings: { Ports: {} },
    Mounts: [{ Type: 'bind', Source: '/data/jindr', Destination: '/var/lib/registry' }],
  } as unknown as Docker.ContainerInspectInfo);
}

test('stat: running, stopped, or none with the hint naming -r (left out for the default)', (t) => {
  const address = parseLocalRegistry('localhost:5650');
  const lines = [
    { address, container: container(true), security: { auth: true, authMethod: 'htpasswd', tls: false } },
    { address, container: container(false) },
    { address },
    { address: parseLocalRegistry('localhost:5001') },
  ].map((status) => {
    const { ctx, out } = recording();
    printStatus(ctx, status);
    return out();
  });
  t.deepEqual(lines, [
    'localhost:5650: running as jindr-5650 (registry:3, data in /data/jindr, htpasswd)\n',
    'localhost:5650: not running (container jindr-5650 is exited)\n',
    'localhost:5650: no registry (start one with: docker jindr -r localhost:5650 start)\n',
    'localhost:5001: no registry (start one with: docker jindr start)\n',
  ]);
});

test('start: what it did in one line; options a running registry ignores are a note naming -r', (t) => {
  const address = parseLocalRegistry('localhost:5650');
  const plan = {} as never;
  const created = recording();
  printStarted(created.ctx, address, { outcome: 'created', container: container(true), ignored: [], plan });
  t.is(created.out(), 'registry created and started as jindr-5650 on localhost:5650 (registry:3, data in /data/jindr)\n');
  const running = recording();
  printStarted(running.ctx, address, { outcome: 'already-running', container: container(true), ignored: ['-d /x'], plan });
  t.is(running.out(), 'registry already running as jindr-5650 on localhost:5650\n');
  t.deepEqual(running.err, ['note: -d /x not applied to the running container: stop it first (docker jindr -r localhost:5650 stop)']);
});
