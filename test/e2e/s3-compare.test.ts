// Every command that reads a registry says the same of one on S3 storage as of one on a file
// system (issue 22): the same images pushed byte for byte to both registries, both made by
// `up` (one with -d, one with --storage s3://... on moto's server), then ls, lsi (table and
// JSON, --all), inspect, du, prune --dry-run and gc --dry-run compared after the pushes,
// after rmi, after index create and add, after cp into each. Only the registry's name, its
// storage's name and times differ (test/helpers/s3-compare.ts says why). Then rmr, a real
// prune and a real gc on both (removal on S3: gc/s3-*.ts), compared the same way.
import type { ExecutionContext } from 'ava';
import { e2e } from '../helpers/engine.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { motoAvailable, startS3Server, type S3Server } from '../helpers/s3.ts';
import { upRegistry, type StartedRegistry } from '../helpers/s3-registries.ts';
import { sameOutputs, seed, type Seeded } from '../helpers/s3-compare.ts';

const cleanups = cleanupsAfterAll();
const test = motoAvailable() ? e2e : (e2e.skip as typeof e2e);
const BUCKET = 'jindr-compare';

/** What each command prints (exit code, stdout, stderr), keyed by its arguments. */
async function outputs(r: StartedRegistry, seeded: Seeded, extra: string[][] = []): Promise<Record<string, string>> {
  const commands = [
    ['ls'],
    ['ls', '--format', 'json'],
    ['lsi'],
    ['lsi', '--all'],
    ['lsi', '--format', 'json'],
    ['lsi', '--all', '--format', 'json'],
    ['lsi', 'team/app', 'solo'],
    ['inspect', '--format', 'json', 'multi:latest', 'team/app:v1', `team/app@${seeded.untagged.digest}`, 'solo:1.0'],
    ['inspect', 'team/app:v1'],
    ['inspect', '--layers', 'multi:latest'],
    ['du'],
    ['du', '--format', 'json'],
    ['du', 'team/app'],
    ['prune', '--keep', '1', '--grace', '0', '--dry-run'],
    ['prune', '--keep', '1', '--grace', '0', '--dry-run', '--format', 'json'],
    ['gc', '--grace', '0', '--dry-run'],
    ['gc', '--grace', '0', '--dry-run', '--format', 'json'],
    ...extra,
  ];
  const out: Record<string, string> = {};
  for (const args of commands) {
    const run = await r.jindr(...args);
    out[args.join(' ')] = `exit ${run.code}\n${run.stdout}\n${run.stderr}`;
  }
  return out;
}

async function compare(
  t: ExecutionContext,
  step: string,
  fs: StartedRegistry,
  s3: StartedRegistry,
  seeded: Seeded,
  extra: string[][] = [],
) {
  const [onFiles, onS3] = [await outputs(fs, seeded, extra), await outputs(s3, seeded, extra)];
  sameOutputs(t, step, { r: fs, outputs: onFiles }, { r: s3, outputs: onS3 });
  return onS3;
}

/** Runs `args` on both registries; both must succeed. */
async function onBoth(t: ExecutionContext, registries: StartedRegistry[], ...args: string[]): Promise<string[]> {
  return Promise.all(
    registries.map(async (r) => {
      const run = await r.jindr(...args);
      t.is(run.code, 0, `${args.join(' ')} on ${r.storage}: ${run.stderr}`);
      return run.stdout + run.stderr;
    }),
  );
}

interface Pair {
  fs: StartedRegistry;
  s3: StartedRegistry;
  both: StartedRegistry[];
  seeded: Seeded;
  server: S3Server;
}
let made: Promise<Pair> | undefined;

/** The two registries with the images pushed, made by the first test that needs them (each step is its own test: AVA's timeout is per test). */
function pair(): Promise<Pair> {
  return (made ??= (async () => {
    const server = await startS3Server();
    cleanups.push(() => server.stop());
    await server.createBucket(BUCKET);
    const [fs, s3] = await Promise.all([
      upRegistry(cleanups, server, { filesystem: true }),
      upRegistry(cleanups, server, { bucket: BUCKET, prefix: 'cmp' }),
    ]);
    return { fs, s3, both: [fs, s3], seeded: await seed([fs.host, s3.host]), server };
  })());
}

