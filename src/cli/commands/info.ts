// info (ps): every registry container on the engine, ours and plain ones, running or not.
import { defineCommand } from '../command.ts';
import { printRows } from '../output/print.ts';
import { formatBytes } from '../output/table.ts';
import { describeRegistrySecurity } from '../../server/security-info.ts';
import { registryOverview, type RegistryOverview } from '../../storage/overview.ts';

export const infoCommand = defineCommand({
  command: 'info',
  aliases: ['ps'],
  describe: 'List every registry container: address, state, login and TLS, storage area and its size, image, and what a mirror mirrors',
  run: async (_args, ctx) => {
    const engine = await ctx.engine();
    const rows = await registryOverview(engine, ctx.signal);
    // Which engine (Docker's or Podman's, and where), above the table; JSON stays rows only.
    if (ctx.format === 'table') ctx.info(`engine: ${(await engine.identify()).name} at ${engine.describe}`);
    printRows(ctx, [
      { header: 'REGISTRY', value: (r: RegistryOverview) => r.registry ?? '-' },
      { header: 'CONTAINER', value: (r: RegistryOverview) => r.container },
      { header: 'STATUS', value: (r: RegistryOverview) => r.status },
      { header: 'SECURITY', value: (r: RegistryOverview) => describeRegistrySecurity(r) },
      { header: 'STORAGE AREA', value: (r: RegistryOverview) => r.storageArea },
      { header: 'SIZE', value: (r: RegistryOverview) => (r.size === null ? '-' : formatBytes(r.size)) },
      { header: 'IMAGE', value: (r: RegistryOverview) => r.image },
      { header: 'MIRROR OF', value: (r: RegistryOverview) => r.mirrorOf ?? '-' },
    ], rows);
    return 0;
  },
});
