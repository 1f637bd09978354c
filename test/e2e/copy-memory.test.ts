// The blob-location memory end to end (dist/docker-jindr cp, real registry containers):
// a second repository of the same destination gets every blob by a cross-repository
// mount; a stale memory (a repository that never held the blob, or was deleted) still
// copies correctly; two copies at once leave a valid file that knows both; a token
// registry is asked for the holder's pull and the target's push in one token request.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import test from 'ava';
import { e2e, registryImages, startTestRegistry, type TestRegistry } from '../helpers/engine.ts';
import { blobsOf, pushArchy, pushRandomImage } from '../helpers/images.ts';
import { docker, dockerOk, jindr, makeDockerConfig, run } from '../helpers/run.ts';
import { startTokenRegistry } from '../helpers/registry-containers.ts';
import { registryCacheFile } from '../../src/registry/cache-file.ts';

const cleanups: Array<() => unknown> = [];
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function registry(image?: string): Promise<TestRegistry> {
  const r = await startTestRegistry({ image });
  cleanups.push(() => r.remove());
  return r;
}

/** An environment whose cache directory is a fresh temporary one. */
function cacheEnv(): { env: NodeJS.ProcessEnv; dir: string } {
  const home = mkdtempSync(join(tmpdir(), 'jindr-cache-'));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  return { env: { ...process.env, XDG_CACHE_HOME: home }, dir: join(home, 'docker-jindr') };
}

function blobFile(cacheDir: string, host: string): { v: number; blobs: Record<string, [number, ...string[]]> } {
  return JSON.parse(readFileSync(registryCacheFile(cacheDir, 'blobs', host), 'utf8')) as {
    v: number;
    blobs: Record<string, [number, ...string[]]>;
  };
}

async function skopeoDigest(reference: string, creds?: string): Promise<string> {
  const result = await run('skopeo', [
    'inspect',
    '--raw',
    '--tls-verify=false',
    ...(creds ? ['--creds', creds] : []),
    `docker://${reference}`,
  ]);
  if (result.code !== 0) throw new Error(`skopeo inspect ${reference}: ${result.stderr}`);
  return 'sha256:' + createHash('sha256').update(result.stdout).digest('hex');
}

const summary = (stderr: string) => /blobs: (\d+) copied \([^)]*\), (\d+) mounted, (\d+) already there/.exec(stderr)?.slice(1).map(Number);

for (const image of registryImages) {
  e2e(`${image}: a second repository of the same destination gets every blob mounted from the first; the memory knows both`, async (t) => {
    const src = await registry(image);
    const dst = await registry(image);
    const img = await pushRandomImage(src.host, 'app', 'v1', { layers: 3, layerSize: 200_000 });
    const blobs = blobsOf(img).length;
    const { env, dir } = cacheEnv();
    const first = await jindr(['-r', src.host, 'cp', 'app:v1', '--to', `${dst.host}/first/app:v1`], { env });
    t.is(first.code, 0, first.stderr);
    t.deepEqual(summary(first.stderr), [blobs, 0, 0]);
    const second = await jindr(['-r', src.host, 'cp', 'app:v1', '--to', `${dst.host}/second/app:v1`], { env });
    t.is(second.code, 0, second.stderr);
    t.deepEqual(summary(second.stderr), [0, blobs, 0], 'every blob mounted, none sent');
    t.is(await skopeoDigest(`${dst.host}/second/app:v1`), img.digest);
    const memory = blobFile(dir, dst.host);
    t.is(memory.v, 1);
    for (const b of blobsOf(img)) t.deepEqual(memory.blobs[b.digest]?.slice(1), ['second/app', 'first/app']);
    // The source registry is remembered as well: its repository holds what its manifest names.
    for (const b of blobsOf(img)) t.deepEqual(blobFile(dir, src.host).blobs[b.digest]?.slice(1), ['app']);
  });
}

