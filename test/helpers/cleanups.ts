// What an e2e file made (containers, networks, temporary directories) is undone once all
// its tests have run, last made first; a cleanup that fails is logged and the others still run.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Cleanups {
  push(cleanup: () => unknown): void;
  /** A new temporary directory, removed with the rest. */
  tempDir(prefix: string): string;
}

/** Registers the file's test.after.always hook: call once, at the top of a test file. */
export function cleanupsAfterAll(): Cleanups {
  const cleanups: Array<() => unknown> = [];
  test.after.always(async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch((err: unknown) => console.error('cleanup:', err));
  });
  return {
    push: (cleanup) => void cleanups.push(cleanup),
    tempDir(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      return dir;
    },
  };
}
