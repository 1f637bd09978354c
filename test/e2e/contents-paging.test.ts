// More than one default page (100) of repositories and of tags: the predecessor listed
// only the first 100 repositories; ls and lsi must list every one.
import { e2e, registryImages, startTestRegistry } from '../helpers/engine.ts';
import { buildRandomImage, pushImageManifest, pushManifestBytes } from '../helpers/images.ts';
import { jindr, pluginBinary, run, jsonLines } from '../helpers/run.ts';

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

const REPOS = 130;
const TAGS = 140;

for (const image of registryImages) {
  e2e(`${image}: ls and lsi list more than 100 repositories and more than 100 tags`, async (t) => {
    const reg = await startTestRegistry({ image });
    t.teardown(() => reg.remove());
    const h = reg.host;
    const m = buildRandomImage({ layers: 0 });
    const repos = Array.from({ length: REPOS }, (_, i) => `many/r${String(i).padStart(3, '0')}`);
    await inBatches(repos, 16, (repo) => pushImageManifest(h, repo, 'v1', m));
    const tags = Array.from({ length: TAGS }, (_, i) => `t${i}`);
    await inBatches(tags, 16, (tag) => pushManifestBytes(h, 'many/r000', tag, m));

    const ls = await jindr(['-r', h, 'ls', '-q']);
    t.is(ls.code, 0, ls.stderr);
    t.deepEqual(
      ls.stdout.trim().split('\n'),
      repos.map((r) => `${h}/${r}`),
    );

    const lsi = await jindr(['-r', h, 'lsi', '-q', 'many/r000']);
    t.is(lsi.code, 0, lsi.stderr);
    const expectedTags = ['v1', ...tags].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    t.deepEqual(
      lsi.stdout.trim().split('\n'),
      expectedTags.map((tag) => `${h}/many/r000:${tag}`),
    );

    const all = await jindr(['-r', h, 'lsi', '--format', 'json']);
    t.is(all.code, 0, all.stderr);
    t.is(jsonLines(all.stdout).length, REPOS + TAGS);
    t.true(all.stdout.length > 65536, 'more than a pipe buffer of output');

    // A reader slower than the plugin (jq on a busy machine): nothing may be cut off at exit.
    const slow = await run('sh', ['-c', '"$0" -r "$1" lsi --format json | (sleep 1; cat)', pluginBinary, h]);
    t.is(slow.code, 0, slow.stderr);
    t.is(slow.stdout, all.stdout);
  });
}
