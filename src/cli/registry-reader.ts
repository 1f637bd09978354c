// The registry a reporting or deleting command (ls, lsi, inspect, rmi, rmr) reads: its HTTP
// API, or, for a mirror docker-jindr runs, a view of the mirror's storage. A mirror's API
// would answer with its upstream's tags and fetch (and cache) every manifest asked for;
// what it holds is only in its storage. A mirror says it is one in a header of every
// answer (X-Jindr-Mirror), so only a loopback registry is asked, once, with GET /v2/; or,
// when the command's first request reads the catalog (ls, lsi), by that request itself:
// a mirror answers the catalog from its storage without asking its upstream, so the answer
// of a registry that is no mirror is kept, one request fewer, and a mirror's is set aside.
import type { Context } from './context.ts';
import { registryClients } from './registry-clients.ts';
import type { RegistryApi } from '../registry/api.ts';
import type { RegistryRequest } from '../registry/connection.ts';
import { header, type RegistryClient } from '../registry/client.ts';
import { registryHost } from '../registry/host.ts';
import type { OpenReader } from '../registry/per-host.ts';
import { MIRROR_HEADER } from '../mirror/mirror-config.ts';

export function registryReaders(ctx: Context): OpenReader {
  const open = registryClients(ctx);
  return (host) => {
    const client = open(host);
    if (!registryHost(host).loopback) return client;
    let chosen: Promise<RegistryApi> | undefined;
    return {
      host: client.host,
      cacheDir: client.cacheDir,
      request: async (req) => {
        if (chosen !== undefined || !readsCatalog(req)) return (await (chosen ??= choose(ctx, host, client))).request(req);
        // Its error is the command's, unless GET /v2/ then finds a mirror whose storage can answer.
        const first = client.request(req).then(
          (answer) => ({ answer }),
          (error: unknown) => ({ error }),
        );
        chosen = first.then((r) =>
          'answer' in r ? readerFor(ctx, host, client, header(r.answer, MIRROR_HEADER)) : choose(ctx, host, client),
        );
        const [api, r] = await Promise.all([chosen, first]);
        if (api !== client) return api.request(req);
        if ('answer' in r) return r.answer;
        throw r.error;
      },
      close: () => client.close(),
    };
  };
}

const readsCatalog = (req: RegistryRequest): boolean => (req.method ?? 'GET') === 'GET' && req.path.startsWith('/v2/_catalog');

async function choose(ctx: Context, host: string, client: RegistryClient): Promise<RegistryApi> {
  let upstream: string | undefined;
  try {
    upstream = header(await client.request({ path: '/v2/', accept: [401, 404] }), MIRROR_HEADER);
  } catch {
    return client; // the command's own request says what is wrong
  }
  return readerFor(ctx, host, client, upstream);
}

/** The client, or for a mirror of `upstream` this engine runs, a view of its storage. */
async function readerFor(ctx: Context, host: string, client: RegistryClient, upstream: string | undefined): Promise<RegistryApi> {
  if (upstream === undefined) return client;
  const { docker } = await ctx.engine();
  const { findRegistryContainer, mirrorOf } = await import('../server/container.ts');
  const container = await findRegistryContainer(docker, host);
  if (!container || mirrorOf(container) === undefined) {
    ctx.info(`note: ${host} is a mirror of ${upstream} that is not on this Docker engine: what it shows comes from ${upstream} too`);
    return client;
  }
  ctx.debugLog(`${host} is a mirror of ${upstream}: reading what it holds from its storage`);
  const { openMirrorView } = await import('../mirror/mirror-contents.ts');
  return openMirrorView(docker, container, host);
}
