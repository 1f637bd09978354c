// mirror config [UPSTREAM]: containerd's hosts.toml (this machine; kind and k3d nodes when
// the mirror is on their network), k3d's registries.yaml and Podman's registries.conf.
import type { Context } from '../context.ts';
import type { MirrorArgs } from './options.ts';
import { findTarget } from './target.ts';
import { mirrorSnippets } from '../../server/mirror-snippets.ts';
import { mirrorNetwork } from '../../server/mirrors.ts';
import { ResourceError } from '../../errors.ts';

export async function mirrorConfig(args: MirrorArgs, ctx: Context): Promise<number> {
  const { upstream, container } = await findTarget(args, ctx);
  if (container.registry === undefined) throw new ResourceError(`the mirror ${container.name} publishes no port: remove it and start it again`);
  const network = mirrorNetwork(container);
  const at = {
    local: container.registry.replace(/^localhost:/, '127.0.0.1:'),
    ...(network ? { network: { name: network, address: `${container.name}:5000` } } : {}),
  };
  ctx.stdout.write(mirrorSnippets(upstream, at, container.name));
  return 0;
}
