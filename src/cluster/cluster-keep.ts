// Keeping connected clusters connected: when up or mirror start has (re-)created a
// registry or mirror container that connect had joined to a cluster's network, it joins
// it again under the same alias. The one hook, called by src/cli/commands/start.ts and
// src/cli/mirror/start.ts after the container runs.
import type Docker from 'dockerode';
import { allConnections, type Connection } from './cluster-state.ts';
import { joinNetwork, nameOnNetwork } from './cluster-network.ts';
import { errorMessage } from '../errors.ts';

/** Joins the container again to each connected cluster's network it had been joined to; returns what it did, as notices. */
export async function keepClustersConnected(
  docker: Docker,
  env: NodeJS.ProcessEnv,
  engine: string,
  container: { id: string; name: string },
): Promise<string[]> {
  let connections: Connection[];
  try {
    connections = allConnections(env, engine).filter((c) => c.joined.some((j) => j.container === container.name));
  } catch (err) {
    return [`warning: cannot read which clusters are connected: ${errorMessage(err)}`]; // never stops up or mirror start
  }
  if (connections.length === 0) return [];
  const notices: string[] = [];
  const details = await docker.getContainer(container.id).inspect();
  for (const c of connections) {
    const alias = c.joined.find((j) => j.container === container.name)!.alias;
    if (nameOnNetwork(details, c.network, alias) !== undefined) continue;
    try {
      await joinNetwork(docker, container.id, c.network, alias);
      notices.push(
        `joined ${container.name} to the network ${c.network} again, as ${alias}: the ${c.tool} cluster ${c.cluster} stays connected`,
      );
    } catch (err) {
      notices.push(`warning: the ${c.tool} cluster ${c.cluster} is no longer connected to ${container.name}: ${errorMessage(err)}`);
    }
  }
  return notices;
}

/** The connected clusters, as info shows them (a line each, above the table); a damaged record is a warning there. */
export function connectedClusters(env: NodeJS.ProcessEnv, engine: string): string[] {
  try {
    return allConnections(env, engine).map((c) => `connected: ${c.tool} cluster ${c.cluster} (network ${c.network})`);
  } catch (err) {
    return [`warning: ${errorMessage(err)}`];
  }
}
