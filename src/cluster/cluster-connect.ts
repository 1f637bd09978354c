// connect CLUSTER: the registry (-r) and every running mirror joined to the cluster's
// network, each node's containerd sent to them (hosts.toml under its config_path; k3s's
// registries.yaml on k3d nodes), and KEP-1755's ConfigMap published with the user's kubectl
// (or handed back to print). Everything it changes is recorded (cluster-state.ts) as it
// goes, so `connect --rm` can undo exactly that; a second run changes nothing.
import type Docker from 'dockerode';
import { dirname } from 'node:path';
import { listClusters, kubeContext, type Cluster } from './cluster-discovery.ts';
import * as files from './cluster-files.ts';
import { nodeFiles } from './cluster-node-files.ts';
import { aliasFor, isGoing, joinNetwork, nameOnNetwork } from './cluster-network.ts';
import { applyConfigMap, findKubectl, getConfigMap } from './cluster-kubectl.ts';
import { previousConfigMap } from './cluster-configmap.ts';
import { readConnectionState, writeConnectionState, type Connection, type NodeChanges } from './cluster-state.ts';
import {
  listRegistryContainers,
  mirrorOf,
  pickRegistryContainer,
  REGISTRY_CONTAINER_PORT,
  type RegistryContainer,
} from '../server/container.ts';
import { listMirrors, upstreamOf } from '../mirror/mirrors.ts';
import type { LocalRegistryAddress } from '../server/address.ts';
import { NotFoundError, RefusedError } from '../errors.ts';

export interface ConnectOptions {
  cluster: string;
  address: LocalRegistryAddress;
  env: NodeJS.ProcessEnv;
  /** The engine's address (Engine.endpoint.host): the record is the cluster's on this engine. */
  engine: string;
}

export interface ConnectResult {
  cluster: string;
  tool: Cluster['tool'];
  network: string;
  context: string;
  outcome: 'connected' | 'already connected';
  /** Containers joined to the network this time. */
  joined: { container: string; alias: string }[];
  /** Files written this time. */
  written: { node: string; path: string }[];
  configMap: 'applied' | 'unchanged' | 'not applied';
  configMapYaml: string;
  /** Why it was not applied: kubectl is not on PATH, or what kubectl said. */
  configMapProblem?: string;
}

const CONTAINER_PORT = Number.parseInt(REGISTRY_CONTAINER_PORT, 10);

/** The cluster named name among the local ones. */
export function pickCluster(clusters: readonly Cluster[], name: string): Cluster {
  const found = clusters.filter((c) => c.name === name);
  if (found.length === 0)
    throw new NotFoundError(`no local cluster named ${name}: docker jindr connect lists the kind, k3d and minikube clusters it finds`);
  if (found.length > 1) throw new RefusedError(`${name} names a ${found.map((c) => c.tool).join(' and a ')} cluster: remove or rename one`);
  const cluster = found[0]!;
  const stopped = cluster.nodes.find((n) => !n.running);
  if (stopped)
    throw new RefusedError(`the node ${stopped.name} of ${name} is not running: start it (docker start ${stopped.name}) and connect again`);
  if (cluster.network === undefined)
    throw new RefusedError(`the nodes of ${name} share no network: connect needs the network its tool made`);
  return cluster;
}

function pickRegistry(all: readonly RegistryContainer[], address: LocalRegistryAddress): RegistryContainer {
  const registry = pickRegistryContainer(all, address);
  if (!registry?.running || mirrorOf(registry) !== undefined)
    throw new NotFoundError(`no registry running at ${address.registry}: start it with docker jindr up -r ${address.registry}`);
  const env = registry.details.Config.Env ?? [];
  if (env.some((e) => e.startsWith('REGISTRY_HTTP_TLS_')))
    throw new RefusedError(
      `${address.registry} serves TLS, which the cluster cannot verify under the container's alias: connect a registry started without --tls`,
    );
  return registry;
}

/** Each node's file and its text: hosts.toml files under the node's config_path, or k3s's registries.yaml. */
async function plannedFiles(
  docker: Docker,
  cluster: Cluster,
  routes: files.Route[],
): Promise<Map<string, { path: string; text: string }[]>> {
  const plan = new Map<string, { path: string; text: string }[]>();
  for (const node of cluster.nodes) {
    if (cluster.tool === 'k3d') {
      plan.set(node.name, [{ path: files.K3S_REGISTRIES, text: files.registriesYaml(routes) }]);
      continue;
    }
    const config = await nodeFiles(docker, node).read(files.CONTAINERD_CONFIG);
    const configPath = config === undefined ? undefined : files.parseConfigPath(config);
    if (configPath === undefined)
      throw new RefusedError(
        `containerd in ${node.name} has no registry config_path, so it cannot be pointed at the registry without a restart: ` +
          `create the cluster with ${cluster.tool === 'kind' ? `kind's ${files.KIND_PATCH}` : `config_path = "${files.KIND_CONFIG_PATH}"`} (see README, Local Kubernetes)`,
      );
    plan.set(
      node.name,
      routes.map((r) => ({ path: files.hostsTomlPath(configPath, r.host), text: files.hostsToml(r) })),
    );
  }
  return plan;
}

