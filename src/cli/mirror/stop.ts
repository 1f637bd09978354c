// mirror stop [UPSTREAM]: stops it (container, data and login file kept).
// mirror rm [UPSTREAM]: removes the container and its login file; the cached data stays
// unless --purge; the engine stops using it if `mirror start --engine` had added it.
import type { Context } from '../context.ts';
import type { MirrorArgs } from './options.ts';
import { findTarget } from './target.ts';
import { printEngineChange } from './engine-output.ts';
import { printMirrorRemove, printMirrorStop } from '../output/mirror-report.ts';
import { stopRegistryContainer } from '../../server/container-control.ts';
import { removeMirror } from '../../mirror/mirror-remove.ts';
import { engineMirrorUrl } from '../../mirror/mirror-engine.ts';

export async function mirrorStop(args: MirrorArgs, ctx: Context): Promise<number> {
  const { docker, upstream, container } = await findTarget(args, ctx);
  const running = container.running;
  if (running) await stopRegistryContainer(docker, container);
  printMirrorStop(ctx, upstream, container, running);
  return 0;
}

export async function mirrorRemove(args: MirrorArgs, ctx: Context): Promise<number> {
  const { docker, local, upstream, container } = await findTarget(args, ctx);
  const removal = await ctx.critical(() => removeMirror({ docker, local, env: ctx.env }, container, { data: args.purge === true }));
  const url = container.registry === undefined ? undefined : engineMirrorUrl(container.registry);
  if (url !== undefined) printEngineChange(ctx, removal.engine, url, false);
  printMirrorRemove(ctx, upstream, container, removal, url === undefined ? undefined : { url, ...removal.engine });
  return 0;
}
