// Durations as people type them on the command line: 30d, 12h, 90m, 45s, 2w, or
// combined (1h30m, 1d12h); decimals allowed (1.5h); "0" alone is zero.
import { UsageError } from '../errors.ts';
import { quote } from '../registry/reference.ts';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** Milliseconds in a duration such as "30d" or "1h30m"; UsageError naming the option otherwise. */
export function parseDuration(text: string, option: string): number {
  const input = text.trim();
  if (input === '0') return 0;
  const parts = [...input.matchAll(/(\d+(?:\.\d+)?)([smhdw])/g)];
  if (input === '' || parts.map((p) => p[0]).join('') !== input) {
    throw new UsageError(`${option} needs a duration such as 30d, 12h, 90m or 1h30m (units s, m, h, d, w); got ${quote(text)}`);
  }
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0));
}
