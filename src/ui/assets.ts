// The page's script and style sheet. In the executable they are text made at build time:
// build/bundle.ts puts them in place of this module's body (build/page.ts bundles the
// page with esbuild), so nothing is read or fetched at run time. Run from the sources
// (tests), the page is bundled here on first use instead.
import { fileURLToPath } from 'node:url';
import type { PageAssets } from './server.ts';

export async function pageAssets(): Promise<PageAssets> {
  const { buildPage } = await import('../../build/page.ts');
  return buildPage(fileURLToPath(new URL('../..', import.meta.url)));
}
