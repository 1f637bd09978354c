// mirror trim's output: a row per image evicted (--format), one line for people.
import { formatBytes, type Column } from './table.ts';
import type { TrimReport } from '../../gc/mirror-trim.ts';

type Evicted = TrimReport['evicted'][number];

export const mirrorTrimColumns: readonly Column<Evicted>[] = [
  { header: 'REPOSITORY', value: (r) => r.repository },
  { header: 'TAGS', value: (r) => r.tags.join(',') },
  { header: 'DIGEST', value: (r) => r.digest },
  { header: 'LAST PULLED', value: (r) => r.lastPulled },
];

/** One line for people: what was evicted and freed, or why nothing was. */
export function describeTrim(r: TrimReport): string {
  if (r.maxSize === null) return `${r.container} has no size limit (docker jindr mirror start --max-size SIZE sets one)\n`;
  const limit = formatBytes(r.maxSize);
  if (r.gc === undefined) return `${r.container} uses ${formatBytes(r.usage ?? 0)} of its ${limit}: nothing to evict\n`;
  const freed = r.gc.bytesFreed + r.gc.uploadBytes;
  return `${r.container}: evicted ${r.evicted.length} image(s), least recently pulled first; gc freed ${formatBytes(freed)} (${formatBytes(r.usage ?? 0)} -> ${formatBytes(Math.max(0, (r.usage ?? 0) - freed))}, limit ${limit})\n`;
}
