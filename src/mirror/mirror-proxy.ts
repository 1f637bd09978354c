// The proxy settings a mirror container gets: distribution reaches its upstream (and the
// upstream's token realm) with Go's http.ProxyFromEnvironment, so the HTTP_PROXY,
// HTTPS_PROXY and NO_PROXY this command runs with are handed to the container as they
// are read here (upper-case names first, as Go and proxy-env.ts read them).
// Two refusals, only when the upstream would be reached through that proxy:
// - a proxy URL with a user or password: a container's environment is shown by docker
//   inspect to anyone with access to the engine, and credentials never go there;
// - a proxy on loopback (localhost:3128): inside the container that is the container.
// A proxy with credentials that the upstream does not use is left out, not passed.
import { RefusedError } from '../errors.ts';
import { isLoopback } from '../registry/host.ts';
import { parseProxyUrl, proxyChooser, proxyEnvironment } from '../registry/proxy-env.ts';
import { redactProxy } from '../registry/proxy-connect.ts';

const hasCredentials = (proxy: URL | undefined): boolean => proxy !== undefined && (proxy.username !== '' || proxy.password !== '');

/** NAME=value entries for the mirror container's environment; [] when no proxy is set. */
export function mirrorProxyEnv(upstreamUrl: string, env: NodeJS.ProcessEnv): string[] {
  const settings = proxyEnvironment(env);
  const http = parseProxyUrl(settings.httpProxy);
  const https = parseProxyUrl(settings.httpsProxy);
  if (http === undefined && https === undefined) return [];
  const upstream = new URL(upstreamUrl);
  const used = proxyChooser(env)(upstream);
  const variable = upstream.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY';
  if (used !== undefined && hasCredentials(used)) {
    throw new RefusedError(
      `${variable} carries a user and password, which the mirror's container would show to docker inspect: ` +
        `give the mirror a proxy without credentials (${variable}=${redactProxy(used)} docker jindr mirror start ..., if it lets the mirror through), or put ${upstream.host} in NO_PROXY`,
    );
  }
  if (used !== undefined && isLoopback(used.hostname.replace(/^\[(.*)\]$/, '$1'))) {
    throw new RefusedError(
      `${variable} names a proxy on loopback (${redactProxy(used)}), which the mirror's container cannot reach: use an address of this machine that containers reach (the Docker bridge's gateway, e.g. 172.17.0.1), or put ${upstream.host} in NO_PROXY`,
    );
  }
  const entries: string[] = [];
  if (http !== undefined && !hasCredentials(http)) entries.push(`HTTP_PROXY=${settings.httpProxy}`);
  if (https !== undefined && !hasCredentials(https)) entries.push(`HTTPS_PROXY=${settings.httpsProxy}`);
  if (entries.length > 0 && settings.noProxy !== '') entries.push(`NO_PROXY=${settings.noProxy}`);
  return entries;
}
