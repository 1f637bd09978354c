// `cp --all-tags` / `cp --tags REGEX` through the real executable between real registry
// containers, and within one. What each run asked of the destination is read from the
// destination container's own access log (every request it served, with its query), so
// "a tag the destination already has costs one request" is counted where it is paid.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { e2e, registryImages, startTestRegistry, type TestRegistry } from '../helpers/engine.ts';
import { buildRandomImage, pushArchy, pushImageManifest, pushRandomImage } from '../helpers/images.ts';
import { docker, jindr, jsonLines, pluginBinary, run, errorLine, type RunResult } from '../helpers/run.ts';

const cache = mkdtempSync(join(tmpdir(), 'jindr-copy-tags-'));
test.after.always(() => rmSync(cache, { recursive: true, force: true }));
// A cache of its own: no blob location remembered from another test's copies.
const env = { ...process.env, XDG_CACHE_HOME: cache };
const cp = (...args: string[]): Promise<RunResult> => jindr(args, { env, timeoutMs: 180_000 });

async function registry(t: ExecutionContext, image?: string): Promise<TestRegistry> {
  const r = await startTestRegistry({ image });
  t.teardown(() => r.remove());
  return r;
}

interface Served {
  method: string;
  uri: string;
  status: number;
}

/** Every request the registry container served so far, in order (its access log, common log format). */
async function served(r: TestRegistry): Promise<Served[]> {
  const { stdout, stderr } = await docker(['logs', r.name]);
  return [...`${stdout}\n${stderr}`.matchAll(/^\S+ - \S+ \[[^\]]+\] "([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3}) /gm)].map((m) => ({
    method: m[1]!,
    uri: m[2]!,
    status: Number(m[3]),
  }));
}

/** The requests the registry serves while fn runs (the log grows only). */
async function during(r: TestRegistry, fn: () => Promise<void>): Promise<Served[]> {
  const before = (await served(r)).length;
  await fn();
  return (await served(r)).slice(before);
}

const ask = (s: Served) => `${s.method} ${s.uri}`;
const writes = (log: Served[]) => log.filter((s) => s.method !== 'GET' && s.method !== 'HEAD');
/** Blobs whose upload was committed (PUT ...?digest=): each blob sent. */
const committed = (log: Served[]) =>
  log
    .filter((s) => s.method === 'PUT' && s.status === 201)
    .flatMap((s) => /[?&]digest=([^&]+)/.exec(s.uri)?.[1] ?? [])
    .map(decodeURIComponent);

async function skopeoDigest(reference: string): Promise<string> {
  const result = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reference}`]);
  if (result.code !== 0) throw new Error(`skopeo inspect ${reference}: ${result.stderr}`);
  return 'sha256:' + createHash('sha256').update(result.stdout).digest('hex');
}

async function tagsAt(host: string, repository: string): Promise<string[]> {
  const response = await fetch(`http://${host}/v2/${repository}/tags/list`);
  if (response.status === 404) return [];
  return (((await response.json()) as { tags: string[] | null }).tags ?? []).sort();
}

interface Row {
  tag: string;
  status: string;
  digest: string;
  bytes: number;
  source: string;
  destination: string;
}

