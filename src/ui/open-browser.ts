// --open: the user's browser on the page, best effort. As Jupyter does, the browser is
// given a file that redirects to the URL, not the URL itself: a command line (xdg-open's,
// the browser's) is visible to every local user, and the URL carries the access token.
// The file is the user's alone (0600 in a 0700 directory) and is removed when the page stops.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Opened {
  /** Removes the redirect file. */
  cleanup(): void;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The opener for this system, or undefined. */
export function opener(platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform === 'darwin') return 'open';
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd') return 'xdg-open';
  return undefined;
}

/** Opens url in the user's browser; failures are reported through `warn`, never thrown. */
export function openBrowser(url: string, warn: (message: string) => void): Opened {
  const command = opener();
  if (command === undefined) {
    warn(`cannot open a browser on ${process.platform}: open the URL yourself`);
    return { cleanup: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'jindr-ui-'));
  const file = join(dir, 'open.html');
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  const href = escapeHtml(url);
  writeFileSync(
    file,
    `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${href}"><title>docker jindr ui</title></head>` +
      `<body><p><a href="${href}">Open docker jindr ui</a></p></body></html>\n`,
    { mode: 0o600 },
  );
  try {
    const child = spawn(command, [file], { detached: true, stdio: 'ignore' });
    child.on('error', (err: NodeJS.ErrnoException) =>
      warn(`cannot open a browser (${command}: ${err.code ?? err.message}): open the URL yourself`),
    );
    child.unref();
  } catch (err) {
    warn(`cannot open a browser (${err instanceof Error ? err.message : String(err)}): open the URL yourself`);
  }
  return { cleanup };
}
