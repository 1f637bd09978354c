// How the page writes sizes, dates and digests: as the command line does (decimal units,
// "3 days ago", the 12-digit image id).

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

export function shortDigest(digest: string): string {
  return digest.replace(/^sha(256|512):/, '').slice(0, 12);
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
