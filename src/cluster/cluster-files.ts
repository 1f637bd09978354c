// The text connect writes into a cluster's nodes, pure: containerd's hosts.toml (one per
// registry host, in the node's config_path directory), k3s's registries.yaml (k3d), and
// KEP-1755's local-registry-hosting ConfigMap; and the config_path read from a node's
// containerd config.toml.

/** One registry host the cluster's containerd is sent elsewhere for. */
export interface Route {
  /** The host as images name it: localhost:5001, docker.io, ghcr.io. */
  host: string;
  /** Where containerd asks first: the registry or mirror container over the cluster's network (http://ALIAS:5000). */
  endpoint: string;
  /** The upstream containerd falls back to (a mirror's); none for the local registry. */
  server?: string;
}

export const MARKER = '# Written by docker jindr connect; `docker jindr connect --rm CLUSTER` puts back what was here before.';

/** kind's default, and what README tells users to create clusters with. */
export const KIND_CONFIG_PATH = '/etc/containerd/certs.d';
/** Where k3s reads its registry settings when it starts. */
export const K3S_REGISTRIES = '/etc/rancher/k3s/registries.yaml';
export const CONTAINERD_CONFIG = '/etc/containerd/config.toml';

/** TOML and YAML basic strings: a JSON string of printable ASCII is one in both. */
const quoted = (text: string): string => JSON.stringify(text);

/** containerd's hosts.toml for route.host: the container first, the upstream (server) after it. */
export function hostsToml(route: Route): string {
  const lines = [MARKER];
  if (route.server !== undefined) lines.push(`server = ${quoted(route.server)}`);
  lines.push('', `[host.${quoted(route.endpoint)}]`, '  capabilities = ["pull", "resolve"]', '');
  return lines.join('\n');
}

/** The file of route.host's hosts.toml under a node's config_path. */
export function hostsTomlPath(configPath: string, host: string): string {
  return `${configPath.replace(/\/+$/, '')}/${host}/hosts.toml`;
}

/** k3s's registries.yaml: each host's mirror endpoint; k3s falls back to the host's default endpoint by itself. */
export function registriesYaml(routes: readonly Route[]): string {
  const lines = [MARKER, 'mirrors:'];
  for (const r of routes) lines.push(`  ${quoted(r.host)}:`, '    endpoint:', `      - ${quoted(r.endpoint)}`);
  return lines.join('\n') + '\n';
}

export const CONFIG_MAP_NAME = 'local-registry-hosting';
export const CONFIG_MAP_NAMESPACE = 'kube-public';
const HELP = 'https://github.com/docker-jindr/docker-jindr#local-kubernetes';

/**
 * KEP-1755's ConfigMap: host is where a developer pushes (localhost:PORT), which is also
 * what the nodes' containerd pulls (hosts.toml sends it on); pods reach the registry
 * container by its alias on the cluster's network.
 */
export function configMapYaml(host: string, fromClusterNetwork: string): string {
  return [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: ${CONFIG_MAP_NAME}`,
    `  namespace: ${CONFIG_MAP_NAMESPACE}`,
    'data:',
    '  localRegistryHosting.v1: |',
    `    host: ${quoted(host)}`,
    `    hostFromContainerRuntime: ${quoted(host)}`,
    `    hostFromClusterNetwork: ${quoted(fromClusterNetwork)}`,
    `    help: ${quoted(HELP)}`,
    '',
  ].join('\n');
}

/**
 * The registry config_path of a containerd config.toml (version 2's
 * plugins."io.containerd.grpc.v1.cri".registry, version 3's
 * plugins.'io.containerd.cri.v1.images'.registry); undefined when it sets none.
 */
export function parseConfigPath(configToml: string): string | undefined {
  let section = '';
  for (const raw of configToml.split('\n')) {
    const line = raw.replace(/^\s+/, '');
    const header = /^\[\s*([^\]]+?)\s*\]\s*(#.*)?$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    if (!/(^|\.)registry$/.test(section.replace(/["']/g, ''))) continue;
    const value = /^config_path\s*=\s*(?:"([^"]*)"|'([^']*)')\s*(#.*)?$/.exec(line);
    if (value) return (value[1] ?? value[2]) || undefined;
  }
  return undefined;
}

/** What kind's users add to their cluster's config for connect to work (README's Local Kubernetes). */
export const KIND_PATCH = `containerdConfigPatches: ["[plugins.\\"io.containerd.grpc.v1.cri\\".registry]\\n  config_path = \\"${KIND_CONFIG_PATH}\\""]`;
