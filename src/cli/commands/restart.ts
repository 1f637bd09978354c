// restart: restart the registry container (or start it when it is stopped).
import { defineCommand } from '../command.ts';
import { findRegistryContainer, restartRegistryContainer, startRegistryContainer, waitUntilServing } from '../../server/container.ts';
import { checkPortFree } from '../../server/prestart-checks.ts';
import { parseLocalRegistry } from '../../server/address.ts';
import { refreshTls } from '../../server/tls-trust.ts';
import { NotFoundError } from '../../errors.ts';
import { jindrCommand } from '../../registry/host.ts';

export const restartCommand = defineCommand({
  command: 'restart',
  describe: 'Restart the registry',
  run: async (_args, ctx) => {
    const address = parseLocalRegistry(ctx.registry);
    const { docker, local } = await ctx.engine();
    const c = await findRegistryContainer(docker, address);
    if (!c) {
      throw new NotFoundError(`no registry container for ${address.registry}: start one with: ${jindrCommand(ctx.registry, 'start')}`);
    }
    // A certificate docker jindr made is renewed here when due (start --tls).
    await refreshTls(docker, c, { local, env: ctx.env, info: (m) => ctx.info(m) });
    if (c.running) {
      await ctx.critical(() => restartRegistryContainer(docker, c));
    } else {
      await checkPortFree(docker, address, local);
      await startRegistryContainer(docker, c);
    }
    await waitUntilServing(docker, c, { local, signal: ctx.signal });
    ctx.stdout.write(`registry restarted: ${c.name} on ${address.registry}\n`);
    return 0;
  },
});
