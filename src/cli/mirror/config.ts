// mirror config [UPSTREAM]: containerd's hosts.toml (this machine; kind and k3d nodes when
// the mirror is on their network), k3d's registries.yaml and Podman's registries.conf; with
// --max-size, the mirror's size limit set first (as mirror start --max-size, without a start).
import type { Context } from '../context.ts';
import type { MirrorArgs } from './options.ts';
import { findTarget } from './target.ts';
import { printMirrorConfig } from '../output/mirror-report.ts';
import { ResourceError } from '../../errors.ts';
import { givenMaxSize, keepWithinLimit } from './limit.ts';

export async function mirrorConfig(args: MirrorArgs, ctx: Context): Promise<number> {
  const maxSize = givenMaxSize(args);
  const { upstream, container } = await findTarget(args, ctx);
  if (maxSize !== undefined) await keepWithinLimit(ctx, container, maxSize);
  if (container.registry === undefined)
    throw new ResourceError(`the mirror ${container.name} publishes no port: remove it and start it again`);
  printMirrorConfig(ctx, upstream, container, container.registry);
  return 0;
}
