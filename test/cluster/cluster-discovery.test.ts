// Clusters from the labels kind, k3d and minikube put on node containers.
import test from 'ava';
import { clustersFrom, kubeContext, type ListedContainer } from '../../src/cluster/cluster-discovery.ts';

const node = (name: string, labels: Record<string, string>, networks: string[], state = 'running'): ListedContainer => ({
  Id: `id-${name}`,
  Names: [`/${name}`],
  State: state,
  Labels: labels,
  NetworkSettings: { Networks: Object.fromEntries(networks.map((n) => [n, { NetworkID: `net-${n}` }])) },
});

test('kind: nodes by io.x-k8s.kind.cluster, its load balancer left out, on the network kind', (t) => {
  const clusters = clustersFrom([
    node('dev-worker', { 'io.x-k8s.kind.cluster': 'dev', 'io.x-k8s.kind.role': 'worker' }, ['kind']),
    node('dev-control-plane', { 'io.x-k8s.kind.cluster': 'dev', 'io.x-k8s.kind.role': 'control-plane' }, ['kind']),
    node('dev-external-load-balancer', { 'io.x-k8s.kind.cluster': 'dev', 'io.x-k8s.kind.role': 'external-load-balancer' }, ['kind']),
    node('unrelated', { 'jindr.registry': 'localhost:5001' }, ['bridge']),
  ]);
  t.deepEqual(clusters, [
    {
      name: 'dev',
      tool: 'kind',
      network: 'kind',
      networkId: 'net-kind',
      nodes: [
        { id: 'id-dev-control-plane', name: 'dev-control-plane', running: true, networks: ['kind'], networkIds: { kind: 'net-kind' } },
        { id: 'id-dev-worker', name: 'dev-worker', running: true, networks: ['kind'], networkIds: { kind: 'net-kind' } },
      ],
    },
  ]);
});

test("k3d: servers and agents by k3d.cluster, not its load balancer or registry; k3d's network k3d-NAME", (t) => {
  const clusters = clustersFrom([
    node('k3d-app-server-0', { 'k3d.cluster': 'app', 'k3d.role': 'server' }, ['bridge', 'k3d-app']),
    node('k3d-app-agent-0', { 'k3d.cluster': 'app', 'k3d.role': 'agent' }, ['k3d-app', 'other']),
    node('k3d-app-serverlb', { 'k3d.cluster': 'app', 'k3d.role': 'loadbalancer' }, ['k3d-app']),
    node('k3d-app-registry', { 'k3d.cluster': 'app', 'k3d.role': 'registry' }, ['k3d-app']),
  ]);
  t.is(clusters.length, 1);
  t.is(clusters[0]!.tool, 'k3d');
  t.deepEqual(
    clusters[0]!.nodes.map((n) => n.name),
    ['k3d-app-agent-0', 'k3d-app-server-0'],
  );
  t.is(clusters[0]!.network, 'k3d-app');
  t.is(clusters[0]!.networkId, 'net-k3d-app', 'joined by ID: Docker lets two networks share a name');
});

test('minikube: by name.minikube.sigs.k8s.io, on the network named after the profile; a stopped node counts', (t) => {
  const clusters = clustersFrom([
    node('minikube', { 'name.minikube.sigs.k8s.io': 'minikube' }, ['minikube']),
    node('minikube-m02', { 'name.minikube.sigs.k8s.io': 'minikube' }, ['minikube'], 'exited'),
  ]);
  t.is(clusters[0]!.tool, 'minikube');
  t.is(clusters[0]!.network, 'minikube');
  t.deepEqual(
    clusters[0]!.nodes.map((n) => n.running),
    [true, false],
  );
});

test('the network: one all nodes share, a user-defined one before bridge; none shared: undefined', (t) => {
  t.is(clustersFrom([node('a', { 'io.x-k8s.kind.cluster': 'x' }, ['bridge', 'mine'])])[0]!.network, 'mine');
  const apart = clustersFrom([node('a', { 'io.x-k8s.kind.cluster': 'x' }, ['n1']), node('b', { 'io.x-k8s.kind.cluster': 'x' }, ['n2'])]);
  t.is(apart[0]!.network, undefined);
});

test('two tools, same name: two clusters, sorted by name then tool; an empty label is no cluster', (t) => {
  const clusters = clustersFrom([
    node('b', { 'k3d.cluster': 'dev' }, ['k3d-dev']),
    node('a', { 'io.x-k8s.kind.cluster': 'dev' }, ['kind']),
    node('c', { 'io.x-k8s.kind.cluster': 'alpha' }, ['kind']),
    node('d', { 'io.x-k8s.kind.cluster': '' }, ['kind']),
  ]);
  t.deepEqual(
    clusters.map((c) => `${c.tool}/${c.name}`),
    ['kind/alpha', 'k3d/dev', 'kind/dev'],
  );
});

test("each tool's kubeconfig context", (t) => {
  t.is(kubeContext({ tool: 'kind', name: 'dev' }), 'kind-dev');
  t.is(kubeContext({ tool: 'k3d', name: 'dev' }), 'k3d-dev');
  t.is(kubeContext({ tool: 'minikube', name: 'dev' }), 'dev');
});
