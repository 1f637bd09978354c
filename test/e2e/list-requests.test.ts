// What `lsi` asks a real registry (its --debug request lines): no GET /v2/ (a loopback
// registry says whether it is a mirror in its answer to the catalog, the first request),
// `lsi -q` reads the catalog and the
// tag lists only; a second `lsi` HEADs each tag and fetches nothing it
// has seen (the cache in $XDG_CACHE_HOME); after a push it fetches only the new image. lsi
// also asks the referrers API for the first image: a registry without it no more.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { e2e, registryImages, startTestRegistry, type TestRegistry } from '../helpers/engine.ts';
import { pushArchy, pushRandomImage } from '../helpers/images.ts';
import { jindr, jsonLines } from '../helpers/run.ts';

const cleanups: Array<() => unknown> = [];
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** The requests of a --debug run, as "METHOD /path" (the kind of each: catalog, tags, manifests, blobs). */
function requests(stderr: string): string[] {
  return [...stderr.matchAll(/^debug: (GET|HEAD|POST|PUT|DELETE) https?:\/\/[^/]+(\/\S*) -> \d{3}/gm)].map((m) => `${m[1]} ${m[2]}`);
}

/** Each request's kind; the one GET /v2/ that asks a loopback registry whether it is a mirror is left out. */
const kinds = (lines: string[]) =>
  lines
    .filter((l) => l !== 'GET /v2/')
    .map((l) => l.replace(/\/v2\/.*\/(manifests|blobs|tags|referrers)\/.*$/, '/v2/*/$1').replace(/\/v2\/_catalog.*/, '/v2/_catalog'));

for (const image of registryImages) {
  e2e(`${image}: lsi -q reads tag lists only; a second lsi HEADs every tag and fetches only what is new`, async (t) => {
    const reg: TestRegistry = await startTestRegistry({ image });
    cleanups.push(() => reg.remove());
    const home = mkdtempSync(join(tmpdir(), 'jindr-list-cache-'));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    const env = { ...process.env, XDG_CACHE_HOME: home };
    await pushArchy(reg.host, { tag: 'v1' });
    await pushRandomImage(reg.host, 'app', 'v1', { layers: 1 });
    await pushRandomImage(reg.host, 'app', 'v2', { layers: 1 });
    const lsi = (...args: string[]) => jindr(['-r', reg.host, '-D', 'lsi', ...args], { env });

    const quiet = await lsi('-q');
    t.is(quiet.code, 0, quiet.stderr);
    t.deepEqual(quiet.stdout.trim().split('\n'), [`${reg.host}/app:v1`, `${reg.host}/app:v2`, `${reg.host}/archy:v1`]);
    t.deepEqual([...new Set(kinds(requests(quiet.stderr)))].sort(), ['GET /v2/*/tags', 'GET /v2/_catalog']);
    t.is(kinds(requests(quiet.stderr))[0], 'GET /v2/_catalog', 'the catalog first, no GET /v2/ before it');
    t.false(requests(quiet.stderr).includes('GET /v2/'), 'the catalog answer says the registry is no mirror');

    const first = await lsi('--format', 'json');
    t.is(first.code, 0, first.stderr);
    t.false(kinds(requests(first.stderr)).includes('HEAD /v2/*/manifests'), 'nothing known yet: one GET per tag');
    const second = await lsi('--format', 'json');
    t.is(second.code, 0, second.stderr);
    t.deepEqual(jsonLines(second.stdout), jsonLines(first.stdout));
    // The referrers API: asked for the first image; a registry without it (404) is asked no more,
    // one with it once per image (three here).
    const apiStatus = /^debug: GET \S+\/referrers\/\S+ -> (\d{3})/m.exec(second.stderr)?.[1];
    const referrerAsks = apiStatus === '200' ? 3 : 1;
    t.deepEqual(kinds(requests(second.stderr)).sort(), [
      ...Array<string>(referrerAsks).fill('GET /v2/*/referrers'),
      'GET /v2/*/tags',
      'GET /v2/*/tags',
      'GET /v2/_catalog',
      'HEAD /v2/*/manifests',
      'HEAD /v2/*/manifests',
      'HEAD /v2/*/manifests',
    ]);

    const pushed = await pushRandomImage(reg.host, 'app', 'v2', { layers: 1 });
    const third = await lsi('--format', 'json');
    t.is(third.code, 0, third.stderr);
    const rows = jsonLines<{ repository: string; tag: string; digest: string }>(third.stdout);
    t.is(rows.find((r) => r.repository === 'app' && r.tag === 'v2')?.digest, pushed.digest);
    t.deepEqual(
      requests(third.stderr)
        .filter(
          (r) => r.startsWith('GET') && r !== 'GET /v2/' && !r.includes('/tags/') && !r.includes('_catalog') && !r.includes('/referrers/'),
        )
        .sort(),
      [`GET /v2/app/blobs/${pushed.config.digest}`, `GET /v2/app/manifests/${pushed.digest}`],
    );
  });
}
