// logs: the registry container's log; -f follows it until the container stops or Ctrl-C.
import { defineCommand } from '../command.ts';
import { findRegistryContainer } from '../../server/container.ts';
import { streamLogs } from '../../server/logs.ts';
import { parseLocalRegistry } from '../../server/address.ts';
import { NotFoundError, UsageError } from '../../errors.ts';
import { jindrCommand } from '../../registry/host.ts';

export const logsCommand = defineCommand<{ follow: boolean; tail?: number }>({
  command: 'logs',
  describe: "Show the registry's log",
  builder: (yargs) =>
    yargs
      .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'Follow the log until Ctrl-C' })
      .option('tail', { type: 'number', describe: 'Only the last N lines' }),
  run: async (args, ctx) => {
    if (args.tail !== undefined && !(Number.isInteger(args.tail) && args.tail >= 0)) {
      throw new UsageError('--tail needs a whole number of lines, 0 or more');
    }
    const address = parseLocalRegistry(ctx.registry);
    const { docker } = await ctx.engine();
    const c = await findRegistryContainer(docker, address);
    if (!c) throw new NotFoundError(`no registry container for ${address.registry}: start one with: ${jindrCommand(ctx.registry, 'start')}`);
    await streamLogs(docker, c, { stdout: ctx.stdout, stderr: ctx.stderr }, {
      follow: args.follow,
      signal: ctx.signal,
      ...(args.tail !== undefined ? { tail: args.tail } : {}),
    });
    return 0;
  },
});
