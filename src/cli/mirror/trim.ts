// mirror trim [UPSTREAM]: keeps the mirror within its size limit (mirror start --max-size)
// now: the least recently pulled images go first, then gc collects (gc/mirror-trim.ts).
// Also run by mirror start and by gc on a mirror.
import type { Context } from '../context.ts';
import type { MirrorArgs } from './options.ts';
import { findTarget } from './target.ts';
import { graceMs } from '../grace-option.ts';
import { printRows } from '../output/print.ts';
import { describeTrim, mirrorTrimColumns } from '../output/mirror-trim-report.ts';
import { trimMirror } from '../../gc/mirror-trim.ts';

export async function mirrorTrim(args: MirrorArgs, ctx: Context): Promise<number> {
  const grace = graceMs(args.grace);
  const { docker, local, container } = await findTarget(args, ctx);
  const report = await ctx.critical(() =>
    trimMirror(docker, container, {
      graceMs: grace,
      restart: true,
      local,
      signal: ctx.signal,
      info: (m) => ctx.info(m),
      debug: (m) => ctx.debugLog(m),
    }),
  );
  printRows(ctx, mirrorTrimColumns, report.evicted, report, () => ctx.stdout.write(describeTrim(report)));
  return 0;
}
