// The page (`docker jindr ui`) says the same of a registry on S3 storage as of one on a file
// system (issue 22): the same images pushed byte for byte to both (test/helpers/s3-compare.ts),
// a repository's only tag removed (a repository left with no tags), then every JSON route
// the page reads (info, repositories, each repository's tags, each image, usage) and the
// page itself in chromium (the list, each repository, each image, disk usage) compared.
// Only the registry's name, its storage's name and times may differ (s3-compare.ts says why).
import type { ExecutionContext } from 'ava';
import { e2e } from '../helpers/engine.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { motoAvailable, startS3Server } from '../helpers/s3.ts';
import { upRegistry, type StartedRegistry } from '../helpers/s3-registries.ts';
import { sameOutputs, seed } from '../helpers/s3-compare.ts';
import { closeBrowserAfterAll, newPage, startUiProcess, type UiProcess } from '../helpers/ui-browser.ts';

const cleanups = cleanupsAfterAll();
closeBrowserAfterAll();
const test = motoAvailable() ? e2e : (e2e.skip as typeof e2e);
const BUCKET = 'jindr-compare-ui';

interface Views {
  repositories: string[];
  /** repository -> its tags' references (tag, or digest for a row without one). */
  images: [string, string][];
}

/** Every route the page reads, as JSON text, and what to open in the page. */
async function apiOutputs(ui: UiProcess): Promise<{ outputs: Record<string, string>; views: Views }> {
  const outputs: Record<string, string> = {};
  const get = async (path: string, query: Record<string, string> = {}): Promise<unknown> => {
    const body = await ui.api(path, query);
    outputs[`${path} ${new URLSearchParams(query)}`] = JSON.stringify(body, null, 1);
    return body;
  };
  await get('info');
  await get('usage');
  const { repositories } = (await get('repositories')) as { repositories: { name: string }[] };
  const images: [string, string][] = [];
  for (const { name } of repositories) {
    const { tags } = (await get('tags', { repository: name })) as { tags: { tag: string }[] };
    for (const { tag } of tags) {
      images.push([name, tag]);
      await get('image', { repository: name, reference: tag });
    }
  }
  return { outputs, views: { repositories: repositories.map((r) => r.name), images } };
}

/** The text of each view of the page, once loaded. */
async function pageOutputs(t: ExecutionContext, ui: UiProcess, views: Views): Promise<Record<string, string>> {
  const page = await newPage(t);
  await page.goto(ui.url);
  // A view is loaded when its heading is there and nothing in it says "Loading" any more.
  const loaded = async (heading: string): Promise<void> => {
    await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
    await page.locator('main').locator('.count, dl.facts, p.error').first().waitFor();
    while ((await page.locator('main', { hasText: /Loading / }).count()) > 0) await new Promise((r) => setTimeout(r, 50));
  };
  const outputs: Record<string, string> = {};
  const hashes: [string, string][] = [
    ['#/', 'Repositories'],
    ['#/usage', 'Disk usage'],
    ...views.repositories.map((r): [string, string] => [`#/repo/${encodeURIComponent(r)}`, r]),
    ...views.images.map(([r, ref]): [string, string] => [`#/image/${encodeURIComponent(r)}/${encodeURIComponent(ref)}`, `${r}:${ref}`]),
  ];
  for (const [hash, heading] of hashes) {
    await page.goto(`${ui.origin}/${hash}`);
    await loaded(heading);
    outputs[hash] = await page.locator('main').innerText();
  }
  return outputs;
}

test('the page and its API: the same on S3 as on a file system, a repository with no tags left included', async (t) => {
  const server = await startS3Server();
  cleanups.push(() => server.stop());
  await server.createBucket(BUCKET);
  const [fs, s3] = await Promise.all([
    upRegistry(cleanups, server, { filesystem: true }),
    upRegistry(cleanups, server, { bucket: BUCKET, prefix: 'ui' }),
  ]);
  await seed([fs.host, s3.host]);
  for (const r of [fs, s3]) {
    const rmi = await r.jindr('rmi', '-f', 'solo:1.0');
    t.is(rmi.code, 0, rmi.stderr);
  }
  const read = async (r: StartedRegistry) => {
    const ui = await startUiProcess(t, r.host, { docker: r.env });
    const api = await apiOutputs(ui);
    return { api, page: await pageOutputs(t, ui, api.views) };
  };
  const [onFiles, onS3] = [await read(fs), await read(s3)];
  sameOutputs(t, 'the API', { r: fs, outputs: onFiles.api.outputs }, { r: s3, outputs: onS3.api.outputs });
  sameOutputs(t, 'the page', { r: fs, outputs: onFiles.page }, { r: s3, outputs: onS3.page });
  // Not two empty answers.
  t.true(onS3.api.views.repositories.includes('solo'), 'solo, with no tags, is listed');
  t.regex(onS3.page['#/repo/solo']!, /0 tags/);
  t.deepEqual(onS3.api.views.images.map(([r, tag]) => `${r}:${tag}`).sort(), [
    'multi:latest',
    'team/app:v1',
    'team/app:v2',
    'team/copy:v1',
  ]);
  t.regex(onS3.page['#/']!, /team\/app/);
});
