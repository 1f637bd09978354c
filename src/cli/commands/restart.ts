// restart: restart the registry container (or start it when it is stopped). A mirror whose
// proxy cannot reach its upstream comes back offline, serving its cache (mirror-offline.ts).
import { defineCommand } from '../command.ts';
import { session } from '../session.ts';
import { parseLocalRegistry } from '../../server/address.ts';
import { restartRegistry } from '../../server/restart.ts';
import { findRegistryContainer, mirrorOf } from '../../server/container.ts';
import { describeOffline, restartMirror } from '../../mirror/mirror-offline.ts';
import { upstreamOf } from '../../mirror/mirrors.ts';

export const restartCommand = defineCommand({
  command: 'restart',
  describe: 'Restart the registry',
  run: async (_args, ctx) => {
    const address = parseLocalRegistry(ctx.registry);
    const engine = await ctx.engine();
    const since = Math.floor(Date.now() / 1000);
    const c = await restartRegistry(engine, address, { ...session(ctx), env: ctx.env }).catch(async (err: unknown) => {
      const mirror = await findRegistryContainer(engine.docker, address);
      if (mirror === undefined || mirrorOf(mirror) === undefined) throw err;
      const upstream = upstreamOf(mirror);
      const { container, offline } = await restartMirror({ ...engine, signal: ctx.signal }, upstream, mirror, since);
      if (offline) for (const line of describeOffline(upstream, offline)) ctx.info(line);
      return container;
    });
    ctx.stdout.write(`registry restarted: ${c.name} on ${address.registry}\n`);
    return 0;
  },
});
