// stop (down): stop the registry container. The container is kept, stopped (not removed):
// `info` still shows it and its storage area, and `start` starts it again as it was
// (same data directory, image and name). The data lives in the host directory either way.
import { defineCommand } from '../command.ts';
import { findRegistryContainer, stopRegistryContainer } from '../../server/container.ts';
import { parseLocalRegistry } from '../../server/address.ts';
import { describeStorage } from './stat.ts';
import { collectBeforeStop } from './gc.ts';
import { GRACE_HELP, parseGrace } from '../../storage/gc-grace.ts';

export const stopCommand = defineCommand<{ 'no-gc': boolean; grace?: string }>({
  command: 'stop',
  aliases: ['down'],
  describe: 'Stop the registry (collects garbage first; the container and its data are kept)',
  builder: (yargs) =>
    yargs
      // The option is called no-gc, as before: not yargs' negation of a "gc" option.
      .parserConfiguration({ 'boolean-negation': false })
      .option('no-gc', {
        alias: 'G',
        type: 'boolean',
        default: false,
        describe: 'Do not collect garbage before stopping',
      })
      .option('grace', { type: 'string', describe: GRACE_HELP }),
  run: async (args, ctx) => {
    const graceMs = parseGrace(args.grace);
    const address = parseLocalRegistry(ctx.registry);
    const { docker } = await ctx.engine();
    const c = await findRegistryContainer(docker, address);
    if (!c) {
      ctx.info(`no registry container for ${address.registry}: nothing to stop`);
      return 0;
    }
    if (!c.running) {
      ctx.stdout.write(`registry on ${address.registry} is not running (container ${c.name})\n`);
      return 0;
    }
    if (!args.noGc) {
      // Garbage collection runs here, before the container stops (skipped by -G/--no-gc);
      // it stops the container itself and leaves it stopped.
      await collectBeforeStop(ctx, graceMs);
    }
    await ctx.critical(() => stopRegistryContainer(docker, c));
    ctx.stdout.write(`registry stopped: ${c.name} on ${address.registry} (container kept, data in ${describeStorage(c)})\n`);
    return 0;
  },
});