export async function connectCluster(docker: Docker, options: ConnectOptions): Promise<ConnectResult> {
  const cluster = pickCluster(await listClusters(docker), options.cluster);
  const network = cluster.network!;
  const all = await listRegistryContainers(docker);
  const registry = pickRegistry(all, options.address);
  // One mirror per upstream (the first running one by name): containerd has one hosts.toml per host.
  const mirrors = listMirrors(all)
    .filter((m) => m.running)
    .sort((a, b) => a.name.localeCompare(b.name));
  const containers = [registry, ...mirrors.filter((m, i) => mirrors.findIndex((o) => upstreamOf(o).host === upstreamOf(m).host) === i)];

  const before = readConnectionState(options.env, options.engine, cluster.tool, cluster.name);
  const state: Connection = before ?? { engine: options.engine, tool: cluster.tool, cluster: cluster.name, network, joined: [], nodes: [] };
  const save = (): void => writeConnectionState(options.env, state);
  const result: ConnectResult = {
    cluster: cluster.name,
    tool: cluster.tool,
    network,
    context: kubeContext(cluster),
    outcome: 'connected',
    joined: [],
    written: [],
    configMap: 'unchanged',
    configMapYaml: '',
  };

  // The names the nodes reach each container by; the files are planned (and every node checked) before anything changes.
  const names = new Map<string, string>();
  for (const c of containers) {
    const alias = aliasFor(c.name);
    names.set(c.id, nameOnNetwork(c.details, network, alias) ?? alias);
  }
  const endpoint = (c: RegistryContainer): string => `http://${names.get(c.id)}:${CONTAINER_PORT}`;
  const routes: files.Route[] = [
    { host: `localhost:${options.address.port}`, endpoint: endpoint(registry) },
    ...containers.slice(1).map((m) => ({ host: upstreamOf(m).host, endpoint: endpoint(m), server: upstreamOf(m).url })),
  ];
  let plan = await plannedFiles(docker, cluster, routes);

  const gone = new Set<string>();
  for (const c of containers) {
    if (nameOnNetwork(c.details, network, aliasFor(c.name)) !== undefined) continue;
    try {
      await joinNetwork(docker, c.id, network, aliasFor(c.name), cluster.networkId);
    } catch (err) {
      // A mirror removed since it was listed (mirror rm, gc) is left out; the registry is not.
      if (c === registry || !(await isGoing(docker, c.id))) throw err;
      gone.add(c.id);
      continue;
    }
    const joined = { container: c.name, alias: aliasFor(c.name) };
    if (!state.joined.some((j) => j.container === c.name)) state.joined.push(joined);
    result.joined.push(joined);
    save();
  }

  if (gone.size > 0)
    plan = await plannedFiles(
      docker,
      cluster,
      routes.filter((_, i) => i === 0 || !gone.has(containers[i]!.id)),
    );

  for (const node of cluster.nodes) {
    const nodeState: NodeChanges = state.nodes.find((n) => n.node === node.name) ?? { node: node.name, files: [], dirs: [] };
    if (!state.nodes.includes(nodeState)) state.nodes.push(nodeState);
    const access = nodeFiles(docker, node);
    for (const file of plan.get(node.name) ?? []) {
      const current = await access.read(file.path);
      if (current === file.text) continue;
      const made = await access.makeDirs(dirname(file.path));
      nodeState.dirs.push(...made.filter((d) => !nodeState.dirs.includes(d)));
      await access.write(file.path, file.text);
      const known = nodeState.files.find((f) => f.path === file.path);
      // Ours, rewritten: what was there before connect stays recorded; else (a new node by the same name, a file changed since) what is there now.
      if (known && current !== known.written) known.previous = current ?? null;
      if (known) known.written = file.text;
      else nodeState.files.push({ path: file.path, previous: current ?? null, written: file.text });
      result.written.push({ node: node.name, path: file.path });
      save();
    }
  }

  const yaml = files.configMapYaml(`localhost:${options.address.port}`, `${names.get(registry.id)}:${CONTAINER_PORT}`);
  result.configMapYaml = yaml;
  if (state.configMap?.yaml !== yaml || state.configMap.context !== result.context) {
    const kubectl = findKubectl(options.env);
    const problem = kubectl === undefined ? 'kubectl is not on PATH' : await publishConfigMap(kubectl, options.env, state, result, yaml);
    if (problem === undefined) result.configMap = 'applied';
    else {
      result.configMap = 'not applied';
      result.configMapProblem = problem;
    }
  }
  save();
  if (result.joined.length === 0 && result.written.length === 0 && result.configMap !== 'applied') result.outcome = 'already connected';
  return result;
}

/**
 * Applies the ConfigMap; the first time in this context, after reading the one there was
 * before (recorded, for --rm to put back). Returns why it was not applied.
 */
async function publishConfigMap(
  kubectl: string,
  env: NodeJS.ProcessEnv,
  state: Connection,
  result: ConnectResult,
  yaml: string,
): Promise<string | undefined> {
  let previous: string | null;
  if (state.configMap?.context === result.context) previous = state.configMap.previous;
  else {
    const read = previousConfigMap(await getConfigMap(kubectl, env, result.context));
    if ('problem' in read) return `cannot read the ConfigMap there now (${read.problem})`;
    previous = read.previous;
  }
  const applied = await applyConfigMap(kubectl, env, result.context, yaml);
  if (applied.code !== 0) return `kubectl said: ${applied.stderr.trim().split('\n')[0] || `exit code ${applied.code}`}`;
  state.configMap = { context: result.context, yaml, previous };
  return undefined;
}
