// Which mirror stop, rm and config act on: the one of UPSTREAM (default Docker Hub), or,
// with no UPSTREAM but -r, the mirror serving that address.
import type Docker from 'dockerode';
import type { Context } from '../context.ts';
import type { MirrorArgs } from './options.ts';
import { givenAddress } from './options.ts';
import { listRegistryContainers, mirrorOf, pickRegistryContainer, type RegistryContainer } from '../../server/container.ts';
import { pickMirror, upstreamOf } from '../../mirror/mirrors.ts';
import { parseUpstream, type MirrorUpstream } from '../../mirror/mirror-upstream.ts';
import { NotFoundError } from '../../errors.ts';

export interface MirrorTarget {
  docker: Docker;
  local: boolean;
  upstream: MirrorUpstream;
  container: RegistryContainer;
}

export async function findTarget(args: MirrorArgs, ctx: Context): Promise<MirrorTarget> {
  const { docker, local } = await ctx.engine();
  const all = await listRegistryContainers(docker);
  const address = args.upstream === undefined ? givenAddress(ctx) : undefined;
  if (address !== undefined) {
    const c = pickRegistryContainer(all, address);
    const url = c ? mirrorOf(c) : undefined;
    if (!c || url === undefined) throw new NotFoundError(`no mirror serves ${address.registry} (docker jindr mirror ls lists the mirrors)`);
    return { docker, local, upstream: parseUpstream(url), container: c };
  }
  const named = parseUpstream(args.upstream);
  const c = pickMirror(all, named);
  if (!c) throw new NotFoundError(`no mirror of ${named.host} (docker jindr mirror ls lists the mirrors)`);
  return { docker, local, upstream: upstreamOf(c), container: c };
}
