// `docker jindr ui` started for a test, and pages of Debian's chromium (driven by
// playwright-core) to open it in: ui.test.ts and the S3 comparison (s3-compare-ui.test.ts).
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { pluginBinary } from './run.ts';

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
  port: number;
  stderr(): string;
  /** GET /api/PATH?QUERY with the token, parsed; throws on any status but 200. */
  api(path: string, query?: Record<string, string>): Promise<unknown>;
  /** Ctrl-C: resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `docker-jindr -r REGISTRY ui --grace 0 --force` (through `docker jindr` with
 * `via.docker` as its environment) and reads its URL; stopped (Ctrl-C) at the test's end.
 */
export async function startUiProcess(t: ExecutionContext, registry: string, via: { docker?: NodeJS.ProcessEnv } = {}): Promise<UiProcess> {
  const args = ['-r', registry, 'ui', '--grace', '0', '--force'];
  const child = via.docker
    ? spawn('docker', ['jindr', ...args], { env: via.docker, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(pluginBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const guard = setTimeout(() => child.kill('SIGKILL'), 170_000);
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      const line = /^(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48})\n/.exec(stdout);
      if (line) resolve(line[1]!);
    });
    void exited.then((code) => reject(new Error(`ui exited (${code}) before printing its URL: ${stderr}`)));
  });
  let stopped: Promise<number | null> | undefined;
  const stop = (): Promise<number | null> => {
    stopped ??= (child.kill('SIGINT'), exited.finally(() => clearTimeout(guard)));
    return stopped;
  };
  t.teardown(stop);
  const { origin, port, searchParams } = new URL(url);
  const token = searchParams.get('token')!;
  const api = async (path: string, query: Record<string, string> = {}): Promise<unknown> => {
    const res = await fetch(`${origin}/api/${path}?${new URLSearchParams({ ...query, token })}`);
    const body = await res.json();
    if (res.status !== 200) throw new Error(`GET /api/${path}: HTTP ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  return { url, origin, port: Number(port), stderr: () => stderr, api, stop };
}

let browser: Promise<Browser> | undefined;

/** Closes the browser after the file's tests: call once, at the top of a test file. */
export function closeBrowserAfterAll(): void {
  test.after.always(async () => {
    await (await browser)?.close();
  });
}

/** A new page in chromium (started by the first test that needs it), closed at the test's end. */
export async function newPage(t: ExecutionContext, options: BrowserContextOptions = {}): Promise<Page> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; .ci/run does)`);
  browser ??= chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await (await browser).newContext({ viewport: { width: 1100, height: 760 }, ...options });
  t.teardown(() => context.close());
  const page = await context.newPage();
  page.on('pageerror', (err) => t.log(`page error: ${err.message}`));
  return page;
}
