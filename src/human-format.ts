// Sizes and digests as people read them, the same in the command line's output and on the
// page of `docker jindr ui` (which runs in the browser: nothing here may use Node).

/** Decimal units as the Docker CLI writes sizes ("12.3MB"); the page puts a space before the unit. */
export function formatBytes(bytes: number, beforeUnit = ''): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${beforeUnit}${units[unit]}`;
}

/** The 12 hex digits `docker images` shows of an image id, without the algorithm. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha(256|512):/, '').slice(0, 12);
}
