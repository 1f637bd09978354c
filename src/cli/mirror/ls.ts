// mirror ls: every mirror on the engine: upstream, address, state, mode (pull-through or offline), size,
// images cached, and what it saved since its container started (hits, misses, bytes served from the cache).
import type { Context } from '../context.ts';
import type { MirrorArgs } from './options.ts';
import { printRows } from '../output/print.ts';
import { formatBytes, type Column } from '../output/table.ts';
import { listRegistryContainers } from '../../server/container.ts';
import { listMirrorRows, type MirrorRow } from '../../mirror/mirror-contents.ts';
import { UsageError } from '../../errors.ts';

export const mirrorColumns: readonly Column<MirrorRow>[] = [
  { header: 'NAME', value: (r) => r.name },
  { header: 'UPSTREAM', value: (r) => r.upstream },
  { header: 'ADDRESS', value: (r) => r.address ?? '-' },
  { header: 'STATUS', value: (r) => r.status },
  { header: 'MODE', value: (r) => r.mode ?? '-' },
  { header: 'SIZE', value: (r) => (r.size === null ? '-' : formatBytes(r.size)) },
  { header: 'IMAGES', value: (r) => (r.images === null ? '-' : String(r.images)) },
  { header: 'HITS', value: (r) => (r.hits === null ? '-' : String(r.hits)) },
  { header: 'MISSES', value: (r) => (r.misses === null ? '-' : String(r.misses)) },
  { header: 'SAVED', value: (r) => (r.saved === null ? '-' : formatBytes(r.saved)) },
];

export async function mirrorList(args: MirrorArgs, ctx: Context): Promise<number> {
  if (args.upstream !== undefined) throw new UsageError('mirror ls lists every mirror: it takes no UPSTREAM');
  const { docker, local } = await ctx.engine();
  const rows = await listMirrorRows(docker, await listRegistryContainers(docker), local, ctx.signal);
  printRows(ctx, mirrorColumns, rows);
  return 0;
}
