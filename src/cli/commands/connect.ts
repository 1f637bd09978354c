// connect [CLUSTER]: lists the local Kubernetes clusters (kind, k3d, minikube); with a name,
// makes the cluster pull from the registry (-r) and the running mirrors; --rm undoes it.
import { defineCommand } from '../command.ts';
import { clusterColumns, printClusters, printConnect, printDisconnect } from '../output/connect-report.ts';
import { clusterRows } from '../../cluster/cluster-list.ts';
import { connectCluster } from '../../cluster/cluster-connect.ts';
import { disconnectCluster } from '../../cluster/cluster-disconnect.ts';
import { parseLocalRegistry } from '../../server/address.ts';
import { UsageError } from '../../errors.ts';

interface ConnectArgs {
  cluster?: string;
  rm: boolean;
}

export const connectCommand = defineCommand<ConnectArgs>({
  command: 'connect [cluster]',
  describe: 'List local Kubernetes clusters (kind, k3d, minikube), or make one pull from the registry and the running mirrors',
  fields: clusterColumns,
  readme:
    "Without CLUSTER: the local clusters found by their node containers' labels (NAME, TOOL, NODES, NETWORK, CONNECTED). With CLUSTER: joins the " +
    "registry (-r) and every running mirror to the cluster's network, writes containerd's `hosts.toml` (k3d: `registries.yaml`) in every node " +
    'and publishes the `local-registry-hosting` ConfigMap; `--rm` undoes exactly that: see [Local Kubernetes](#local-kubernetes)',
  positionals: {
    cluster: { describe: 'The cluster, by the name its tool gave it (kind create cluster --name NAME)' },
  },
  options: {
    rm: {
      type: 'boolean',
      default: false,
      describe:
        'Undo what connect wrote for CLUSTER: files in the nodes, networks joined, the ConfigMap (the one there before is put back)',
    },
  },
  examples: [
    ['$0 connect', 'list the local clusters'],
    ['$0 connect kind', "connect kind's default cluster to the registry on localhost:5001 and the running mirrors"],
    ['$0 connect --rm kind', 'undo it'],
  ],
  epilog:
    'Nodes added to the cluster later need connect again. A node whose containerd has no registry config_path is refused: create the cluster ' +
    "with kind's containerdConfigPatches (README, Local Kubernetes). kubectl, when on PATH, publishes the ConfigMap; else connect prints it.",
  run: async (args, ctx) => {
    if (args.cluster === undefined && args.rm)
      throw new UsageError('connect --rm needs the CLUSTER to disconnect: docker jindr connect --rm NAME');
    const { docker, endpoint } = await ctx.engine();
    if (args.cluster === undefined) {
      return printClusters(ctx, await clusterRows(docker, ctx.env, endpoint.host));
    }
    if (args.rm) return printDisconnect(ctx, await ctx.critical(() => disconnectCluster(docker, ctx.env, endpoint.host, args.cluster!)));
    const address = parseLocalRegistry(ctx.registry);
    printConnect(
      ctx,
      await ctx.critical(() => connectCluster(docker, { cluster: args.cluster!, address, env: ctx.env, engine: endpoint.host })),
    );
  },
});
