// mirror: pull-through caches of Docker Hub and other registries, run and managed like the
// registry (start, stop, rm, ls), and the settings other runtimes need (config).
import { defineCommand } from '../command.ts';
import { checkMirrorOptions, MIRROR_OPTIONS, MIRROR_POSITIONALS, MIRROR_SUBCOMMANDS, type MirrorArgs } from '../mirror/options.ts';
import { mirrorStart } from '../mirror/start.ts';
import { mirrorStop, mirrorRemove } from '../mirror/stop.ts';
import { mirrorColumns, mirrorList } from '../mirror/ls.ts';
import { mirrorConfig } from '../mirror/config.ts';
import { mirrorTrim } from '../mirror/trim.ts';

const actions = { start: mirrorStart, stop: mirrorStop, rm: mirrorRemove, ls: mirrorList, config: mirrorConfig, trim: mirrorTrim };

export const mirrorCommand = defineCommand<MirrorArgs>({
  command: 'mirror <action> [upstream]',
  describe: 'Run a pull-through cache (mirror) of Docker Hub or another registry: start, stop, rm, ls, config, trim',
  fields: mirrorColumns,
  readme:
    'A pull-through cache of Docker Hub (default) or another registry, on its own loopback port (`-r localhost:PORT` chooses): ' +
    'see [A Docker Hub mirror](#a-docker-hub-mirror)',
  subcommands: MIRROR_SUBCOMMANDS,
  positionals: MIRROR_POSITIONALS,
  options: MIRROR_OPTIONS,
  epilog:
    'A mirror is a registry container in proxy mode on its own loopback port (Docker Hub: localhost:5002; others: the first free ' +
    'from 5003; -r localhost:PORT chooses), with its data in ' +
    "~/.jindr/mirrors/NAME. It pulls with your Docker login to the upstream, kept in a file of mode 0600, never in the container's " +
    'environment or command. ls, lsi, inspect, rmi, rmr and gc work on it with -r. With --engine, Docker pulls Docker Hub images through it.',
  run: async (args, ctx) => {
    checkMirrorOptions(args);
    return actions[args.action](args, ctx);
  },
});
