// `docker jindr ui` in a real browser (Debian's chromium, driven by playwright-core)
// against real registry containers: the token, filter, sort, an image with its referrers,
// deleting a tag through the confirmation (and rmi's refusal), gc's dry run then its
// confirmation, the disk-usage picture, the keyboard. Screenshots go to test-results/ui/.
import type { ExecutionContext } from 'ava';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { e2e, startTestRegistry, type TestRegistry } from '../helpers/engine.ts';
import { pushArchy, pushUntaggedManifest } from '../helpers/images.ts';
import { makeDockerConfig, repoRoot } from '../helpers/run.ts';
import { closeBrowserAfterAll, newPage, startUiProcess } from '../helpers/ui-browser.ts';
import { formatBytes } from '../../src/ui/page/format.ts';
import { datedImage, pushArtifact, pushCosignSignature, pushDatedImage, pushFallbackIndex, randomLayer } from '../helpers/ui-images.ts';

const SHOTS = join(repoRoot, 'test-results/ui');
mkdirSync(SHOTS, { recursive: true });
closeBrowserAfterAll();

/** The text of the element that has the focus (page code runs in the browser: a string, the Node program has no DOM types). */
const focused = (page: Page) => page.evaluate<string | null>('document.activeElement && document.activeElement.textContent');

const shot = (page: Page, name: string, fullPage = false) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });

async function tagsOf(host: string, repo: string): Promise<string[]> {
  const res = await fetch(`http://${host}/v2/${repo}/tags/list`);
  if (res.status === 404) return [];
  return ((await res.json()) as { tags: string[] | null }).tags ?? [];
}

interface Seeded {
  reg: TestRegistry;
  archy: string;
  sbom: string;
  leftover: string;
  /** Bytes team/base alone uses (its manifest and config), and the layer it shares with team/app:v2. */
  baseOwn: number;
  sharedLayer: number;
}

/** archy (latest and v1 on one index) with an SBOM (signed) and a cosign signature; team/app v1, v2, v10; team/base sharing a layer with team/app:v2; an untagged leftover. */
async function seed(t: ExecutionContext, image = 'registry:2'): Promise<Seeded> {
  // On a bridge: the page's push dates, gc, prune and disk usage find the registry's container by its published port.
  const reg = await startTestRegistry({ image, network: 'bridge' });
  t.teardown(() => reg.remove());
  const archy = await pushArchy(reg.host);
  await pushArchy(reg.host, { tag: 'v1' });
  const subject = { digest: archy.digest, size: archy.size, mediaType: archy.mediaType };
  const sbom = await pushArtifact(reg.host, 'archy', subject, 'application/spdx+json');
  const sbomSignature = await pushArtifact(
    reg.host,
    'archy',
    { digest: sbom.digest, size: sbom.size, mediaType: sbom.mediaType },
    'application/vnd.cncf.notary.signature',
  );
  await pushFallbackIndex(reg.host, 'archy', archy.digest, [sbom]);
  await pushFallbackIndex(reg.host, 'archy', sbom.digest, [sbomSignature]);
  await pushCosignSignature(reg.host, 'archy', archy.digest);
  const shared = randomLayer(40_000);
  await pushDatedImage(reg.host, 'team/app', 'v1', datedImage('2024-03-01T10:00:00Z', [randomLayer(1_000)]));
  await pushDatedImage(
    reg.host,
    'team/app',
    'v2',
    datedImage('2025-06-01T10:00:00Z', [shared, randomLayer(20_000)], { 'org.opencontainers.image.title': 'app' }),
  );
  await pushDatedImage(reg.host, 'team/app', 'v10', datedImage('2024-11-01T10:00:00Z', [randomLayer(5_000)]));
  const base = await pushDatedImage(reg.host, 'team/base', 'v1', datedImage('2023-01-01T10:00:00Z', [shared]));
  const leftover = await pushUntaggedManifest(reg.host, 'team/app', { layerSize: 30_000 });
  return {
    reg,
    archy: archy.digest,
    sbom: sbom.digest,
    leftover: leftover.digest,
    baseOwn: base.size + base.config.size,
    sharedLayer: shared.size,
  };
}

