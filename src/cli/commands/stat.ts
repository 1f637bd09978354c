// stat (status): one line saying whether the registry runs; exit 0 when it does, 1 when not.
import { defineCommand } from '../command.ts';
import { printStatus, statusColumns } from '../output/status.ts';
import { parseLocalRegistry } from '../../server/address.ts';
import { registryStatus } from '../../server/status.ts';

export const statCommand = defineCommand({
  command: 'stat',
  aliases: ['status'],
  describe: 'Say whether the registry is running (exit 0 when it is, 1 when not)',
  fields: statusColumns,
  run: async (_args, ctx) => {
    const address = parseLocalRegistry(ctx.registry);
    const status = await registryStatus(await ctx.engine(), address, ctx.signal);
    printStatus(ctx, status);
    return status.container?.running ? 0 : 1;
  },
});
