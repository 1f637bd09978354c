// The page of `docker jindr ui` (src/ui/page, preact and TSX) bundled for the browser:
// one script and one style sheet, minified, no source maps, nothing fetched at run time.
// build/bundle.ts embeds both in the executable as text.
import { build } from 'esbuild';
import { join } from 'node:path';

export interface PageBundle {
  js: string;
  css: string;
}

export async function buildPage(root: string): Promise<PageBundle> {
  const result = await build({
    entryPoints: [join(root, 'src/ui/page/main.tsx'), join(root, 'src/ui/page/style.css')],
    absWorkingDir: root,
    bundle: true,
    write: false,
    outdir: join(root, 'dist/page'),
    platform: 'browser',
    format: 'iife',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const file = (ext: string): string => {
    const found = result.outputFiles.find((f) => f.path.endsWith(ext));
    if (!found) throw new Error(`the page's bundle has no ${ext} file`);
    return found.text;
  };
  return { js: file('.js'), css: file('.css') };
}
