// mirror stop [UPSTREAM]: stops it (container, data and login file kept).
// mirror rm [UPSTREAM]: removes the container and its login file; the cached data stays
// unless --purge; the engine stops using it if `mirror start --engine` had added it.
import type { Context } from '../context.ts';
import type { MirrorArgs } from './options.ts';
import { findTarget } from './target.ts';
import { printEngineChange } from './engine-output.ts';
import { stopRegistryContainer } from '../../server/container-control.ts';
import { removeMirror } from '../../server/mirror-remove.ts';
import { engineMirrorUrl } from '../../server/mirror-engine.ts';

export async function mirrorStop(args: MirrorArgs, ctx: Context): Promise<number> {
  const { docker, upstream, container } = await findTarget(args, ctx);
  if (!container.running) {
    ctx.stdout.write(`mirror of ${upstream.host} (${container.name}) is not running\n`);
    return 0;
  }
  await stopRegistryContainer(docker, container);
  ctx.stdout.write(`mirror of ${upstream.host} stopped (${container.name}; docker jindr mirror start ${upstream.name} starts it again)\n`);
  return 0;
}

export async function mirrorRemove(args: MirrorArgs, ctx: Context): Promise<number> {
  const { docker, local, upstream, container } = await findTarget(args, ctx);
  const removal = await ctx.critical(() => removeMirror({ docker, local, env: ctx.env }, container, { data: args.purge === true }));
  if (container.registry !== undefined) printEngineChange(ctx, removal.engine, engineMirrorUrl(container.registry), false);
  const data = removal.dataRemoved !== undefined ? `; its data in ${removal.dataRemoved} removed`
    : removal.dataKept !== undefined ? `; its data stays in ${removal.dataKept} (--purge removes it)` : '';
  ctx.stdout.write(`mirror of ${upstream.host} removed (container ${removal.container})${data}\n`);
  return 0;
}
