// ui: a local web page to browse the registry of -r and clean it up (src/ui). The page
// talks only to this process, which talks to the registry with the user's Docker logins.
import pkg from '../../../package.json' with { type: 'json' };
import { defineCommand } from '../command.ts';
import { parseDuration } from '../duration.ts';
import { GRACE_OPTION, graceMs } from '../grace-option.ts';
import { registryClientFor } from '../registry-clients.ts';
import { UsageError } from '../../errors.ts';

export const uiCommand = defineCommand<{ port: number; open: boolean; grace?: string; force: boolean }>({
  command: 'ui',
  describe: 'Serve a page on 127.0.0.1 to browse and clean up the registry (Ctrl-C stops it)',
  options: {
    port: { alias: 'p', type: 'number', default: 0, defaultText: '0: a free port', describe: 'Port on 127.0.0.1 (default: a free one)' },
    open: { type: 'boolean', default: false, describe: 'Open the page in your browser' },
    grace: {
      ...GRACE_OPTION,
      readme: "for the page's gc and prune",
      describe: "The page's gc and prune keep what was written more recently than DURATION (as gc --grace) [default: 1h]",
    },
    force: {
      alias: 'f',
      type: 'boolean',
      default: false,
      readme: 'they may change a registry container docker jindr did not create',
      describe: "The page's gc and prune also change a registry container docker jindr did not create",
    },
  },
  readme: 'Serves a page on 127.0.0.1 to browse the registry and clean it up, until Ctrl-C: see [The page](#the-page-docker-jindr-ui)',
  epilog:
    "The printed URL carries a random access token: without it the page answers nothing. Its changes (delete, prune, gc) follow the command line's rules and ask for confirmation.",
  run: async (args, ctx) => {
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535)
      throw new UsageError('--port needs a port number from 1 to 65535 (or 0 for a free one)');
    const grace = graceMs(args.grace);
    const { serveUi } = await import('../../ui/serve.ts');
    const client = registryClientFor(ctx, ctx.registry.name);
    try {
      await serveUi(
        {
          registry: ctx.registry.name,
          client,
          version: pkg.version,
          signal: ctx.signal,
          engine: () => ctx.engine(),
          parseDuration,
          graceMs: grace,
          force: args.force,
          info: (m) => ctx.info(m),
          debug: (m) => ctx.debugLog(m),
          critical: (fn) => ctx.critical(fn),
        },
        { port: args.port, open: args.open, stdout: ctx.stdout },
      );
    } finally {
      await client.close();
    }
  },
});
