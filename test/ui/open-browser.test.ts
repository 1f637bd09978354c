// --open: the opener (xdg-open here; no desktop runs in tests, so a stand-in on PATH
// records what it was given) gets a file that redirects to the URL, readable by the
// user alone, never the URL itself: a command line is visible to every local user.
import test from 'ava';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBrowser, opener } from '../../src/ui/open-browser.ts';

test.serial('the opener gets a 0600 redirect file, not the URL; the file goes when the page stops', async (t) => {
  const bin = mkdtempSync(join(tmpdir(), 'jindr-open-'));
  t.teardown(() => rmSync(bin, { recursive: true, force: true }));
  const record = join(bin, 'argv');
  writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > ${JSON.stringify(record)}\n`);
  chmodSync(join(bin, 'xdg-open'), 0o755);
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path}`;
  t.teardown(() => (process.env.PATH = path));
  const url = `http://127.0.0.1:1234/?token=${'e'.repeat(48)}`;
  const warnings: string[] = [];
  const opened = openBrowser(url, (m) => warnings.push(m));
  const written = (): boolean => existsSync(record) && readFileSync(record, 'utf8').endsWith('\n');
  for (let i = 0; i < 100 && !written(); i++) await new Promise((r) => setTimeout(r, 50));
  const argv = readFileSync(record, 'utf8').trim();
  t.false(argv.includes('token'), `the command line carries no token: ${argv}`);
  t.regex(argv, /jindr-ui-[^/]+\/open\.html$/);
  t.is(statSync(argv).mode & 0o777, 0o600);
  t.regex(readFileSync(argv, 'utf8'), new RegExp(`<meta http-equiv="refresh" content="0;url=http://127\\.0\\.0\\.1:1234/\\?token=e{48}">`));
  opened.cleanup();
  t.false(existsSync(argv));
  t.deepEqual(warnings, []);
});

test.serial('no opener on PATH: a warning, nothing thrown', async (t) => {
  const path = process.env.PATH;
  process.env.PATH = mkdtempSync(join(tmpdir(), 'jindr-empty-'));
  t.teardown(() => {
    rmSync(process.env.PATH!, { recursive: true, force: true });
    process.env.PATH = path;
  });
  const warnings: string[] = [];
  const opened = openBrowser('http://127.0.0.1:1/?token=x', (m) => warnings.push(m));
  for (let i = 0; i < 100 && warnings.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  opened.cleanup();
  t.deepEqual(warnings, ['cannot open a browser (xdg-open: ENOENT): open the URL yourself']);
});

test('the opener by system', (t) => {
  t.is(opener('linux'), 'xdg-open');
  t.is(opener('darwin'), 'open');
  t.is(opener('win32'), undefined);
});
