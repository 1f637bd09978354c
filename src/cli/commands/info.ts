// info (ps): every registry container on the engine, ours and plain ones, running or not.
import { defineCommand } from '../command.ts';
import { printRows } from '../output/print.ts';
import { formatBytes } from '../output/table.ts';
import { listRegistryContainers } from '../../server/container.ts';
import { mirrorOf } from '../../server/mirrors.ts';
import { storageSize } from '../../storage/sizes.ts';
import { describeRegistrySecurity, registrySecurity, type RegistrySecurity } from '../../server/security-info.ts';
import { describeStorage } from './stat.ts';

interface InfoRow extends RegistrySecurity {
  registry: string | null;
  container: string;
  id: string;
  state: string;
  running: boolean;
  status: string;
  storageArea: string;
  size: number | null;
  image: string;
  managed: boolean;
  /** The upstream a mirror proxies; null for a registry. */
  mirrorOf: string | null;
}

export const infoCommand = defineCommand({
  command: 'info',
  aliases: ['ps'],
  describe: 'List every registry container: address, state, login and TLS, storage area and its size, image, and what a mirror mirrors',
  run: async (_args, ctx) => {
    const { docker, local } = await ctx.engine();
    const containers = await listRegistryContainers(docker);
    const rows: InfoRow[] = await Promise.all(containers.map(async (c) => ({
      registry: c.registry ?? null,
      container: c.name,
      id: c.id,
      state: c.state,
      running: c.running,
      status: c.status,
      storageArea: describeStorage(c),
      size: (await storageSize(docker, c, local, ctx.signal)) ?? null,
      image: c.image,
      managed: c.managed,
      mirrorOf: mirrorOf(c) ?? null,
      ...(await registrySecurity(c, local, ctx.signal)),
    })));
    rows.sort((a, b) => (a.registry ?? '~').localeCompare(b.registry ?? '~') || a.container.localeCompare(b.container));
    printRows(ctx, [
      { header: 'REGISTRY', value: (r: InfoRow) => r.registry ?? '-' },
      { header: 'CONTAINER', value: (r: InfoRow) => r.container },
      { header: 'STATUS', value: (r: InfoRow) => r.status },
      { header: 'SECURITY', value: (r: InfoRow) => describeRegistrySecurity(r) },
      { header: 'STORAGE AREA', value: (r: InfoRow) => r.storageArea },
      { header: 'SIZE', value: (r: InfoRow) => (r.size === null ? '-' : formatBytes(r.size)) },
      { header: 'IMAGE', value: (r: InfoRow) => r.image },
      { header: 'MIRROR OF', value: (r: InfoRow) => r.mirrorOf ?? '-' },
    ], rows);
    return 0;
  },
});
