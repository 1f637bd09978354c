// What other runtimes need to pull an upstream's images through a mirror: containerd's
// hosts.toml (this machine, and kind/k3d nodes on the mirror's Docker network), k3s/k3d's
// registries.yaml, and Podman's registries.conf. The Docker engine's registry-mirrors
// covers Docker Hub only; these work for every upstream.
import type { MirrorUpstream } from './mirror-upstream.ts';
import type { RegistryContainer } from '../server/container.ts';
import { mirrorNetwork } from './mirrors.ts';

export interface MirrorEndpoints {
  /** HOST:PORT on this machine, e.g. 127.0.0.1:5002. */
  local: string;
  /** The container's name and port on its user-defined network, for nodes of kind or k3d there. */
  network?: { name: string; address: string };
}

function hostsToml(upstream: MirrorUpstream, mirrorUrl: string): string {
  return [`server = "${upstream.url}"`, '', `[host."${mirrorUrl}"]`, '  capabilities = ["pull", "resolve"]', ''].join('\n');
}

/** Each file's path and text (ending in a newline): what `mirror config --format` gives as fields. */
export interface MirrorSnippetParts {
  containerdFile: string;
  /** hosts.toml for containerd on this machine. */
  containerd: string;
  /** On a user-defined network: the hosts.toml for kind or k3d nodes there, and k3d's registries.yaml. */
  nodes: { network: string; containerd: string; k3d: string } | undefined;
  podmanFile: string;
  /** A registries.conf drop-in for Podman. */
  podman: string;
}

export function mirrorSnippetParts(upstream: MirrorUpstream, at: MirrorEndpoints): MirrorSnippetParts {
  const nodes = (network: { name: string; address: string }): MirrorSnippetParts['nodes'] => ({
    network: network.name,
    containerd: hostsToml(upstream, `http://${network.address}`),
    k3d: ['mirrors:', `  "${upstream.host}":`, '    endpoint:', `      - http://${network.address}`, ''].join('\n'),
  });
  return {
    containerdFile: `/etc/containerd/certs.d/${upstream.host}/hosts.toml`,
    containerd: hostsToml(upstream, `http://${at.local}`),
    nodes: at.network ? nodes(at.network) : undefined,
    podmanFile: `/etc/containers/registries.conf.d/jindr-mirror-${upstream.name}.conf`,
    podman: [
      '[[registry]]',
      `prefix = "${upstream.host}"`,
      `location = "${upstream.host}"`,
      '',
      '[[registry.mirror]]',
      `location = "${at.local}"`,
      'insecure = true',
      '',
    ].join('\n'),
  };
}

/** Where a mirror container is reached: its address here (localhost as 127.0.0.1), and on its Docker network if it has one. */
export function mirrorEndpoints(c: RegistryContainer, address: string): MirrorEndpoints {
  const network = mirrorNetwork(c);
  return {
    local: address.replace(/^localhost:/, '127.0.0.1:'),
    ...(network ? { network: { name: network, address: `${c.name}:5000` } } : {}),
  };
}

/** The parts with a comment line above each, as `mirror config` prints them. */
export function mirrorSnippets(upstream: MirrorUpstream, at: MirrorEndpoints, containerName: string): string {
  const p = mirrorSnippetParts(upstream, at);
  const nodes = p.nodes
    ? `# kind or k3d nodes on the Docker network ${p.nodes.network}: the same file in each node, with the mirror's name there\n${p.nodes.containerd}\n` +
      `# k3d: k3d cluster create --registry-config registries.yaml, with registries.yaml:\n${p.nodes.k3d}\n`
    : `# kind or k3d nodes: start the mirror with --network NETWORK (kind, or k3d-CLUSTER) and they reach it as http://${containerName}:5000\n\n`;
  return (
    `# containerd on this machine (config_path = "/etc/containerd/certs.d" in its config.toml): ${p.containerdFile}\n${p.containerd}\n${nodes}` +
    `# Podman: ${p.podmanFile}\n${p.podman}`
  );
}
