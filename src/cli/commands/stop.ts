// stop (down): stop the registry container. The container is kept, stopped (not removed):
// `info` still shows it and its storage area, and `start` starts it again as it was
// (same data directory, image and name). The data lives in the host directory either way.
import { defineCommand } from '../command.ts';
import { GRACE_OPTION, graceMs } from '../grace-option.ts';
import { printGcBeforeStop } from '../output/gc-report.ts';
import { session } from '../session.ts';
import { parseLocalRegistry } from '../../server/address.ts';
import { describeStorage } from '../../server/status.ts';
import { stopRegistry } from '../../gc/collect.ts';

export const stopCommand = defineCommand<{ 'no-gc': boolean; grace?: string }>({
  command: 'stop',
  aliases: ['down'],
  describe: 'Stop the registry (collects garbage first; the container and its data are kept)',
  // A flag of its own named no-gc: the parser knows no --no-X negation (pflag has none either).
  options: {
    'no-gc': { alias: 'G', type: 'boolean', default: false, describe: 'Do not collect garbage before stopping' },
    grace: GRACE_OPTION,
  },
  readme: 'Collects garbage (as `gc`, unless `--no-gc`), then stops the registry; the container and data are kept',
  run: async (args, ctx) => {
    const address = parseLocalRegistry(ctx.registry);
    const grace = graceMs(args.grace);
    // Garbage collection runs first (skipped by -G/--no-gc); it stops the container itself.
    const result = await stopRegistry(await ctx.engine(), address, {
      ...session(ctx),
      gc: !args.noGc,
      graceMs: grace,
      collected: (r) => printGcBeforeStop(ctx, r),
    });
    if (result.outcome === 'absent') ctx.info(`no registry container for ${address.registry}: nothing to stop`);
    else if (result.outcome === 'not-running')
      ctx.stdout.write(`registry on ${address.registry} is not running (container ${result.container.name})\n`);
    else
      ctx.stdout.write(
        `registry stopped: ${result.container.name} on ${address.registry} (container kept, data in ${describeStorage(result.container)})\n`,
      );
    return 0;
  },
});
