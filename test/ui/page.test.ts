// The page as built: it type-checks (it is kept out of the Node program, for the DOM's
// types), it is one small script and one style sheet that load nothing from elsewhere,
// and its pure helpers (sizes, dates) say what the command line says.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildPage } from '../../build/page.ts';
import { ago, formatBytes, plural, shortDigest } from '../../src/ui/page/format.ts';
import { configView } from '../../src/ui/config.ts';
import { repoRoot } from '../helpers/run.ts';

test('the page type-checks (tsc -p src/ui/page: the DOM, preact, JSX)', (t) => {
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '--noEmit', '-p', join(repoRoot, 'src/ui/page')], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  t.is(result.status, 0, result.stdout + result.stderr);
});

test('the page is one script and one style sheet, under 200 KB together, that fetch nothing from elsewhere', async (t) => {
  const { js, css } = await buildPage(repoRoot);
  t.true(js.length > 10_000, 'the views are in it');
  t.true(js.length + css.length < 200_000, `${js.length + css.length} bytes`);
  t.regex(css, /prefers-color-scheme:\s*dark/);
  t.regex(css, /:focus-visible/);
  const urls = [...`${js}\n${css}`.matchAll(/https?:\/\/[^\s"'`)]+/g)].map((m) => m[0]);
  t.deepEqual(
    urls.filter((u) => !u.startsWith('http://www.w3.org/')),
    [],
    'only XML namespace names, nothing to load',
  );
  t.notRegex(css, /@import|url\(\s*['"]?(?!data:)/);
});

test('sizes, digests and ages are written as the command line writes them', (t) => {
  t.is(formatBytes(0), '0 B');
  t.is(formatBytes(2_070_000), '2.07 MB');
  t.is(formatBytes(999), '999 B');
  t.is(formatBytes(1_000), '1.00 kB');
  t.is(shortDigest(`sha256:${'ab'.repeat(32)}`), 'abababababab');
  const now = Date.parse('2026-01-10T12:00:00Z');
  t.is(ago('2026-01-10T11:59:30Z', now), 'less than a minute ago');
  t.is(ago('2026-01-10T11:00:00Z', now), '1 hour ago');
  t.is(ago('2026-01-07T12:00:00Z', now), '3 days ago');
  t.is(ago('2024-01-01T00:00:00Z', now), '2 years ago');
  t.is(ago(undefined, now), '');
  t.is(ago('not a date', now), '');
  t.is(plural(1, 'tag'), '1 tag');
  t.is(plural(2, 'repository', 'repositories'), '2 repositories');
});

test("an image config's entrypoint, cmd, env, labels, created and history, and nothing for other bytes", (t) => {
  const config = {
    created: '2024-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: {
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: ['run'],
      Env: ['PATH=/bin'],
      Labels: { 'org.opencontainers.image.title': 'x', n: 1 },
      WorkingDir: '/app',
      User: '1000',
    },
    history: [
      { created: '2024-01-01T00:00:00Z', created_by: 'COPY . /app', empty_layer: false },
      { created_by: 'CMD ["run"]', empty_layer: true },
    ],
  };
  t.deepEqual(configView(Buffer.from(JSON.stringify(config))), {
    created: '2024-01-01T00:00:00Z',
    entrypoint: ['/bin/sh', '-c'],
    cmd: ['run'],
    env: ['PATH=/bin'],
    labels: { 'org.opencontainers.image.title': 'x' },
    workingDir: '/app',
    user: '1000',
    history: [
      { created: '2024-01-01T00:00:00Z', createdBy: 'COPY . /app' },
      { createdBy: 'CMD ["run"]', emptyLayer: true },
    ],
  });
  t.deepEqual(configView(Buffer.from('{}')), { env: [], labels: {}, history: [] });
  t.is(configView(Buffer.from('not json')), undefined);
  t.is(configView(Buffer.from('[1]')), undefined);
});
