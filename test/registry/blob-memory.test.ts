// The blob-location memory and the cache files it lives in: where the files go, what
// they keep and for how long, and two processes writing one file at once.
import test from 'ava';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_DIGESTS, MAX_HOLDERS, RegistryBlobMemory } from '../../src/registry/blob-memory.ts';
import { cacheDirectory, keepRecent, registryCacheFile, updateCacheFile } from '../../src/registry/cache-file.ts';
import { repoRoot } from '../helpers/run.ts';

const digest = (i: number | string) => 'sha256:' + createHash('sha256').update(String(i)).digest('hex');

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-blob-memory-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the cache directory: $XDG_CACHE_HOME/docker-jindr when absolute, else ~/.cache/docker-jindr', (t) => {
  t.is(cacheDirectory({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' }), '/x/cache/docker-jindr');
  t.is(cacheDirectory({ XDG_CACHE_HOME: 'relative', HOME: '/home/u' }), '/home/u/.cache/docker-jindr');
  t.is(cacheDirectory({ HOME: '/home/u' }), '/home/u/.cache/docker-jindr');
});

test('one file per registry and kind, named readably, hosts that differ only in odd characters kept apart', (t) => {
  const a = registryCacheFile('/c', 'blobs', 'localhost:5001');
  t.regex(a, /^\/c\/blobs\/localhost_5001-[0-9a-f]{10}\.json$/);
  t.not(registryCacheFile('/c', 'blobs', '[::1]:5001'), registryCacheFile('/c', 'blobs', '[::1]_5001'));
  t.not(a, registryCacheFile('/c', 'manifests', 'localhost:5001'));
});

test('holders survive the process, the most recently seen first; a refused one is forgotten', async (t) => {
  const file = join(tempDir(t), 'blobs/r.json');
  const first = new RegistryBlobMemory(file);
  t.deepEqual(await first.holders(digest(1)), []);
  first.held(digest(1), 'a');
  first.held(digest(1), 'b');
  first.held(digest(2), 'a');
  t.deepEqual(await first.holders(digest(1)), ['b', 'a']);
  t.is(await first.save(), undefined);

  const second = new RegistryBlobMemory(file);
  t.deepEqual(await second.holders(digest(1)), ['b', 'a']);
  second.held(digest(1), 'c');
  second.stale(digest(1), 'b');
  t.deepEqual(await second.holders(digest(1)), ['c', 'a']);
  await second.save();
  t.deepEqual(await new RegistryBlobMemory(file).holders(digest(1)), ['c', 'a']);
  t.deepEqual(await new RegistryBlobMemory(file).holders(digest(2)), ['a']);
  // The last holder refused: the digest goes.
  const third = new RegistryBlobMemory(file);
  third.stale(digest(2), 'a');
  await third.save();
  const stored = JSON.parse(readFileSync(file, 'utf8')) as { blobs: Record<string, unknown> };
  t.false(digest(2) in stored.blobs);
  t.deepEqual(readdirSync(join(file, '..')), ['r.json'], 'no temporary or lock file left behind');
});

test('bounded: the most recently used digests, a few holders each', async (t) => {
  const file = join(tempDir(t), 'r.json');
  const old = new RegistryBlobMemory(file);
  for (let i = 0; i < MAX_DIGESTS; i++) old.held(digest(i), 'old');
  await old.save(Date.UTC(2026, 0, 1));
  const fresh = new RegistryBlobMemory(file);
  for (let i = 0; i < 10; i++) fresh.held(digest(`new${i}`), 'new');
  for (let i = 0; i < MAX_HOLDERS + 3; i++) fresh.held(digest('many'), `r${i}`);
  await fresh.save(Date.UTC(2026, 0, 2));
  const stored = JSON.parse(readFileSync(file, 'utf8')) as { blobs: Record<string, unknown[]> };
  t.is(Object.keys(stored.blobs).length, MAX_DIGESTS);
  for (let i = 0; i < 10; i++) t.truthy(stored.blobs[digest(`new${i}`)]);
  t.is(stored.blobs[digest('many')]!.length, 1 + MAX_HOLDERS);
  t.deepEqual(stored.blobs[digest('many')]!.slice(1, 3), [`r${MAX_HOLDERS + 2}`, `r${MAX_HOLDERS + 1}`]);
  t.is(
    keepRecent(
      new Map([
        ['a', [1] as [number]],
        ['b', [3] as [number]],
        ['c', [2] as [number]],
      ]),
      2,
    ).size,
    2,
  );
});

test('a corrupt or foreign file is ignored and replaced by a valid one', async (t) => {
  const file = join(tempDir(t), 'r.json');
  for (const content of ['{not json', '{"v":99,"blobs":{}}', '{"v":1,"blobs":{"sha256:zz":[1,"a"],"x":5}}']) {
    writeFileSync(file, content);
    const memory = new RegistryBlobMemory(file);
    t.deepEqual(await memory.holders(digest(1)), []);
    memory.held(digest(1), 'a');
    await memory.save();
    t.deepEqual(Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { blobs: object }).blobs), [digest(1)]);
  }
});

test('a cache that cannot be written costs nothing but the memory', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'file'), '');
  const memory = new RegistryBlobMemory(join(dir, 'file/below/r.json'));
  memory.held(digest(1), 'a');
  t.true((await memory.save()) instanceof Error);
  t.true((await updateCacheFile(join(dir, 'file/x.json'), () => ({}))) instanceof Error);
});

test('two processes saving at once: the file stays whole and keeps what both learned', async (t) => {
  const file = join(tempDir(t), 'blobs/r.json');
  const script = `
    import { RegistryBlobMemory } from ${JSON.stringify(join(repoRoot, 'src/registry/blob-memory.ts'))};
    import { createHash } from 'node:crypto';
    const [file, name] = process.argv.slice(1);
    for (let round = 0; round < 20; round++) {
      const m = new RegistryBlobMemory(file);
      for (let i = 0; i < 50; i++) m.held('sha256:' + createHash('sha256').update(name + round + '-' + i).digest('hex'), name);
      const err = await m.save();
      if (err) throw err;
    }`;
  const runOne = (name: string) =>
    new Promise<number>((resolve) =>
      spawn(process.execPath, ['--input-type=module', '-e', script, file, name], { stdio: 'inherit' }).on('close', (code) =>
        resolve(code ?? -1),
      ),
    );
  t.deepEqual(await Promise.all([runOne('one'), runOne('two'), runOne('three')]), [0, 0, 0]);
  const stored = JSON.parse(readFileSync(file, 'utf8')) as { v: number; blobs: Record<string, unknown[]> };
  t.is(stored.v, 1);
  t.is(Object.keys(stored.blobs).length, 3 * 20 * 50);
  t.deepEqual(readdirSync(join(file, '..')), ['r.json']);
});
