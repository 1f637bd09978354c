// `docker jindr ui`: the page's server for one registry, from start to Ctrl-C. A fresh
// random token per run guards it; the URL that carries it goes to stdout, once.
import { randomBytes } from 'node:crypto';
import { pageAssets } from './assets.ts';
import { openBrowser, type Opened } from './open-browser.ts';
import { apiRoutes } from './routes.ts';
import { startUiServer } from './server.ts';
import { UiService, type UiServiceDeps } from './service.ts';

export interface UiOptions {
  /** 0: a free port. */
  port: number;
  open: boolean;
  /** Where the URL is printed. */
  stdout: { write(text: string): unknown };
}

/** Serves the page until deps.signal is aborted (Ctrl-C), then stops and cleans up. */
export async function serveUi(deps: UiServiceDeps, options: UiOptions): Promise<void> {
  const token = randomBytes(24).toString('hex');
  const service = new UiService(deps);
  const server = await startUiServer({ port: options.port, token, api: apiRoutes(service, deps.registry), assets: await pageAssets() });
  let opened: Opened | undefined;
  try {
    deps.info(`docker jindr ui: ${deps.registry} on http://127.0.0.1:${server.port}/ (Ctrl-C to stop); open it with its token:`);
    options.stdout.write(`${server.url}\n`);
    if (options.open) opened = openBrowser(server.url, (m) => deps.info(`warning: ${m}`));
    await new Promise<void>((resolve) => {
      if (deps.signal.aborted) resolve();
      else deps.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    opened?.cleanup();
    await server.close();
  }
}
