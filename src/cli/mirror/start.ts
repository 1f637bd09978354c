// mirror start [UPSTREAM]: the mirror's container, created the first time; with --engine,
// the Docker engine pulls Docker Hub images through it.
import type { Context } from '../context.ts';
import type { RegistryContainer } from '../../server/container.ts';
import type { MirrorArgs } from './options.ts';
import { givenAddress } from './options.ts';
import { printEngineChange } from './engine-output.ts';
import { announceMirrorStart, printMirrorStart, type EngineMirror } from '../output/mirror-report.ts';
import { parseUpstream } from '../../mirror/mirror-upstream.ts';
import { keepClustersConnected } from '../../cluster/cluster-keep.ts';
import { startMirror } from '../../mirror/mirror-start.ts';
import { mirrorProxyEnv } from '../../mirror/mirror-proxy.ts';
import { addMirrorToEngine, engineMirrorUrl } from '../../mirror/mirror-engine.ts';
import { DEFAULT_DATA_DIR, resolveDataDir } from '../../server/prestart-checks.ts';
import { dockerConfigDir } from '../../docker/config.ts';
import { dockerKeychain } from '../../docker/credentials.ts';
import { parseSize, readMaxSize, writeMaxSize } from '../../mirror/mirror-limit.ts';
import { trimMirror } from '../../gc/mirror-trim.ts';
import { DEFAULT_GRACE_MS } from '../../storage/grace-period.ts';
import { formatBytes } from '../output/table.ts';
import { describeTrim } from '../output/mirror-trim-report.ts';

export async function mirrorStart(args: MirrorArgs, ctx: Context): Promise<number> {
  const address = givenAddress(ctx);
  const engine = await ctx.engine();
  const { docker, local } = engine;
  const credentials = dockerKeychain({ configDir: dockerConfigDir(ctx.docker.config, ctx.env), env: ctx.env });
  const upstream = parseUpstream(args.upstream);
  const proxyEnv = mirrorProxyEnv(upstream.url, ctx.env); // refused before anything is made
  const maxSize = args['max-size'] === undefined ? undefined : { bytes: parseSize(args['max-size'], '--max-size') };
  const result = await startMirror(
    { docker, local, kind: (await engine.identify()).kind, progress: ctx.stderr, signal: ctx.signal, processEnv: ctx.env },
    {
      upstream,
      address,
      proxyEnv,
      dataDir: resolveDataDir(args.data ?? DEFAULT_DATA_DIR, ctx.env),
      image: args.image,
      network: args.network,
      credentials,
      loginFrom: args.login,
    },
  );
  announceMirrorStart(ctx, result);
  for (const notice of await keepClustersConnected(docker, ctx.env, engine.endpoint.host, result.container)) ctx.info(notice);
  let engineMirror: EngineMirror | undefined;
  if (args.engine) {
    if (!result.upstream.hub)
      ctx.info(
        `note: Docker uses registry-mirrors for Docker Hub images only: the engine will ask this mirror of ${result.upstream.host} for them`,
      );
    const url = engineMirrorUrl(result.address);
    engineMirror = { url, ...(await ctx.critical(() => addMirrorToEngine({ docker, local, env: ctx.env }, url))) };
    printEngineChange(ctx, engineMirror, url, true);
  }
  printMirrorStart(ctx, result, engineMirror);
  await keepWithinLimit(ctx, result.container, maxSize);
  return 0;
}

/** --max-size sets (or removes) the limit; with one, the mirror is trimmed to it now (gc/mirror-trim.ts). */
async function keepWithinLimit(
  ctx: Context,
  container: RegistryContainer,
  maxSize: { bytes: number | undefined } | undefined,
): Promise<void> {
  if (maxSize !== undefined) {
    writeMaxSize(container, maxSize.bytes);
    ctx.info(
      maxSize.bytes === undefined
        ? `${container.name} has no size limit`
        : `${container.name} keeps its cache under ${formatBytes(maxSize.bytes)}`,
    );
  }
  if (readMaxSize(container) === undefined) return;
  const { docker, local } = await ctx.engine();
  const report = await ctx.critical(() =>
    trimMirror(docker, container, {
      graceMs: DEFAULT_GRACE_MS,
      restart: true,
      local,
      signal: ctx.signal,
      info: (m) => ctx.info(m),
      debug: (m) => ctx.debugLog(m),
    }),
  );
  ctx.info(describeTrim(report).trimEnd());
}