test('after the same pushes: ls, lsi, inspect, du, prune and gc dry runs say the same of S3 as of a file system', async (t) => {
  const { fs, s3, seeded } = await pair();
  const pushed = await compare(t, 'after the pushes', fs, s3, seeded);
  // Not two empty answers: what must be there.
  const all = Object.values(pushed).join('\n');
  for (const d of [seeded.app1, seeded.app2, seeded.untagged, seeded.solo, seeded.multi])
    t.true(all.includes(d.digest.slice(7, 19)), d.digest);
  t.regex(pushed['lsi --format json']!, /"team\/copy"/);
});

test("after rmi of a tag and of a repository's only tag: the same", async (t) => {
  const { fs, s3, both, seeded } = await pair();
  await onBoth(t, both, 'rmi', '-f', 'team/app:v2', 'solo:1.0');
  const removed = await compare(t, 'after rmi', fs, s3, seeded);
  // solo is left with no tags: listed, empty, not unknown.
  t.regex(removed['lsi team/app solo']!, /^exit 0\n/);
  t.regex(removed['du']!, /\nsolo\s+0B/);
});

test('after index create and index add: the same', async (t) => {
  const { fs, s3, both, seeded } = await pair();
  const children = seeded.multi.manifests.map((m) => `multi@${m.digest}`);
  await onBoth(t, both, 'index', 'create', 'team/idx:1', children[0]!);
  await onBoth(t, both, 'index', 'add', 'team/idx:1', children[1]!);
  const indexed = await compare(t, 'after index create and add', fs, s3, seeded, [['inspect', '--format', 'json', 'team/idx:1']]);
  t.regex(indexed['lsi']!, /team\/idx\s+1\s+\w{12}\s+linux\/amd64,linux\/arm64/);
});

test('after cp into each, from the registry on a file system and within each: the same', async (t) => {
  const { fs, s3, both, seeded } = await pair();
  // Into both at once, so that the tags' push times stay close.
  await Promise.all(both.map((r) => onBoth(t, [r], 'cp', `${fs.host}/team/app:v1`, '--to', `${r.host}/copied:v1`)));
  await Promise.all(both.map((r) => onBoth(t, [r], 'cp', 'multi:latest', '--to', `${r.host}/again/multi:latest`)));
  const copied = await compare(t, 'after cp', fs, s3, seeded, [['lsi', 'copied', 'again/multi']]);
  t.regex(copied['lsi copied again/multi']!, /copied\s+v1/);
  t.regex(copied['lsi copied again/multi']!, /again\/multi\s+latest/);
});

/**
 * Runs a removal on both registries and compares what it printed on stdout (its progress on
 * stderr says how each keeps writers out: a stopped container, a read-only window on S3),
 * then every output after it.
 */
async function removal(t: ExecutionContext, step: string, args: string[]): Promise<Record<string, string>> {
  const { fs, s3, both, seeded } = await pair();
  const printed = await Promise.all(
    both.map(async (r) => {
      const run = await r.jindr(...args);
      t.is(run.code, 0, `${args.join(' ')} on ${r.storage}: ${run.stderr}`);
      return run.stdout;
    }),
  );
  sameOutputs(t, step, { r: fs, outputs: { [args.join(' ')]: printed[0]! } }, { r: s3, outputs: { [args.join(' ')]: printed[1]! } });
  return compare(t, `after ${step}`, fs, s3, seeded);
}

test("rmr: the same, the repository's objects gone from the bucket", async (t) => {
  const { server } = await pair();
  const after = await removal(t, 'rmr', ['rmr', '-f', 'team/copy']);
  t.notRegex(after['ls']!, /team\/copy/);
  t.deepEqual(await server.listKeys(BUCKET, 'cmp/docker/registry/v2/repositories/team/copy/'), []);
});

test('a real prune, then a real gc: the same', async (t) => {
  const pruned = await removal(t, 'prune', ['prune', '--keep', '1', '--grace', '0', '-f']);
  t.regex(pruned['lsi']!, /team\/app/);
  const collected = await removal(t, 'gc', ['gc', '--grace', '0']);
  t.regex(collected['gc --grace 0 --dry-run']!, /nothing to collect/);
});
