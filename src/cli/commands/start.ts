// start (up): run the registry for -r HOST:PORT, creating its container the first time.
import { defineCommand } from '../command.ts';
import { printStarted } from '../output/started.ts';
import { SECURITY_OPTIONS, securityRequest, type SecurityArgs } from '../start-security.ts';
import { parseLocalRegistry } from '../../server/address.ts';
import { DEFAULT_DATA_DIR, resolveDataDir } from '../../server/prestart-checks.ts';
import { DEFAULT_IMAGE } from '../../server/lifecycle.ts';
import { startWithSecurity } from '../../server/secure-start.ts';
import { UsageError } from '../../errors.ts';

export const startCommand = defineCommand<{ data?: string; name?: string; image?: string } & SecurityArgs>({
  command: 'start',
  aliases: ['up'],
  describe: 'Start the registry (on 127.0.0.1 unless --bind; creates its container the first time)',
  options: {
    data: { alias: 'd', type: 'string', normalize: true, value: 'DIR', describe: `Host directory for the registry's data, created if missing (default ${DEFAULT_DATA_DIR})` },
    name: { alias: 'n', type: 'string', value: 'NAME', describe: 'Name of the registry container (default jindr-PORT, e.g. jindr-5001)' },
    image: { type: 'string', value: 'IMAGE', describe: `Registry image (default ${DEFAULT_IMAGE}; registry:2 works too)` },
    ...SECURITY_OPTIONS,
  },
  run: async (args, ctx) => {
    for (const [flag, value] of [['-d/--data', args.data], ['-n/--name', args.name], ['--image', args.image]] as const) {
      if (value !== undefined && value.trim() === '') throw new UsageError(`${flag} needs a value`);
    }
    const address = parseLocalRegistry(ctx.registry);
    const request = await securityRequest(args, ctx);
    const { docker, local, endpoint, identify } = await ctx.engine();
    const result = await startWithSecurity(
      { docker, local, endpoint, kind: (await identify()).kind, progress: ctx.stderr, signal: ctx.signal, processEnv: ctx.env },
      {
        address,
        dataDir: args.data === undefined ? undefined : resolveDataDir(args.data, ctx.env),
        defaultDataDir: resolveDataDir(DEFAULT_DATA_DIR, ctx.env),
        name: args.name,
        image: args.image,
      },
      request,
      (message) => ctx.info(message),
    );
    printStarted(ctx, address, result);
    return 0;
  },
});
