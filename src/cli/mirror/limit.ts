// --max-size, given to mirror start or mirror config: sets (or removes) a mirror's size limit
// and keeps the mirror within it now (gc/mirror-trim.ts; gc and mirror trim do it later).
import type { Context } from '../context.ts';
import type { MirrorArgs } from './options.ts';
import type { RegistryContainer } from '../../server/container.ts';
import { parseSize, readMaxSize, writeMaxSize } from '../../mirror/mirror-limit.ts';
import { trimMirror } from '../../gc/mirror-trim.ts';
import { DEFAULT_GRACE_MS } from '../../storage/grace-period.ts';
import { formatBytes } from '../output/table.ts';
import { describeTrim } from '../output/mirror-trim-report.ts';

/** The limit --max-size gives (bytes undefined: no limit); undefined when it is not given. Refused before anything is done. */
export function givenMaxSize(args: MirrorArgs): { bytes: number | undefined } | undefined {
  return args['max-size'] === undefined ? undefined : { bytes: parseSize(args['max-size'], '--max-size') };
}

/** --max-size sets (or removes) the limit; with one, the mirror is trimmed to it now (gc/mirror-trim.ts). */
export async function keepWithinLimit(
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
  if (readMaxSize(container) === undefined || !container.running) return;
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
