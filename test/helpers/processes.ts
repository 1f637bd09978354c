// The processes alive on this machine, read from /proc (Linux): for tests that check a
// command left nothing running behind it.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Command lines of the processes alive now that contain marker (zombies have none). */
export function processesWith(marker: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(join('/proc', pid, 'cmdline'), 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(marker)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
