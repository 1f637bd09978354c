// push: an image into the Docker engine of an ssh host, sending only what it lacks.
import { defineCommand } from '../command.ts';
import { pushColumns, showPush } from '../output/push-report.ts';
import { registryClients } from '../registry-clients.ts';
import { checkJobs } from '../../registry/copy-session.ts';
import { pushOverSsh } from '../../server/ssh-push.ts';

interface PushArgs {
  remote: string;
  image: string;
  jobs: number;
  quiet: boolean;
}

export const pushCommand = defineCommand<PushArgs>({
  command: 'push <remote> <image>',
  describe: 'Put an image into the Docker engine of an ssh host, sending only the layers it lacks',
  fields: pushColumns,
  readme:
    'Puts IMAGE (from the registry of `-r`, or else from the local engine) into the Docker engine at `ssh://[USER@]HOST[:PORT]` ' +
    "under the same name and digest, sending only the blobs the host lacks, as unregistry's `docker pussh` does: through your own " +
    "`ssh` to a registry container on the host's 127.0.0.1, nothing published on its network. See " +
    '[push](#push-an-image-onto-a-server-over-ssh)',
  positionals: {
    remote: { describe: 'ssh://[USER@]HOST[:PORT]: a host, or a Host alias of ~/.ssh/config, running Docker' },
    image: { describe: 'IMAGE[:TAG] in the registry (-r), else in the local engine; the tag defaults to latest' },
  },
  options: {
    jobs: { alias: 'j', type: 'number', default: 4, describe: 'Blobs transferred at once' },
    quiet: { alias: 'q', type: 'boolean', default: false, describe: 'No progress; print only the image pushed' },
  },
  examples: [
    ['$0 push ssh://deploy@web1 app:v1', 'put app:v1 of the local registry into the engine of web1'],
    ['$0 push ssh://prod myapp:latest', 'through the Host prod of ~/.ssh/config'],
  ],
  run: async (args, ctx) => {
    const jobs = checkJobs(args.jobs);
    const info = args.quiet ? undefined : (m: string) => ctx.info(m);
    await showPush(ctx, args.quiet, (progress, events) =>
      pushOverSsh({
        url: args.remote,
        image: args.image,
        registry: ctx.registry,
        open: registryClients(ctx),
        localEngine: () => ctx.engine(),
        env: ctx.env,
        signal: ctx.signal,
        jobs,
        progress,
        events,
        critical: (fn) => ctx.critical(fn),
        info,
      }),
    );
  },
});
