// logs: the registry container's log; -f follows it until the container stops or Ctrl-C.
import { defineCommand } from '../command.ts';
import { parseLocalRegistry } from '../../server/address.ts';
import { registryLogs } from '../../server/logs.ts';
import { UsageError } from '../../errors.ts';

export const logsCommand = defineCommand<{ follow: boolean; tail?: number }>({
  command: 'logs',
  describe: "Show the registry's log",
  options: {
    follow: { alias: 'f', type: 'boolean', default: false, describe: 'Follow the log until Ctrl-C' },
    tail: { type: 'number', describe: 'Only the last N lines' },
  },
  run: async (args, ctx) => {
    if (args.tail !== undefined && !(Number.isInteger(args.tail) && args.tail >= 0)) {
      throw new UsageError('--tail needs a whole number of lines, 0 or more');
    }
    const address = parseLocalRegistry(ctx.registry);
    const { docker } = await ctx.engine();
    await registryLogs(
      docker,
      address,
      { stdout: ctx.stdout, stderr: ctx.stderr },
      {
        follow: args.follow,
        signal: ctx.signal,
        ...(args.tail !== undefined ? { tail: args.tail } : {}),
      },
    );
    return 0;
  },
});