function rawGet(port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers: { host }, setHost: false, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

e2e(
  'without its token the page serves nothing (401 for the page, its script and the API); with it, a cookie and a clean URL',
  async (t) => {
    const { reg } = await seed(t);
    const ui = await startUiProcess(t, reg.host);
    for (const path of ['/', '/app.js', '/app.css', '/api/repositories', '/api/info', '/favicon.ico']) {
      const res = await fetch(`${ui.origin}${path}`);
      t.is(res.status, 401, path);
      t.notRegex(await res.text(), /archy|team/, path);
    }
    t.is((await fetch(`${ui.origin}/?token=${'0'.repeat(48)}`)).status, 401, 'a wrong token');
    t.is(
      await rawGet(ui.port, `/?token=${new URL(ui.url).searchParams.get('token')}`, `rebound.example:${ui.port}`),
      403,
      'a rebinding Host, even with the token',
    );

    const page = await newPage(t);
    const refused = await page.goto(ui.origin + '/');
    t.is(refused?.status(), 401);
    await shot(page, 'token-required');
    const opened = await page.goto(ui.url);
    t.is(opened?.status(), 200);
    await page.getByRole('heading', { level: 1, name: 'Repositories' }).waitFor();
    t.false(page.url().includes('token'), `the token left the address bar: ${page.url()}`);
    const cookies = await page.context().cookies();
    t.is(cookies.length, 1);
    t.like(cookies[0], { name: `jindr-ui-${ui.port}`, httpOnly: true, sameSite: 'Strict' });
    // The page's own POST carries the cookie and its Origin; another origin's cannot.
    const fromPage = await page.evaluate(
      async () => (await fetch('/api/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status,
    );
    t.is(fromPage, 200);
    const asForm = await page.evaluate(
      async () => (await fetch('/api/refresh', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' })).status,
    );
    t.is(asForm, 415);
    t.is(await ui.stop(), 130, 'Ctrl-C ends it as every command ends on Ctrl-C');
    t.notRegex(ui.stderr(), /^\s+at /m);
    await t.throwsAsync(fetch(ui.url), undefined, 'nothing listens after Ctrl-C');
  },
);

e2e('repositories: the filter box narrows the list and the counts follow', async (t) => {
  const { reg } = await seed(t);
  const ui = await startUiProcess(t, reg.host);
  const page = await newPage(t);
  await page.goto(ui.url);
  const count = page.locator('#repo-count');
  await count.getByText('3 repositories, 9 tags').waitFor();
  t.deepEqual(await page.locator('table.list tbody td:first-child').allTextContents(), ['archy', 'team/app', 'team/base']);
  await page.getByLabel('Filter repositories').fill('team');
  await count.getByText('2 of 3 repositories, 4 tags').waitFor();
  t.deepEqual(await page.locator('table.list tbody td:first-child').allTextContents(), ['team/app', 'team/base']);
  await shot(page, 'repositories-filtered');
  await page.getByLabel('Filter repositories').fill('nothing-like-it');
  await page.getByText('No repository matches the filter.').waitFor();
  t.is(await page.locator('table.list tbody tr').count(), 0);
});

e2e(
  'tags sort by name (numbers by value), created, pushed (read from the storage of a registry this engine runs), size and back, by mouse and keyboard',
  async (t) => {
    const { reg } = await seed(t);
    const ui = await startUiProcess(t, reg.host);
    const page = await newPage(t);
    await page.goto(ui.url);
    await page.getByRole('link', { name: 'team/app' }).click();
    await page.getByRole('heading', { level: 1, name: 'team/app' }).waitFor();
    await page.locator('#tag-count').waitFor();
    const order = () => page.locator('table.list tbody td:first-child').allTextContents();
    t.deepEqual(await order(), ['v1', 'v2', 'v10']);
    const header = (name: string) => page.locator('th', { has: page.getByRole('button', { name }) });
    t.is(await header('Tag').getAttribute('aria-sort'), 'ascending');
    await page.getByRole('button', { name: 'Created' }).click();
    t.deepEqual(await order(), ['v2', 'v10', 'v1'], 'newest first');
    t.is(await header('Created').getAttribute('aria-sort'), 'descending');
    t.is(await header('Tag').getAttribute('aria-sort'), 'none');
    await page.getByRole('button', { name: 'Created' }).click();
    t.deepEqual(await order(), ['v1', 'v10', 'v2'], 'oldest first');
    await page.getByRole('button', { name: 'Size' }).focus();
    await page.keyboard.press('Enter');
    t.deepEqual(await order(), ['v2', 'v10', 'v1'], 'biggest first');
    await page.keyboard.press('Space');
    t.deepEqual(await order(), ['v1', 'v10', 'v2'], 'smallest first');
    await page.getByRole('button', { name: 'Pushed' }).click();
    t.is(await header('Pushed').getAttribute('aria-sort'), 'descending');
    t.deepEqual(await order(), ['v10', 'v2', 'v1'], 'pushed last first (they were pushed v1, v2, v10)');
    t.deepEqual(await page.locator('table.list tbody td:nth-child(3)').allTextContents(), [
      'less than a minute ago',
      'less than a minute ago',
      'less than a minute ago',
    ]);
    t.is(await page.locator('#tag-count').textContent(), '3 tags', 'push times known: no note');
    await page.getByRole('button', { name: 'Tag' }).click();
    t.deepEqual(await order(), ['v1', 'v2', 'v10']);
    t.regex((await page.locator('#announcer').textContent()) ?? '', /Sorted by name, ascending/);
    await shot(page, 'tags-sorted');
  },
);

e2e(
  "an image: each platform's config and layers, layers shared with other images, the tags on its digest, and its referrers as a tree (not as tags of the repository)",
  async (t) => {
    const { reg, sbom } = await seed(t);
    const ui = await startUiProcess(t, reg.host);
    const page = await newPage(t);
    await page.goto(ui.url);
    await page.getByRole('link', { name: 'archy' }).click();
    // The repository view: the signature and fallback tags are not rows; each tag of the image says what it has.
    await page
      .locator('#tag-count')
      .getByText(/^2 tags/)
      .waitFor();
    t.deepEqual(await page.locator('table.list tbody td:first-child').allTextContents(), ['latest', 'v1']);
    t.deepEqual(await page.locator('table.list tbody td.referrers').allTextContents(), ['sbom, signature x2', 'sbom, signature x2']);
    await page.getByRole('link', { name: 'latest' }).click();
    await page.getByRole('heading', { level: 1, name: 'archy:latest' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Referrers' }).waitFor();
    t.deepEqual(await page.locator('section.card h3').allTextContents(), ['linux/amd64', 'linux/arm64']);
    t.deepEqual(await page.locator('dl.facts').first().locator('dd ul.inline li').allTextContents(), ['latest', 'v1']);
    t.is(await page.locator('section.card').first().locator('dt:text-is("Cmd") + dd').textContent(), '["/bin/arch"]');
    const tree = page.locator('ul.tree');
    t.deepEqual(await tree.locator(':scope > li > .badge').allTextContents(), ['sbom', 'signature']);
    const sbomItem = tree.locator(':scope > li[data-kind="sbom"]');
    t.regex((await sbomItem.textContent()) ?? '', new RegExp(`${sbom.slice(7, 19)}.*application/spdx\\+json`));
    t.deepEqual(await sbomItem.locator('ul > li > .badge').allTextContents(), ['signature'], "the SBOM's own signature under it");
    t.regex((await tree.locator(':scope > li[data-kind="signature"]').textContent()) ?? '', /from tag sha256-[0-9a-f]{64}\.sig/);
    await shot(page, 'image-archy', true);

    await page.goto(`${ui.origin}/#/image/${encodeURIComponent('team/app')}/v2`);
    await page.getByRole('heading', { level: 1, name: 'team/app:v2' }).waitFor();
    const layers = page.getByRole('table', { name: 'Layers of linux/amd64' });
    await layers.waitFor();
    t.deepEqual(await layers.locator('tbody td:nth-child(4)').allTextContents(), ['team/base:v1', 'only this image']);
    const card = page.locator('section.card').first();
    t.is(await card.locator('dt:text-is("Entrypoint") + dd').textContent(), '["/bin/app"]');
    await card.getByText('Labels (1 label)').click();
    t.is(await card.getByRole('table', { name: 'Labels' }).locator('tbody td').nth(1).textContent(), 'app');
    await card.getByText('Environment (2 variables)').click();
    t.deepEqual(await card.getByRole('list', { name: 'Environment' }).locator('li').allTextContents(), ['PATH=/bin', 'MODE=test']);
    await card.getByText('History (2 steps)').click();
    t.regex((await card.locator('ol.history').textContent()) ?? '', /COPY layer-0 \/.*COPY layer-1 \//);
    await shot(page, 'image-app', true);
  },
);

e2e(
  'delete a tag through the confirmation: Escape and Cancel change nothing, a tag alone goes, and a tag sharing its digest is refused with the forcing choice named',
  async (t) => {
    const { reg } = await seed(t, 'registry:2'); // 2.x deletes by digest only: the refusal is what rmi does there
    const ui = await startUiProcess(t, reg.host);
    const page = await newPage(t);
    await page.goto(ui.url);
    await page.getByRole('link', { name: 'team/app' }).click();
    const dialog = page.getByRole('dialog');
    await page.getByRole('button', { name: 'Delete team/app:v1', exact: true }).click();
    await dialog.getByRole('heading', { name: 'Delete team/app:v1?' }).waitFor();
    t.is(await focused(page), 'Cancel', 'the safe choice has the focus');
    await page.keyboard.press('Tab');
    t.is(await focused(page), 'Delete tag');
    await page.keyboard.press('Tab');
    t.is(await focused(page), 'Cancel', 'Tab stays inside the dialog');
    await page.keyboard.press('Shift+Tab');
    t.is(await focused(page), 'Delete tag');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    t.is(
      await page.evaluate<string | null>("document.activeElement.getAttribute('aria-label')"),
      'Delete team/app:v1',
      'focus is back on the button that opened it',
    );
    t.deepEqual((await tagsOf(reg.host, 'team/app')).sort(), ['v1', 'v10', 'v2']);

    await page.getByRole('button', { name: 'Delete team/app:v1', exact: true }).click();
    await shot(page, 'delete-confirm');
    await dialog.getByRole('button', { name: 'Delete tag' }).click();
    await page
      .locator('#announcer')
      .getByText(/team\/app:v1/)
      .waitFor();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('link', { name: 'v1', exact: true }).waitFor({ state: 'detached' });
    t.deepEqual(await page.locator('table.list tbody td:first-child').allTextContents(), ['v2', 'v10'], 'the view shows what is left');
    t.deepEqual((await tagsOf(reg.host, 'team/app')).sort(), ['v10', 'v2']);

    await page.getByRole('link', { name: 'Repositories' }).first().click();
    await page.getByRole('link', { name: 'archy' }).click();
    await page.getByRole('button', { name: 'Delete archy:v1', exact: true }).click();
    await dialog.getByRole('button', { name: 'Delete tag' }).click();
    await dialog.getByRole('heading', { name: 'Refused: archy:v1' }).waitFor();
    t.regex(
      (await dialog.getByRole('alert').textContent()) ?? '',
      /archy:v1 cannot be deleted alone: this registry deletes by digest, and archy:latest would go or break with it/,
    );
    t.regex((await dialog.textContent()) ?? '', /docker jindr rmi --force/);
    await shot(page, 'delete-refused');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    t.true((await tagsOf(reg.host, 'archy')).includes('v1'), 'refused: nothing deleted');
    t.true((await tagsOf(reg.host, 'archy')).includes('latest'));

    await page.getByRole('button', { name: 'Delete archy:v1', exact: true }).click();
    await dialog.getByRole('button', { name: 'Delete tag' }).click();
    await dialog.getByRole('button', { name: 'Delete anyway, with 1 other tag' }).click();
    await page
      .locator('#announcer')
      .getByText(/Deleted archy:v1 .* with archy:latest/)
      .waitFor();
    const left = await tagsOf(reg.host, 'archy');
    t.false(left.includes('v1'));
    t.false(left.includes('latest'));
  },
);

e2e('gc: its dry run first with the bytes it frees, nothing until the confirmation, then the views show the result', async (t) => {
  const { reg, leftover } = await seed(t);
  const ui = await startUiProcess(t, reg.host);
  const page = await newPage(t);
  await page.goto(ui.url);
  await page.getByRole('link', { name: 'Clean up' }).click();
  const collect = page.getByRole('button', { name: 'Collect garbage…' });
  t.true(await collect.isDisabled(), 'no collection before its dry run');
  await page.getByRole('button', { name: 'Check what gc would free' }).click();
  const preview = page.locator('#gc-preview');
  await preview.waitFor({ timeout: 60_000 });
  t.regex(
    (await preview.textContent()) ?? '',
    /Dry run: gc would remove 1 untagged manifest, 0 empty repositories and \d+ blobs?, freeing \d+(\.\d+)? kB\./,
  );
  t.regex((await preview.textContent()) ?? '', new RegExp(`team/app@${leftover}`));
  const manifest = `http://${reg.host}/v2/team/app/manifests/${leftover}`;
  const accept = { accept: 'application/vnd.oci.image.manifest.v1+json' };
  t.is((await fetch(manifest, { headers: accept })).status, 200, 'the dry run removed nothing');
  await collect.click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText(/The registry stops for a moment/).waitFor();
  await shot(page, 'gc-confirm');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  t.is((await fetch(manifest, { headers: accept })).status, 200, 'Cancel removed nothing');
  await collect.click();
  await dialog.getByRole('button', { name: 'Collect garbage' }).click();
  await page
    .locator('#announcer')
    .getByText(/^gc removed 1 untagged manifest, .* and freed \d+(\.\d+)? kB\.$/)
    .waitFor({ timeout: 120_000 });
  t.is((await fetch(manifest, { headers: accept })).status, 404, 'gone after the confirmation');
  t.deepEqual((await tagsOf(reg.host, 'team/app')).sort(), ['v1', 'v10', 'v2'], 'every tag stays');
  await page.getByRole('link', { name: 'Repositories' }).click();
  await page.locator('#repo-count').getByText('3 repositories, 9 tags').waitFor();
});

e2e(
  'prune: the rules, their dry run (tags and bytes), nothing until the confirmation, then only what the rules let go is gone',
  async (t) => {
    const { reg } = await seed(t);
    const ui = await startUiProcess(t, reg.host);
    const page = await newPage(t);
    await page.goto(`${ui.url}#/clean`);
    const prune = page.getByRole('button', { name: 'Prune…' });
    await page.getByLabel('Repositories').fill('team/app');
    await page.getByLabel('Keep the newest').fill('1');
    t.true(await prune.isDisabled(), 'no prune before its dry run');
    await page.getByRole('button', { name: 'Check what prune would remove' }).click();
    const preview = page.locator('#prune-preview');
    await preview.waitFor({ timeout: 60_000 });
    t.regex(
      (await preview.textContent()) ?? '',
      /Dry run: prune would remove 2 tags, then gc \d+ untagged manifests? and \d+ blobs?, freeing \d+(\.\d+)? kB\./,
    );
    t.deepEqual((await page.getByRole('list', { name: 'Tags prune would remove' }).locator('code').allTextContents()).sort(), [
      'team/app:v1',
      'team/app:v2',
    ]);
    t.deepEqual((await tagsOf(reg.host, 'team/app')).sort(), ['v1', 'v10', 'v2'], 'the dry run removed nothing');
    await prune.click();
    const dialog = page.getByRole('dialog', { name: 'Prune these tags?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    t.deepEqual((await tagsOf(reg.host, 'team/app')).sort(), ['v1', 'v10', 'v2'], 'Cancel removed nothing');
    await prune.click();
    await dialog.getByRole('button', { name: 'Prune', exact: true }).click();
    await page
      .locator('#announcer')
      .getByText(/^prune removed 2 tags, then gc .* and freed \d+(\.\d+)? kB\.$/)
      .waitFor({ timeout: 120_000 });
    t.deepEqual(await tagsOf(reg.host, 'team/app'), ['v10'], 'the newest stays');
    t.deepEqual(await tagsOf(reg.host, 'team/base'), ['v1'], 'other repositories untouched');
    await shot(page, 'prune-done');
  },
);

e2e('disk usage: a bar per repository, the bytes only it uses and those it shares, in light and dark', async (t) => {
  const { reg, baseOwn, sharedLayer } = await seed(t);
  const ui = await startUiProcess(t, reg.host);
  for (const colorScheme of ['light', 'dark'] as const) {
    const page = await newPage(t, { colorScheme });
    await page.goto(ui.url);
    await page.getByRole('link', { name: 'Disk usage' }).click();
    await page.locator('#usage-total').waitFor();
    const rows = page.locator('table.usage tbody tr');
    t.deepEqual(await rows.locator('td:first-child').allTextContents(), ['archy', 'team/app', 'team/base'], 'biggest first');
    const cells = async (name: string) => rows.filter({ hasText: name }).locator('td.num').allTextContents();
    t.is((await cells('team/base'))[0], formatBytes(baseOwn), 'its config and manifest only: its one layer is shared');
    t.is((await cells('team/base'))[1], formatBytes(sharedLayer));
    t.is((await cells('team/app'))[1], formatBytes(sharedLayer));
    t.is((await cells('archy'))[1], '0 B');
    t.not((await cells('team/app'))[2], '0 B', "gc could free the untagged leftover's bytes");
    t.is((await cells('team/base'))[2], '0 B');
    t.regex((await page.locator('#usage-total').textContent()) ?? '', /Read from the registry's storage/);
    const widths = await page.evaluate<number[]>(
      "[...document.querySelectorAll('table.usage tbody tr .bar .shared')].map((e) => e.getBoundingClientRect().width)",
    );
    t.is(widths[0], 0);
    t.true(widths[1]! > 0 && widths[2]! > 0);
    const background = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    t.is(background, colorScheme === 'dark' ? 'rgb(13, 17, 23)' : 'rgb(255, 255, 255)');
    await shot(page, `usage-${colorScheme}`);
  }
});

e2e('through the docker CLI: `docker jindr ui` prints its URL, serves the page, and stops on Ctrl-C', async (t) => {
  const { reg } = await seed(t);
  const cfg = makeDockerConfig();
  t.teardown(cfg.cleanup);
  const ui = await startUiProcess(t, reg.host, { docker: cfg.env });
  const page = await newPage(t);
  await page.goto(ui.url);
  await page.locator('#repo-count').getByText('3 repositories, 9 tags').waitFor();
  await page.getByRole('link', { name: 'team/app' }).click();
  await page.getByRole('link', { name: 'v2', exact: true }).click();
  await page.getByRole('heading', { level: 2, name: 'Referrers' }).waitFor();
  await page.getByText('Labels (1 label)').click();
  await shot(page, 'readme'); // docs/ui.png is a copy of this one
  t.regex(ui.stderr(), /docker jindr ui: localhost:\d+ on http:\/\/127\.0\.0\.1:\d+\/ \(Ctrl-C to stop\)/);
  t.is(await ui.stop(), 130);
  await t.throwsAsync(fetch(ui.url));
});
