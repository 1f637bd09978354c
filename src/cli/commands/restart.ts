// restart: restart the registry container (or start it when it is stopped).
import { defineCommand } from '../command.ts';
import { session } from '../session.ts';
import { parseLocalRegistry } from '../../server/address.ts';
import { restartRegistry } from '../../server/restart.ts';

export const restartCommand = defineCommand({
  command: 'restart',
  describe: 'Restart the registry',
  run: async (_args, ctx) => {
    const address = parseLocalRegistry(ctx.registry);
    const c = await restartRegistry(await ctx.engine(), address, { ...session(ctx), env: ctx.env });
    ctx.stdout.write(`registry restarted: ${c.name} on ${address.registry}\n`);
    return 0;
  },
});
