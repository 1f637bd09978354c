// info (ps): every registry container on the engine, ours and plain ones, running or not.
import { defineCommand } from '../command.ts';
import { overviewColumns, printOverview } from '../output/overview.ts';
import { registryOverview } from '../../storage/overview.ts';

export const infoCommand = defineCommand({
  command: 'info',
  aliases: ['ps'],
  describe: 'List every registry container: address, state, login and TLS, storage area and its size, image, and what a mirror mirrors',
  fields: overviewColumns(undefined),
  run: async (_args, ctx) => {
    const engine = await ctx.engine();
    const rows = await registryOverview(engine, ctx.signal);
    // Which engine (Docker's or Podman's, and where), above the table; JSON stays rows only.
    if (ctx.format === 'table') ctx.info(`engine: ${(await engine.identify()).name} at ${engine.describe}`);
    printOverview(ctx, rows);
    return 0;
  },
});
