// What the reporting commands print, in the cases a user trips over: rmi of two tags of
// one digest, stop with nothing to collect, info's storage column within 120 columns,
// prune's counts, a warm copy, and the copy's result said once on a terminal.
import test from 'ava';
import type { Context } from '../../../src/cli/context.ts';
import { printRemovals } from '../../../src/cli/output/removals.ts';
import { printGcBeforeStop, printGcReport } from '../../../src/cli/output/gc-report.ts';
import { overviewColumns, printOverview, shortStorage } from '../../../src/cli/output/overview.ts';
import { printPruneReport } from '../../../src/cli/output/prune-report.ts';
import { showCopy } from '../../../src/cli/output/copy-report.ts';
import type { GcReport } from '../../../src/gc/gc-run.ts';
import type { RegistryOverview } from '../../../src/storage/overview.ts';
import type { PruneReport } from '../../../src/gc/prune-run.ts';

function recording(format = 'table', tty = false) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx = {
    format,
    env: { HOME: '/home/me' },
    stdout: { isTTY: tty, write: (s: string) => out.push(s) },
    stderr: { isTTY: tty, write: (s: string) => err.push(s) },
    info: (m: string) => err.push(m + '\n'),
  } as unknown as Context;
  return { ctx, out: () => out.join(''), err: () => err.join('') };
}

const D = (c: string): string => `sha256:${c.repeat(64)}`;

test('rmi of two tags of one digest (registry 2.x deletes by digest): each Untagged once, Deleted once', (t) => {
  const { ctx, out } = recording();
  printRemovals(ctx, [
    { registry: 'r:1', repository: 'app', tag: 'a', action: 'deleted', digest: D('b'), alsoRemovedTags: [] },
    { registry: 'r:1', repository: 'app', tag: 'b', action: 'deleted', digest: D('b'), alsoRemovedTags: [] },
    { registry: 'r:1', repository: 'web', tag: 'v1', action: 'untagged', digest: D('c'), alsoRemovedTags: [] },
  ]);
  t.is(out(), `Untagged: r:1/web:v1\nUntagged: r:1/app:a\nUntagged: r:1/app:b\nDeleted: r:1/app@${D('b')}\n`);
  const json = recording('json');
  printRemovals(json.ctx, [{ registry: 'r:1', repository: 'app', tag: 'a', action: 'deleted', digest: D('b'), alsoRemovedTags: ['b'] }]);
  t.deepEqual(JSON.parse(json.out()), {
    registry: 'r:1',
    repository: 'app',
    tag: 'a',
    action: 'deleted',
    digest: D('b'),
    alsoRemovedTags: ['b'],
  });
});

const gc = (over: Partial<GcReport> = {}): GcReport => ({
  orphanReferrers: [],
  registry: 'localhost:5001',
  container: 'jindr-5001',
  dryRun: false,
  manifests: [],
  repositories: [],
  blobs: 0,
  bytesFreed: 0,
  grace: '1h',
  keptYoung: { manifests: 0, blobs: 0, bytes: 0 },
  uploads: [],
  uploadBytes: 0,
  leftAlone: [],
  warnings: [],
  ...over,
});

test('stop: nothing collected says nothing; what was collected is counted in words', (t) => {
  const none = recording();
  printGcBeforeStop(none.ctx, gc());
  t.is(none.err(), '');
  const some = recording();
  printGcBeforeStop(
    some.ctx,
    gc({ manifests: [{ repository: 'app', digest: D('a') }], repositories: ['old', 'older'], blobs: 1, bytesFreed: 2048 }),
  );
  t.is(
    some.err(),
    `removed untagged manifest app@${D('a')}\nremoved repository old (no tags left)\nremoved repository older (no tags left)\ngarbage collected: 1 manifest, 2 repositories, 1 blob, 2.05kB freed\n`,
  );
});

test('gc: the table says removed or to remove; a template gets the same fields either way', (t) => {
  const dry = recording();
  printGcReport(dry.ctx, gc({ dryRun: true, blobs: 3 }));
  t.regex(dry.out(), /^MANIFESTS TO REMOVE\s+REPOSITORIES TO REMOVE\s+BLOBS TO REMOVE\s+SPACE TO FREE\n0\s+0\s+3\s+0B\n$/);
  const template = recording('{{.Blobs}} {{.Space}}');
  printGcReport(template.ctx, gc({ blobs: 3, bytesFreed: 5000 }));
  t.is(template.out(), '3 5.00kB\n');
});

const overview = (over: Partial<RegistryOverview>): RegistryOverview => ({
  registry: 'localhost:5001',
  container: 'jindr-5001',
  id: 'x',
  state: 'running',
  running: true,
  status: 'Up 2 hours',
  storageArea: '/home/me/.jindr',
  size: 2_170_000,
  image: 'registry:3',
  managed: true,
  mirrorOf: null,
  mirrorMode: null,
  auth: true,
  authMethod: 'htpasswd',
  tls: true,
  ...over,
});

