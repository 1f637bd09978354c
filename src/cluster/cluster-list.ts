// connect without a name: the local clusters and whether docker-jindr has connected each.
import type Docker from 'dockerode';
import { listClusters, type ClusterTool } from './cluster-discovery.ts';
import { allConnections } from './cluster-state.ts';

export interface ClusterRow {
  name: string;
  tool: ClusterTool;
  nodes: string[];
  network: string | undefined;
  connected: boolean;
}

export async function clusterRows(docker: Docker, env: NodeJS.ProcessEnv, engine: string): Promise<ClusterRow[]> {
  const connected = allConnections(env, engine);
  return (await listClusters(docker)).map((c) => ({
    name: c.name,
    tool: c.tool,
    nodes: c.nodes.map((n) => n.name),
    network: c.network,
    connected: connected.some((s) => s.tool === c.tool && s.cluster === c.name),
  }));
}