for (const image of registryImages) {
  e2e(`${image}: --tags and --all-tags copy the matching tags; a tag already there costs one HEAD and uploads nothing`, async (t) => {
    const src = await registry(t, image);
    const dst = await registry(t, image);
    const archy = await pushArchy(src.host, { tag: 'v1.0' });
    const v11 = await pushRandomImage(src.host, 'archy', 'v1.1', { layers: 2 });
    const v2 = await pushRandomImage(src.host, 'archy', 'v2.0', { layers: 1 });
    await pushImageManifest(src.host, 'archy', 'latest', v2); // an alias: same digest, second tag
    await pushRandomImage(src.host, 'archy', 'v1.10-rc', { layers: 1 });
    const digests: Record<string, string> = { 'v1.0': archy.digest, 'v1.1': v11.digest, 'v2.0': v2.digest, latest: v2.digest };

    // Bad command lines: one line each, exit 2, nothing asked of the registries.
    t.regex(
      errorLine(t, await cp('-r', src.host, 'cp', 'archy', dst.host, '--tags', 'v1('), 2),
      /^docker-jindr: --tags "v1\(" is not a regular expression/,
    );
    t.regex(
      errorLine(t, await cp('-r', src.host, 'cp', 'archy', dst.host, 'v1.0', '--all-tags'), 2),
      /^docker-jindr: --all-tags chooses the tags/,
    );
    t.regex(errorLine(t, await cp('-r', src.host, 'cp', 'archy:v1.0', dst.host, '--all-tags'), 2), /name the repository without :tag/);
    t.regex(errorLine(t, await cp('-r', src.host, 'cp', 'archy', dst.host, '--all-tags', '--tags', 'v.*'), 2), /not both/);
    t.deepEqual(await tagsAt(dst.host, 'archy'), []);

    // --dry-run: the rows, and not one write at the destination. Anchored: v1.10-rc is not v1\.\d+.
    let dry: RunResult | undefined;
    const dryLog = await during(dst, async () => {
      dry = await cp('-r', src.host, 'cp', 'archy', dst.host, '--tags', 'v1\\.\\d+|latest', '--dry-run', '--format', 'json');
    });
    t.is(dry?.code, 0, dry?.stderr);
    const dryRows = jsonLines<Row>(dry!.stdout);
    t.deepEqual(
      dryRows.map((r) => [r.tag, r.status, r.digest]),
      ['latest', 'v1.0', 'v1.1'].map((tag) => [tag, 'would copy', digests[tag]]),
    );
    const size = (m: { config: { size: number }; layers: { size: number }[] }) => m.config.size + m.layers.reduce((a, l) => a + l.size, 0);
    t.is(
      dryRows.find((r) => r.tag === 'v1.0')?.bytes,
      archy.manifests.reduce((a, m) => a + size(m), 0),
    );
    t.is(dryRows.find((r) => r.tag === 'v1.1')?.bytes, size(v11));
    t.regex(dry!.stderr, /dry run: 3 tags to copy .*nothing was copied/);
    t.deepEqual(writes(dryLog), [], 'a dry run writes nothing');
    t.deepEqual(await tagsAt(dst.host, 'archy'), []);

    // --tags copies what it matches, and only that.
    const some = await cp('-r', src.host, 'cp', 'archy', dst.host, '--tags', 'v1\\.\\d+', '--format', 'json');
    t.is(some.code, 0, some.stderr);
    t.deepEqual(
      jsonLines<Row>(some.stdout).map((r) => [r.tag, r.status, r.destination]),
      [
        ['v1.0', 'copied', `${dst.host}/archy:v1.0`],
        ['v1.1', 'copied', `${dst.host}/archy:v1.1`],
      ],
    );
    t.deepEqual(await tagsAt(dst.host, 'archy'), ['v1.0', 'v1.1']);

    // --all-tags: the two there cost a HEAD each; the alias shares its blobs with v2.0.
    const all = await cp('-r', src.host, 'cp', 'archy', dst.host, '--all-tags', '--format', 'json');
    t.is(all.code, 0, all.stderr);
    t.deepEqual(
      jsonLines<Row>(all.stdout).map((r) => [r.tag, r.status]),
      [
        ['latest', 'copied'],
        ['v1.0', 'present'],
        ['v1.1', 'present'],
        ['v1.10-rc', 'copied'],
        ['v2.0', 'copied'],
      ],
    );
    t.regex(all.stderr, /^\[5\/5\] .*archy:v2\.0: copied/m, 'progress: tags done of all');
    for (const [tag, digest] of Object.entries(digests)) t.is(await skopeoDigest(`${dst.host}/archy:${tag}`), digest, tag);
    for (const m of archy.manifests) t.is(await skopeoDigest(`${dst.host}/archy@${m.digest}`), m.digest);

    // Again: every tag is there. The destination serves one request per tag, a HEAD of it, and nothing
    // else; the source its tag list and a HEAD per tag (both counted in their own access logs).
    const sourceBefore = (await served(src)).length;
    let again: RunResult | undefined;
    const warm = await during(dst, async () => {
      again = await cp('-r', src.host, 'cp', '-q', 'archy', dst.host, '--all-tags');
    });
    const sourceWarm = (await served(src)).slice(sourceBefore);
    t.is(again?.code, 0, again?.stderr);
    const tags = ['latest', 'v1.0', 'v1.1', 'v1.10-rc', 'v2.0'];
    t.deepEqual(
      warm.map(ask).sort(),
      tags.map((tag) => `HEAD /v2/archy/manifests/${tag}`),
    );
    t.deepEqual(sourceWarm.map(ask).sort(), ['GET /v2/archy/tags/list?n=1000', ...tags.map((tag) => `HEAD /v2/archy/manifests/${tag}`)]);
    t.is(again?.stdout, tags.map((tag) => `${dst.host}/archy:${tag}\n`).join(''));
  });
}