e2e('a stale memory costs a refused mount, never a wrong copy: a repository that never held the blobs, one deleted since', async (t) => {
  const src = await registry('registry:3');
  const dst = await registry('registry:3');
  const img = await pushRandomImage(src.host, 'app', 'v1', { layers: 2, layerSize: 100_000 });
  const { env, dir } = cacheEnv();
  const stale = Object.fromEntries(blobsOf(img).map((b) => [b.digest, [1, 'ghost']]));
  const file = registryCacheFile(dir, 'blobs', dst.host);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ v: 1, blobs: stale }));
  const ghost = await jindr(['-r', src.host, '-D', 'cp', 'app:v1', '--to', `${dst.host}/one:v1`], { env });
  t.is(ghost.code, 0, ghost.stderr);
  t.deepEqual(summary(ghost.stderr), [blobsOf(img).length, 0, 0]);
  t.is(
    ghost.stderr.match(/POST http:\/\/[^ ]+\/v2\/one\/blobs\/uploads\/ -> 202/g)?.length,
    blobsOf(img).length,
    'one refused mount per blob, its session used',
  );
  t.is(await skopeoDigest(`${dst.host}/one:v1`), img.digest);
  for (const b of blobsOf(img)) t.deepEqual(blobFile(dir, dst.host).blobs[b.digest]?.slice(1), ['one'], 'ghost forgotten');

  // The holder's repository deleted from the registry's storage behind its back.
  await dockerOk(['exec', dst.name, 'rm', '-rf', '/var/lib/registry/docker/registry/v2/repositories/one']);
  const after = await jindr(['-r', src.host, 'cp', 'app:v1', '--to', `${dst.host}/two:v1`], { env });
  t.is(after.code, 0, after.stderr);
  const [copied, mounted] = summary(after.stderr)!;
  t.is(copied! + mounted!, blobsOf(img).length);
  t.is(await skopeoDigest(`${dst.host}/two:v1`), img.digest);
  const pullDir = mkdtempSync(join(tmpdir(), 'jindr-pull-'));
  cleanups.push(() => rmSync(pullDir, { recursive: true, force: true }));
  const pulled = await run('skopeo', ['copy', '--src-tls-verify=false', `docker://${dst.host}/two:v1`, `dir:${pullDir}`]);
  t.is(pulled.code, 0, `every blob of the copy is readable: ${pulled.stderr}`);
});

e2e('two copies at once into one registry: both arrive, and the memory file is whole and knows both', async (t) => {
  const src = await registry();
  const dst = await registry();
  const img = await pushRandomImage(src.host, 'app', 'v1', { layers: 4, layerSize: 300_000 });
  const { env, dir } = cacheEnv();
  const results = await Promise.all(
    ['a', 'b'].map((r) => jindr(['-r', src.host, 'cp', '-q', 'app:v1', '--to', `${dst.host}/${r}:v1`], { env })),
  );
  for (const r of results) t.is(r.code, 0, r.stderr);
  for (const r of ['a', 'b']) t.is(await skopeoDigest(`${dst.host}/${r}:v1`), img.digest);
  const memory = blobFile(dir, dst.host);
  for (const b of blobsOf(img)) t.deepEqual([...memory.blobs[b.digest]!.slice(1)].sort(), ['a', 'b']);
  t.deepEqual(
    readdirSync(join(dir, 'blobs')).filter((f) => !f.endsWith('.json')),
    [],
    'no lock or temporary file left',
  );
});

e2e('token registry: the mount from a remembered holder asks one token for pull on the holder and push on the target', async (t) => {
  const password = 'Tk-' + Math.random().toString(36).slice(2);
  const src = await registry();
  const dst = await startTokenRegistry({ alice: password });
  cleanups.push(() => dst.remove());
  const config = makeDockerConfig();
  cleanups.push(() => config.cleanup());
  const login = await docker(['login', '-u', 'alice', '--password-stdin', dst.host], { env: config.env, input: password });
  t.is(login.code, 0, login.stderr);
  const index = await pushArchy(src.host, { tag: 'v1' });
  const { env } = cacheEnv();
  const both = { ...config.env, XDG_CACHE_HOME: env.XDG_CACHE_HOME };
  const first = await jindr(['-r', src.host, 'cp', 'archy:v1', '--to', `${dst.host}/first/archy:v1`], { env: both });
  t.is(first.code, 0, first.stderr);
  dst.tokens.requests.length = 0;
  const second = await jindr(['-r', src.host, 'cp', 'archy:v1', '--to', `${dst.host}/second/archy:v1`], { env: both });
  t.is(second.code, 0, second.stderr);
  t.deepEqual(summary(second.stderr), [0, blobsOf(index).length, 0]);
  t.true(
    dst.tokens.requests.some(
      (r) => r.scopes.includes('repository:second/archy:pull,push') && r.scopes.includes('repository:first/archy:pull'),
    ),
    JSON.stringify(dst.tokens.requests),
  );
  t.is(await skopeoDigest(`${dst.host}/second/archy:v1`, `alice:${password}`), index.digest);
});
