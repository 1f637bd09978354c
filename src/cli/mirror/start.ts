// mirror start [UPSTREAM]: the mirror's container, created the first time; with --engine,
// the Docker engine pulls Docker Hub images through it.
import type { Context } from '../context.ts';
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
import { givenMaxSize, keepWithinLimit } from './limit.ts';

export async function mirrorStart(args: MirrorArgs, ctx: Context): Promise<number> {
  const address = givenAddress(ctx);
  const engine = await ctx.engine();
  const { docker, local } = engine;
  const credentials = dockerKeychain({ configDir: dockerConfigDir(ctx.docker.config, ctx.env), env: ctx.env });
  const upstream = parseUpstream(args.upstream);
  const proxyEnv = mirrorProxyEnv(upstream.url, ctx.env); // refused before anything is made
  const maxSize = givenMaxSize(args);
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