e2e('cp --all-tags within one registry, --to another repository: every tag, blobs mounted, nothing uploaded', async (t) => {
  const reg = await registry(t);
  const archy = await pushArchy(reg.host, { tag: 'v1' });
  const v2 = await pushRandomImage(reg.host, 'archy', 'v2', { layers: 2 });
  let result: RunResult | undefined;
  const log = await during(reg, async () => {
    result = await cp('-r', reg.host, 'cp', 'archy', '--to', `${reg.host}/archy-mirror`, '--all-tags');
  });
  t.is(result?.code, 0, result?.stderr);
  t.regex(result!.stdout, /^TAG\s+STATUS\s+DIGEST\s+SIZE\s+DESTINATION\n/);
  t.regex(result!.stderr, /tags: 2 copied, 0 present; blobs: 0 copied \(0B\), 7 mounted/);
  t.deepEqual(
    writes(log).filter((s) => s.method === 'PATCH' || (s.method === 'PUT' && s.uri.includes('/blobs/'))),
    [],
    'no blob uploaded',
  );
  t.is(await skopeoDigest(`${reg.host}/archy-mirror:v1`), archy.digest);
  t.is(await skopeoDigest(`${reg.host}/archy-mirror:v2`), v2.digest);
  // The same repository as source and destination: a usage error.
  const same = await cp('-r', reg.host, 'cp', 'archy', '--to', `${reg.host}/archy`, '--all-tags');
  t.regex(errorLine(t, same, 2), /source and destination are the same/);
});

e2e('cp --all-tags interrupted (SIGINT) mid-way, run again: finishes, no blob sent twice, every tag identical', async (t) => {
  const src = await registry(t, registryImages[1]);
  const dst = await registry(t, registryImages[0]);
  const TAGS = ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8'];
  const pushed: Record<string, string> = {};
  for (const tag of TAGS) {
    const m = buildRandomImage({ layers: 2, layerSize: 12_000_000 });
    await pushImageManifest(src.host, 'big', tag, m);
    pushed[tag] = m.digest;
  }
  const before = (await served(dst)).length;
  const child = spawn(pluginBinary, ['-r', src.host, 'cp', '-j', '1', 'big', dst.host, '--all-tags'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let ended = false;
  void exit.then(() => (ended = true));
  // The condition: two tags written at the destination (the third under way).
  while (!ended && (await tagsAt(dst.host, 'big')).length < 2);
  t.false(ended, `the copy ended before it could be interrupted: ${stderr}`);
  child.kill('SIGINT');
  t.is(await exit, 130, stderr);
  const first = (await served(dst)).slice(before);
  const doneTags = await tagsAt(dst.host, 'big');
  t.true(doneTags.length >= 2 && doneTags.length < TAGS.length, `interrupted mid-way: ${doneTags.join(' ')}`);
  const sentFirst = committed(first);

  let again: RunResult | undefined;
  const second = await during(dst, async () => {
    again = await cp('-r', src.host, 'cp', 'big', dst.host, '--all-tags', '--format', 'json');
  });
  t.is(again?.code, 0, again?.stderr);
  const rows = jsonLines<Row>(again!.stdout);
  t.deepEqual(
    rows.filter((r) => r.status === 'present').map((r) => r.tag),
    doneTags,
    'the tags the first run wrote are present',
  );
  t.deepEqual(
    rows.filter((r) => r.status === 'copied').map((r) => r.tag),
    TAGS.filter((tag) => !doneTags.includes(tag)),
  );
  const sentTwice = committed(second).filter((d) => sentFirst.includes(d));
  t.deepEqual(sentTwice, [], 'no blob the first run finished is sent again');
  t.true(sentFirst.length >= 2 * 2, `the first run sent blobs: ${sentFirst.length}`);
  for (const tag of TAGS) t.is(await skopeoDigest(`${dst.host}/big:${tag}`), pushed[tag]!, tag);
});
