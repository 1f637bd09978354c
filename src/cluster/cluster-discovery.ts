// Local Kubernetes clusters, found by the labels their tools put on node containers (kind,
// k3d, minikube): which containers are a cluster's nodes, the network they share, and the
// kubeconfig context each tool names after the cluster. Pure but for the one listing.
import type Docker from 'dockerode';

export type ClusterTool = 'kind' | 'k3d' | 'minikube';

/** The label each tool puts on a node container; its value is the cluster's name. */
export const CLUSTER_LABELS: Readonly<Record<ClusterTool, string>> = {
  kind: 'io.x-k8s.kind.cluster',
  k3d: 'k3d.cluster',
  minikube: 'name.minikube.sigs.k8s.io',
};

/** Containers a tool labels with the cluster's name that run no containerd (load balancers, k3d's own registry and tools). */
const NOT_NODES: ReadonlyArray<readonly [string, string]> = [
  ['io.x-k8s.kind.role', 'external-load-balancer'],
  ['k3d.role', 'loadbalancer'],
  ['k3d.role', 'registry'],
  ['k3d.role', 'noRole'],
];

export interface ClusterNode {
  id: string;
  name: string;
  running: boolean;
  /** The networks it is attached to, by name. */
  networks: string[];
  /** Their IDs, by name. */
  networkIds: Record<string, string>;
}

export interface Cluster {
  name: string;
  tool: ClusterTool;
  nodes: ClusterNode[];
  /** The network every node is on (kind: kind, k3d: k3d-NAME, minikube: NAME); undefined when they share none. */
  network: string | undefined;
  /** That network's ID: Docker lets two networks share a name, and a name that two have is refused when joining. */
  networkId: string | undefined;
}

/** What the engine's container listing says of one container (the fields used here). */
export interface ListedContainer {
  Id: string;
  Names?: string[];
  State?: string;
  Labels?: Record<string, string>;
  NetworkSettings?: { Networks?: Record<string, unknown> };
}

const BUILT_IN_NETWORKS = new Set(['bridge', 'host', 'none']);

/** The clusters among listed containers, sorted by name then tool. */
export function clustersFrom(containers: readonly ListedContainer[]): Cluster[] {
  const byKey = new Map<string, Cluster>();
  for (const c of containers) {
    const labels = c.Labels ?? {};
    if (NOT_NODES.some(([label, value]) => labels[label] === value)) continue;
    for (const tool of Object.keys(CLUSTER_LABELS) as ClusterTool[]) {
      const name = labels[CLUSTER_LABELS[tool]];
      if (name === undefined || name === '') continue;
      const key = `${tool}\0${name}`;
      const cluster = byKey.get(key) ?? { name, tool, nodes: [], network: undefined, networkId: undefined };
      byKey.set(key, cluster);
      cluster.nodes.push({
        id: c.Id,
        name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''),
        running: c.State === 'running',
        networks: Object.keys(c.NetworkSettings?.Networks ?? {}).sort(),
        networkIds: Object.fromEntries(
          Object.entries(c.NetworkSettings?.Networks ?? {}).flatMap(([n, e]) => {
            const id = (e as { NetworkID?: unknown } | null)?.NetworkID;
            return typeof id === 'string' && id !== '' ? [[n, id]] : [];
          }),
        ),
      });
    }
  }
  const clusters = [...byKey.values()].map((c) => ({ ...c, nodes: c.nodes.sort((a, b) => a.name.localeCompare(b.name)) }));
  for (const c of clusters) {
    c.network = sharedNetwork(c);
    c.networkId = c.network === undefined ? undefined : c.nodes[0]?.networkIds[c.network];
  }
  return clusters.sort((a, b) => a.name.localeCompare(b.name) || a.tool.localeCompare(b.tool));
}

/** The network all nodes are on; a user-defined one before Docker's own, the tool's usual name first. */
function sharedNetwork(cluster: Cluster): string | undefined {
  const [first, ...rest] = cluster.nodes;
  if (!first) return undefined;
  const shared = first.networks.filter((n) => rest.every((node) => node.networks.includes(n)));
  const usual = { kind: 'kind', k3d: `k3d-${cluster.name}`, minikube: cluster.name }[cluster.tool];
  return shared.find((n) => n === usual) ?? shared.find((n) => !BUILT_IN_NETWORKS.has(n)) ?? shared[0];
}

/** The kubeconfig context each tool writes for the cluster. */
export function kubeContext(cluster: Pick<Cluster, 'tool' | 'name'>): string {
  return cluster.tool === 'minikube' ? cluster.name : `${cluster.tool}-${cluster.name}`;
}

/** Every local cluster on the engine. */
export async function listClusters(docker: Docker): Promise<Cluster[]> {
  const filters = { label: Object.values(CLUSTER_LABELS) };
  const found = new Map<string, ListedContainer>();
  // One listing per label: the engine ANDs labels in one filter.
  for (const label of filters.label) {
    for (const c of await docker.listContainers({ all: true, filters: { label: [label] } })) found.set(c.Id, c);
  }
  return clustersFrom([...found.values()]);
}
