// What other runtimes need to pull an upstream's images through a mirror: containerd's
// hosts.toml (this machine, and kind/k3d nodes on the mirror's Docker network), k3s/k3d's
// registries.yaml, and Podman's registries.conf. The Docker engine's registry-mirrors
// covers Docker Hub only; these work for every upstream.
import type { MirrorUpstream } from './mirror-upstream.ts';

export interface MirrorEndpoints {
  /** HOST:PORT on this machine, e.g. 127.0.0.1:5002. */
  local: string;
  /** The container's name and port on its user-defined network, for nodes of kind or k3d there. */
  network?: { name: string; address: string };
}

function hostsToml(upstream: MirrorUpstream, mirrorUrl: string): string[] {
  return [
    `server = "${upstream.url}"`,
    '',
    `[host."${mirrorUrl}"]`,
    '  capabilities = ["pull", "resolve"]',
  ];
}

export function mirrorSnippets(upstream: MirrorUpstream, at: MirrorEndpoints, containerName: string): string {
  const file = `/etc/containerd/certs.d/${upstream.host}/hosts.toml`;
  const lines = [
    `# containerd on this machine (config_path = "/etc/containerd/certs.d" in its config.toml): ${file}`,
    ...hostsToml(upstream, `http://${at.local}`),
    '',
  ];
  if (at.network) {
    const url = `http://${at.network.address}`;
    lines.push(
      `# kind or k3d nodes on the Docker network ${at.network.name}: the same file in each node, with the mirror's name there`,
      ...hostsToml(upstream, url),
      '',
      '# k3d: k3d cluster create --registry-config registries.yaml, with registries.yaml:',
      'mirrors:',
      `  "${upstream.host}":`,
      '    endpoint:',
      `      - ${url}`,
      '',
    );
  } else {
    lines.push(`# kind or k3d nodes: start the mirror with --network NETWORK (kind, or k3d-CLUSTER) and they reach it as http://${containerName}:5000`, '');
  }
  lines.push(
    `# Podman: /etc/containers/registries.conf.d/jindr-mirror-${upstream.name}.conf`,
    '[[registry]]',
    `prefix = "${upstream.host}"`,
    `location = "${upstream.host}"`,
    '',
    '[[registry.mirror]]',
    `location = "${at.local}"`,
    'insecure = true',
    '',
  );
  return lines.join('\n');
}
