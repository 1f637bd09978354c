// mirror ls: every mirror on the engine: upstream, address, state, size, images cached.
import type { Context } from '../context.ts';
import type { MirrorArgs } from './options.ts';
import { printRows } from '../output/print.ts';
import { formatBytes } from '../output/table.ts';
import { listRegistryContainers } from '../../server/container.ts';
import { listMirrorRows, type MirrorRow } from '../../storage/mirror-contents.ts';
import { UsageError } from '../../errors.ts';

export async function mirrorList(args: MirrorArgs, ctx: Context): Promise<number> {
  if (args.upstream !== undefined) throw new UsageError('mirror ls lists every mirror: it takes no UPSTREAM');
  const { docker, local } = await ctx.engine();
  const rows = await listMirrorRows(docker, await listRegistryContainers(docker), local, ctx.signal);
  printRows(ctx, [
    { header: 'NAME', value: (r: MirrorRow) => r.name },
    { header: 'UPSTREAM', value: (r: MirrorRow) => r.upstream },
    { header: 'ADDRESS', value: (r: MirrorRow) => r.address ?? '-' },
    { header: 'STATUS', value: (r: MirrorRow) => r.status },
    { header: 'SIZE', value: (r: MirrorRow) => (r.size === null ? '-' : formatBytes(r.size)) },
    { header: 'IMAGES', value: (r: MirrorRow) => (r.images === null ? '-' : String(r.images)) },
  ], rows);
  return 0;
}
