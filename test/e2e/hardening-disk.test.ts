// A full disk or an unwritable data directory: `start -d` on a tiny tmpfs filled to the
// brim, or on a read-only tmpfs / bind mount, is refused before any container exists;
// `cp` to a registry whose storage (a 1 MB tmpfs) fills up mid-copy says the registry's
// storage is full and leaves no tag. Mounting needs root, as CI runs.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { e2e, freePort, registryImages, startTestRegistry } from '../helpers/engine.ts';
import { pushRandomImage } from '../helpers/images.ts';
import { docker, errorLine, jindr, run, type RunResult } from '../helpers/run.ts';

async function mustRun(file: string, args: string[]): Promise<void> {
  const r = await run(file, args);
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')}: ${r.stderr}`);
}

/** A directory with a file system of its own mounted on it, unmounted (and removed) after the test. */
async function mounted(t: ExecutionContext, args: (dir: string) => string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-mount-'));
  await mustRun('mount', args(dir));
  t.teardown(async () => {
    await run('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** A 64 KiB tmpfs with no byte left. */
async function fullDisk(t: ExecutionContext): Promise<string> {
  const dir = await mounted(t, (d) => ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', d]);
  // Fill it: writes fail with ENOSPC once it is full.
  try {
    for (let i = 0; i < 64; i++) writeFileSync(join(dir, `fill-${i}`), Buffer.alloc(4096, 1));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  t.throws(() => writeFileSync(join(dir, 'one-more'), Buffer.alloc(4096)), { code: 'ENOSPC' });
  return dir;
}

async function startOn(t: ExecutionContext, data: string): Promise<{ result: RunResult; name: string }> {
  const port = await freePort();
  const name = `jindr-disk-${port}-${Math.random().toString(36).slice(2, 8)}`;
  t.teardown(async () => {
    await docker(['rm', '-f', '-v', name]);
  });
  const result = await jindr(['-r', `localhost:${port}`, 'start', '-d', data, '-n', name, '--image', 'registry:3'], { timeoutMs: 60_000 });
  return { result, name };
}

async function exists(name: string): Promise<boolean> {
  return (await docker(['inspect', name])).code === 0;
}

for (const [what, sub] of [
  ['the full disk itself', ''],
  ['a directory to create on it', 'registry/data'],
] as const) {
  e2e(`start -d on a full disk (${what}): refused, no container`, async (t) => {
    const disk = await fullDisk(t);
    const data = sub ? join(disk, sub) : disk;
    const { result, name } = await startOn(t, data);
    t.is(
      errorLine(t, result, 1),
      `docker-jindr: cannot use ${data} as the registry's data directory: no space left on the device; choose another with -d DIR`,
    );
    t.false(await exists(name));
  });
}

e2e('start -d on a read-only tmpfs: refused, no container', async (t) => {
  const ro = await mounted(t, (d) => ['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', d]);
  for (const data of [ro, join(ro, 'data')]) {
    const { result, name } = await startOn(t, data);
    t.is(
      errorLine(t, result, 1),
      `docker-jindr: cannot use ${data} as the registry's data directory: the file system is read-only; choose another with -d DIR`,
    );
    t.false(await exists(name));
  }
});

e2e('start -d on a read-only bind mount of a writable directory: refused, nothing written', async (t) => {
  const source = mkdtempSync(join(tmpdir(), 'jindr-ro-source-'));
  t.teardown(() => rmSync(source, { recursive: true, force: true }));
  mkdirSync(join(source, 'registry'));
  const ro = await mounted(t, (d) => ['--bind', source, d]);
  await mustRun('mount', ['-o', 'remount,ro,bind', ro]);
  const data = join(ro, 'registry');
  const { result, name } = await startOn(t, data);
  t.is(
    errorLine(t, result, 1),
    `docker-jindr: cannot use ${data} as the registry's data directory: the file system is read-only; choose another with -d DIR`,
  );
  t.false(await exists(name));
  t.deepEqual(readdirSync(join(source, 'registry')), []);
});

for (const image of registryImages) {
  e2e(`${image}: cp to a registry whose storage fills up: "its storage is full", no tag`, async (t) => {
    const src = await startTestRegistry({ image });
    t.teardown(() => src.remove());
    const dst = await startTestRegistry({ image, tmpfs: { target: '/var/lib/registry', bytes: 1024 * 1024 } });
    t.teardown(() => dst.remove());
    // 3 x 600 kB of random bytes: more than the 1 MB the destination has.
    await pushRandomImage(src.host, 'big', 'v1', { layers: 3, layerSize: 600_000 });
    const result = await jindr(['-r', src.host, 'cp', '-q', '-j', '1', 'big:v1', dst.host], { timeoutMs: 120_000 });
    const line = errorLine(t, result, 1);
    t.regex(
      line,
      new RegExp(
        `^docker-jindr: ${dst.host} answered 500 \\(internal server error\\) to (POST|PUT|PATCH) /v2/big/blobs/uploads/\\S*: its storage is full \\(no space left on device\\): free some space there, then try again \\(.*\\)$`,
      ),
    );
    // What the copy says of its own unfinished uploads matches the data the storage holds:
    // a PATCH the full disk cut leaves a session distribution will not cancel (its location is
    // older than its data). Cancelled sessions lose their data (a 108-byte hash state stays,
    // rewritten by 2.8.2 itself), and POSTs answered 500 leave an empty startedat.
    const left = Number(/(\d+) more stays?/.exec(line)?.[1] ?? /this copy's (\d+) unfinished uploads? stays?/.exec(line)?.[1] ?? 0);
    t.regex(
      line,
      left > 0
        ? /`docker jindr gc --grace 0s` removes (it|them) from a registry docker-jindr runs\)$/
        : /this copy cancelled its \d+ unfinished uploads? there\)$/,
    );
    const sessions = await docker([
      'exec',
      dst.name,
      'find',
      '/var/lib/registry/docker/registry/v2/repositories',
      '-path',
      '*/_uploads/*/data',
    ]);
    t.is(sessions.stdout.split('\n').filter((l) => l !== '').length, left, sessions.stdout);
    const tags = await fetch(`http://${dst.host}/v2/big/tags/list`);
    t.true(tags.status === 404 || ((await tags.json()) as { tags: string[] | null }).tags === null, 'no tag');
  });
}
