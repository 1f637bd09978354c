// mirror start [UPSTREAM]: the mirror's container, created the first time; with --engine,
// the Docker engine pulls Docker Hub images through it.
import type { Context } from '../context.ts';
import type { MirrorArgs } from './options.ts';
import { givenAddress } from './options.ts';
import { printEngineChange } from './engine-output.ts';
import { parseUpstream, mirrorContainerName } from '../../server/mirror-upstream.ts';
import { startMirror } from '../../server/mirror-start.ts';
import { describeLogin } from '../../server/mirror-login.ts';
import { mirrorSnippets } from '../../server/mirror-snippets.ts';
import { mirrorNetwork } from '../../server/mirrors.ts';
import { addMirrorToEngine, engineMirrorUrl } from '../../server/mirror-engine.ts';
import { DEFAULT_DATA_DIR, resolveDataDir } from '../../server/prestart-checks.ts';
import { dockerConfigDir } from '../../docker/config.ts';
import { dockerKeychain } from '../../docker/credentials.ts';

export async function mirrorStart(args: MirrorArgs, ctx: Context): Promise<number> {
  const address = givenAddress(ctx);
  const engine = await ctx.engine();
  const { docker, local } = engine;
  const credentials = dockerKeychain({ configDir: dockerConfigDir(ctx.docker.config, ctx.env), env: ctx.env });
  const result = await startMirror({ docker, local, kind: (await engine.identify()).kind, progress: ctx.stderr, signal: ctx.signal }, {
    upstream: parseUpstream(args.upstream), address, dataDir: resolveDataDir(args.data ?? DEFAULT_DATA_DIR, ctx.env), image: args.image,
    network: args.network, credentials, loginFrom: args.login,
  });
  const { container: c, upstream } = result;
  const data = c.storage.kind === 'bind' ? `, data in ${c.storage.path}` : '';
  const verb = { 'already-running': 'already running', started: 'started', created: 'created and started' }[result.outcome];
  ctx.stdout.write(`mirror of ${upstream.host} ${verb} as ${c.name} on ${result.address} (${upstream.url}, ${c.image}${data})\n`);
  if (result.login) ctx.info(`the mirror ${describeLogin(result.login)}`);
  if (result.ignored.length > 0) ctx.info(`note: ${result.ignored.join(', ')} not applied to the existing mirror: remove it first (docker jindr mirror rm ${upstream.name})`);
  if (result.outcome === 'created') {
    const network = mirrorNetwork(c);
    const at = { local: result.address.replace(/^localhost:/, '127.0.0.1:'), ...(network ? { network: { name: network, address: `${c.name}:5000` } } : {}) };
    ctx.stdout.write(`\n${mirrorSnippets(upstream, at, mirrorContainerName(upstream))}`);
  } else {
    ctx.info(`docker jindr mirror config ${upstream.name} shows the containerd (kind, k3d) and Podman settings`);
  }
  if (args.engine) {
    if (!upstream.hub) ctx.info(`note: Docker uses registry-mirrors for Docker Hub images only: the engine will ask this mirror of ${upstream.host} for them`);
    const url = engineMirrorUrl(result.address);
    printEngineChange(ctx, await ctx.critical(() => addMirrorToEngine({ docker, local, env: ctx.env }, url)), url, true);
  }
  return 0;
}
