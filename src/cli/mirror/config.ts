// mirror config [UPSTREAM]: containerd's hosts.toml (this machine; kind and k3d nodes when
// the mirror is on their network), k3d's registries.yaml and Podman's registries.conf.
import type { Context } from '../context.ts';
import type { MirrorArgs } from './options.ts';
import { findTarget } from './target.ts';
import { printMirrorConfig } from '../output/mirror-report.ts';
import { ResourceError } from '../../errors.ts';

export async function mirrorConfig(args: MirrorArgs, ctx: Context): Promise<number> {
  const { upstream, container } = await findTarget(args, ctx);
  if (container.registry === undefined)
    throw new ResourceError(`the mirror ${container.name} publishes no port: remove it and start it again`);
  printMirrorConfig(ctx, upstream, container, container.registry);
  return 0;
}
