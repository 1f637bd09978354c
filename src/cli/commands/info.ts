// info (ps): every registry container on the engine, ours and plain ones, running or not.
import { defineCommand } from '../command.ts';
import { overviewColumns, printOverview } from '../output/overview.ts';
import { connectedClusters } from '../../cluster/cluster-keep.ts';
import { registryOverview } from '../../storage/overview.ts';
import { mirrorMode } from '../../mirror/mirrors.ts';

export const infoCommand = defineCommand({
  command: 'info',
  aliases: ['ps'],
  describe: 'List every registry container: address, state, login and TLS, storage area and its size, image, and what a mirror mirrors',
  fields: overviewColumns(undefined),
  readme:
    'Every registry container: REGISTRY, CONTAINER, STATUS, SECURITY (login and TLS, e.g. `htpasswd + TLS`), STORAGE AREA (a volume by its ' +
    "first 12 characters, a path under your home with `~`; JSON has them whole), SIZE, IMAGE, and MIRROR OF (a mirror's upstream, when a " +
    'mirror is listed, with `(offline)` while it serves its cache without its upstream); above the table (on stderr), the engine and where it is, e.g. `engine: Podman 4.3.1 at unix:///run/podman/podman.sock`; ' +
    'below it (on stderr), the clusters `connect` has connected, e.g. `connected: kind cluster dev (network kind)`',
  run: async (_args, ctx) => {
    const engine = await ctx.engine();
    const rows = await registryOverview(engine, ctx.signal, mirrorMode);
    // Which engine (Docker's or Podman's, and where), above the table; JSON stays rows only.
    if (ctx.format === 'table') ctx.info(`engine: ${(await engine.identify()).name} at ${engine.describe}`);
    printOverview(ctx, rows);
    // The clusters connect has joined to registries, below it (on stderr).
    if (ctx.format === 'table') for (const line of connectedClusters(ctx.env, engine.endpoint.host)) ctx.info(line);
    return 0;
  },
});
