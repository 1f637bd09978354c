// How the page writes sizes, dates and digests: sizes and digests as the command line does
// (src/human-format.ts: decimal units, the 12-digit image id), dates as "3 days ago".

import { formatBytes as bytesText } from '../../human-format.ts';

export { shortDigest } from '../../human-format.ts';

/** "12.3 MB": the command line's units, with a space on the page. */
export function formatBytes(bytes: number): string {
  return bytesText(bytes, ' ');
}

const STEPS: [number, string][] = [
  [365 * 24 * 3600, 'year'],
  [30 * 24 * 3600, 'month'],
  [7 * 24 * 3600, 'week'],
  [24 * 3600, 'day'],
  [3600, 'hour'],
  [60, 'minute'],
];

/** "3 days ago", as `docker images` says it; '' for no date. */
export function ago(date: string | undefined, now = Date.now()): string {
  if (date === undefined) return '';
  const at = Date.parse(date);
  if (Number.isNaN(at)) return '';
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 60) return 'less than a minute ago';
  for (const [size, name] of STEPS) {
    const n = Math.floor(seconds / size);
    if (n >= 1) return n === 1 ? `1 ${name} ago` : `${n} ${name}s ago`;
  }
  return '';
}

/** Tags in a human order: numbers by value ("v2" before "v10"). */
export const byName = new Intl.Collator('en', { numeric: true }).compare;

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