test('info: a volume by its short name, a path under home with ~, an upstream by its host; registry rows fit 120 columns', (t) => {
  t.is(shortStorage(`volume ${'0123456789abcdef'.repeat(4)}`, '/home/me'), 'volume 0123456789ab');
  t.is(shortStorage('volume named-data', '/home/me'), 'volume named-data');
  t.is(shortStorage('/home/me/.jindr/mirrors/docker.io/data', '/home/me'), '~/.jindr/mirrors/docker.io/data');
  t.is(shortStorage('/home/meme/x', '/home/me'), '/home/meme/x');
  t.is(shortStorage('/srv/registry', undefined), '/srv/registry');
  const { ctx, out } = recording();
  printOverview(ctx, [
    overview({}),
    overview({
      registry: 'localhost:5003',
      container: 'jindr-5003',
      status: 'Exited (0) 2 days ago',
      storageArea: '/srv/jindr',
      auth: false,
      authMethod: null,
      tls: false,
    }),
    overview({
      registry: 'localhost:5613',
      container: 'plain-registry',
      storageArea: `volume ${'f'.repeat(64)}`,
      managed: false,
      image: 'registry:2',
      auth: null,
      tls: null,
    }),
  ]);
  const lines = out().trimEnd().split('\n');
  for (const line of lines) t.true(line.length <= 120, `${line.length}: ${line}`);
  t.regex(lines[0]!, /^REGISTRY\s+CONTAINER\s+STATUS\s+SECURITY\s+STORAGE AREA\s+SIZE\s+IMAGE$/, 'no MIRROR OF column without a mirror');
  t.regex(lines[1]!, /^localhost:5001\s+jindr-5001\s+Up 2 hours\s+htpasswd \+ TLS\s+~\/\.jindr\s+2\.17MB\s+registry:3$/);
  t.regex(lines[3]!, /volume ffffffffffff\s/);
  const mirror = recording();
  printOverview(mirror.ctx, [
    overview({ mirrorOf: 'https://registry-1.docker.io' }),
    overview({ mirrorOf: 'https://ghcr.io' }),
    overview({ mirrorOf: 'http://upstream:5000' }),
    overview({ mirrorOf: 'https://quay.io', mirrorMode: 'offline' }),
  ]);
  t.deepEqual(
    mirror
      .out()
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s{2,}/).at(-1)),
    ['docker.io', 'ghcr.io', 'http://upstream:5000', 'quay.io (offline)'],
  );
  t.deepEqual(
    overviewColumns(undefined).map((c) => c.header),
    ['REGISTRY', 'CONTAINER', 'STATUS', 'SECURITY', 'STORAGE AREA', 'SIZE', 'IMAGE', 'MIRROR OF'],
  );
  const json = recording('json');
  printOverview(json.ctx, [overview({ storageArea: `volume ${'f'.repeat(64)}`, mirrorOf: 'https://registry-1.docker.io' })]);
  t.like(
    JSON.parse(json.out()),
    { storageArea: `volume ${'f'.repeat(64)}`, mirrorOf: 'https://registry-1.docker.io' },
    'JSON keeps the full values',
  );
});

test('prune: counts in words (1 blob, 2 untagged manifests); a template gets one row per tag', (t) => {
  const report: PruneReport = {
    registry: 'localhost:5001',
    dryRun: false,
    cancelled: false,
    changed: [],
    manifests: 2,
    blobs: 1,
    bytes: 1000,
    tags: [
      { repository: 'app', tag: 'v1', digest: D('a'), sharedWith: [] },
      { repository: 'app', tag: 'v2', digest: D('b'), sharedWith: ['v3'] },
    ],
  };
  const text = recording();
  printPruneReport(text.ctx, report);
  t.regex(text.out(), /\nTotal reclaimed space: 1\.00kB \(2 untagged manifests, 1 blob\)\n$/);
  const template = recording('{{.Repository}}:{{.Tag}} {{.SharedWith}}');
  printPruneReport(template.ctx, report);
  t.is(template.out(), 'app:v1 \napp:v2 v3\n');
});

const copied = {
  images: [{ source: 'localhost:5001/app:v1', destination: 'r.example/app:v1', digest: D('a'), mediaType: 'x' }],
  blobs: { exists: 3, mounted: 0, copied: 0 },
  bytes: 0,
  referrers: [],
};

test('cp on a terminal: the result once (the table), not again in the progress', async (t) => {
  const tty = recording('table', true);
  await showCopy(tty.ctx, false, async (events) => {
    events.tagDone?.('r.example/app:v1', D('a'));
    return copied;
  });
  t.notRegex(tty.err(), /r\.example\/app:v1/);
  t.regex(tty.out(), /^SOURCE\s+DESTINATION\s+DIGEST\nlocalhost:5001\/app:v1\s+r\.example\/app:v1\s+sha256:a+\n$/);
  t.regex(tty.err(), /blobs: 0 copied \(0B\), 0 mounted, 3 already there/);
  const piped = recording('table', false);
  await showCopy(piped.ctx, false, async (events) => {
    events.tagDone?.('r.example/app:v1', D('a'));
    return copied;
  });
  t.regex(piped.err(), /^r\.example\/app:v1: sha256:a+$/m, 'piped, the progress log names each tag');
});
