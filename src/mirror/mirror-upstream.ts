// A mirror's upstream, parsed once: the registry a pull-through cache proxies, as the user
// names it (Docker Hub by default; ghcr.io, quay.io, registry.k8s.io, gcr.io or any other
// host; or a URL, https:// or http://), and what every other place needs of it.
import { registryHost } from '../registry/host.ts';
import { quote } from '../registry/reference.ts';
import { UsageError } from '../errors.ts';

/** Docker Hub's mirror port; other upstreams get the first free port from FIRST_OTHER_PORT. */
export const HUB_MIRROR_PORT = 5002;
export const FIRST_OTHER_PORT = 5003;

export interface MirrorUpstream {
  /** For names of containers and directories, and `mirror ls`: docker.io, ghcr.io, upstream-5000. */
  name: string;
  /** distribution's proxy.remoteurl: https://registry-1.docker.io, http://upstream:5000. */
  url: string;
  /** The registry as images name it (credentials, containerd, Podman): docker.io, ghcr.io, upstream:5000. */
  host: string;
  /** Docker Hub: the only registry the Docker engine's registry-mirrors applies to. */
  hub: boolean;
}

function fromHost(host: string, scheme: 'https' | 'http'): MirrorUpstream {
  const lower = host.toLowerCase();
  const hub = registryHost(lower, 'UPSTREAM').hub;
  if (hub) {
    if (scheme === 'http') throw new UsageError('Docker Hub is reached over https: use docker.io or https://registry-1.docker.io');
    return { name: 'docker.io', url: 'https://registry-1.docker.io', host: 'docker.io', hub: true };
  }
  return { name: lower.replace(/[[\]]/g, '').replace(/:/g, '-'), url: `${scheme}://${lower}`, host: lower, hub: false };
}

/**
 * The upstream of `mirror start [UPSTREAM]`: none means Docker Hub. A URL carries no
 * login (the login comes from `docker login`) and no path.
 */
export function parseUpstream(spec: string | undefined): MirrorUpstream {
  const text = (spec ?? '').trim();
  if (text === '' || /^(hub|dockerhub|docker)$/i.test(text)) return fromHost('docker.io', 'https');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (text.includes('/')) throw badUpstream(text);
    return fromHost(checkUpstreamHost(text), 'https');
  }
  if (scheme !== 'https' && scheme !== 'http') throw badUpstream(text);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badUpstream(text);
  }
  if (url.username || url.password) {
    throw new UsageError(`the upstream URL must not hold a login (${url.host}): log in with docker login ${url.host} instead`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) throw badUpstream(text);
  return fromHost(checkUpstreamHost(url.host), scheme);
}

function checkUpstreamHost(host: string): string {
  try {
    return registryHost(host, 'UPSTREAM').name;
  } catch {
    throw badUpstream(host);
  }
}

function badUpstream(text: string): UsageError {
  return new UsageError(
    `${quote(text)} is not an upstream registry: give a host (docker.io, ghcr.io, quay.io, registry.k8s.io, gcr.io, registry.example.com:5000) or a URL (https://HOST[:PORT] or http://HOST[:PORT])`,
  );
}

/** The container name of a mirror: jindr-mirror-docker.io. */
export function mirrorContainerName(upstream: MirrorUpstream): string {
  return `jindr-mirror-${upstream.name}`;
}
