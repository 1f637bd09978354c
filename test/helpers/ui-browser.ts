// `docker jindr ui` started for a test and read through its API and in Debian's chromium
// (driven by playwright-core): for the tests that compare what the page shows.
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface UiProcess {
  /** The URL with its token. */
  url: string;
  origin: string;
  /** GET /api/PATH?QUERY with the token, parsed. */
  api(path: string, query?: Record<string, string>): Promise<unknown>;
  stop(): Promise<number | null>;
}

/** Starts `docker jindr -r REGISTRY ui --grace 0 --force` with `env` and reads its URL; stopped (Ctrl-C) at the test's end. */
export async function startUiProcess(t: ExecutionContext, registry: string, env: NodeJS.ProcessEnv): Promise<UiProcess> {
  const child = spawn('docker', ['jindr', '-r', registry, 'ui', '--grace', '0', '--force'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      const line = /^(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48})\n/.exec(stdout);
      if (line) resolve(line[1]!);
    });
    void exited.then((code) => reject(new Error(`ui exited (${code}) before printing its URL: ${stderr}`)));
  });
  let stopped: Promise<number | null> | undefined;
  const stop = (): Promise<number | null> => (stopped ??= (child.kill('SIGINT'), exited));
  t.teardown(stop);
  const { origin, searchParams } = new URL(url);
  const token = searchParams.get('token')!;
  const api = async (path: string, query: Record<string, string> = {}): Promise<unknown> => {
    const res = await fetch(`${origin}/api/${path}?${new URLSearchParams({ ...query, token })}`);
    const body = await res.json();
    if (res.status !== 200) throw new Error(`GET /api/${path}: HTTP ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  return { url, origin, api, stop };
}

let browser: Promise<Browser> | undefined;

/** Closes the browser after the file's tests: call once, at the top of a test file. */
export function closeBrowserAfterAll(): void {
  test.after.always(async () => {
    await (await browser)?.close();
  });
}

/** A new page in chromium (started once per file), closed at the test's end. */
export async function newPage(t: ExecutionContext): Promise<Page> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; .ci/run does)`);
  browser ??= chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await (await browser).newContext({ viewport: { width: 1100, height: 760 } });
  t.teardown(() => context.close());
  const page = await context.newPage();
  page.on('pageerror', (err) => t.log(`page error: ${err.message}`));
  return page;
}
