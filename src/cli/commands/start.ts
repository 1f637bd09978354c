// start (up): run the registry for -r HOST:PORT, creating its container the first time.
import { defineCommand } from '../command.ts';
import { printStarted } from '../output/started.ts';
import { SECURITY_OPTIONS, securityRequest, type SecurityArgs } from '../start-security.ts';
import { parseLocalRegistry } from '../../server/address.ts';
import { DEFAULT_DATA_DIR, resolveDataDir } from '../../server/prestart-checks.ts';
import { DEFAULT_IMAGE } from '../../server/lifecycle.ts';
import { startWithSecurity } from '../../server/secure-start.ts';
import { keepClustersConnected } from '../../cluster/cluster-keep.ts';
import { UsageError } from '../../errors.ts';
import { S3_OPTIONS, s3Request, s3Usable } from '../start-storage.ts';
import { prepareS3Storage, s3ConfigFile } from '../../server/s3-storage.ts';

export const startCommand = defineCommand<
  { data?: string; name?: string; image?: string; storage?: string; s3Endpoint?: string; s3Region?: string } & SecurityArgs
>({
  command: 'start',
  aliases: ['up'],
  describe: 'Start the registry (on 127.0.0.1 unless --bind; creates its container the first time)',
  options: {
    data: {
      alias: 'd',
      type: 'string',
      normalize: true,
      value: 'DIR',
      defaultText: `\`${DEFAULT_DATA_DIR}\``,
      readme: 'created if missing',
      describe: `Host directory for the registry's data, created if missing (default ${DEFAULT_DATA_DIR})`,
    },
    name: {
      alias: 'n',
      type: 'string',
      value: 'NAME',
      defaultText: '`jindr-PORT`',
      describe: 'Name of the registry container (default jindr-PORT, e.g. jindr-5001)',
    },
    image: {
      type: 'string',
      value: 'IMAGE',
      defaultText: `\`${DEFAULT_IMAGE}\``,
      describe: `Registry image (default ${DEFAULT_IMAGE}; registry:2 works too)`,
    },
    ...S3_OPTIONS,
    ...SECURITY_OPTIONS,
  },
  readme:
    'Starts the registry for `-r`, creating its container the first time (published on 127.0.0.1 only unless `--bind`, deletes enabled, data in DIR); ' +
    'pulls the image with progress when missing; says "already running" when it is; on a Podman engine, allows plain HTTP to the registry ' +
    "in Podman's registries.conf.d (see [Podman](#podman)). Refuses a taken port, a non-local `-r`, a data directory it cannot write, or one " +
    'another registry container keeps its data in (a second registry on another port needs its own `-d`). `--auth` with `--password-stdin`, ' +
    '`--tls`, `--san`, `--cert` with `--key`, `--bind` and `--insecure-expose` make a registry others may use: see [A registry others may use](#a-registry-others-may-use); ' +
    '`--storage s3://BUCKET[/PREFIX]` keeps the data in an S3 bucket instead: see [Storage in an S3 bucket](#storage-in-an-s3-bucket)',
  run: async (args, ctx) => {
    for (const [flag, value] of [
      ['-d/--data', args.data],
      ['-n/--name', args.name],
      ['--image', args.image],
      ['--storage', args.storage],
      ['--s3-endpoint', args.s3Endpoint],
      ['--s3-region', args.s3Region],
    ] as const) {
      if (value !== undefined && value.trim() === '') throw new UsageError(`${flag} needs a value`);
    }
    const address = parseLocalRegistry(ctx.registry);
    const s3 = s3Request(args);
    const request = await securityRequest(args, ctx);
    const { docker, local, endpoint, identify } = await ctx.engine();
    const storage = s3 && (await prepareS3Storage(ctx.env, address.registry, s3Usable(s3, local), ctx.signal));
    const result = await startWithSecurity(
      { docker, local, endpoint, kind: (await identify()).kind, progress: ctx.stderr, signal: ctx.signal, processEnv: ctx.env },
      {
        address,
        dataDir: args.data === undefined ? undefined : resolveDataDir(args.data, ctx.env),
        defaultDataDir: resolveDataDir(DEFAULT_DATA_DIR, ctx.env),
        name: args.name,
        image: args.image,
        ...(storage ? { storage } : {}),
      },
      request,
      (message) => ctx.info(message),
    );
    printStarted(ctx, address, result);
    // gc on that storage must know of every registry writing to it; one a killed gc left read-only is read-write again.
    if (result.container.storage.kind === 's3') {
      const record = { endpoint: endpoint.host, registry: address.registry, configFile: s3ConfigFile(ctx.env, address.registry), local };
      const { keepOnStore } = await import('../../gc/s3-window.ts');
      await ctx.critical(() => keepOnStore(docker, result.container, record, (m) => ctx.info(m), ctx.signal));
    }
    for (const notice of await keepClustersConnected(docker, ctx.env, endpoint.host, result.container)) ctx.info(notice);
    return 0;
  },
});
