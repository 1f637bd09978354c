// push's progress on stderr (the copy's, then the engines' push and pull lines), then what the
// host has: a table (or JSON, or a template) of the image, the host, where it came from and
// its digest, after a line of what was sent and what the host had already.
import type { Context, Sink } from '../context.ts';
import type { SshPushReport } from '../../server/ssh-push.ts';
import type { CopyEvents } from '../../registry/copy.ts';
import { copyProgress, progressMode } from './copy-progress.ts';
import { printRows } from './print.ts';
import { formatBytes, type Column } from './table.ts';

export const pushColumns: readonly Column<SshPushReport>[] = [
  { header: 'IMAGE', value: (r) => r.image },
  { header: 'HOST', value: (r) => r.host },
  { header: 'SOURCE', value: (r) => r.from },
  { header: 'DIGEST', value: (r) => r.digest },
];

const silent: Sink = { write: () => true };

/** Runs push with progress on stderr (none with quiet), then prints its report. */
export async function showPush(
  ctx: Context,
  quiet: boolean,
  push: (progress: Sink, events: CopyEvents) => Promise<SshPushReport>,
): Promise<void> {
  const progress = copyProgress(ctx.stderr, progressMode(ctx.stderr, quiet), { tags: false });
  let report: SshPushReport;
  try {
    report = await push(quiet ? silent : ctx.stderr, progress.events);
  } finally {
    progress.finish();
  }
  if (!quiet) {
    const { blobs, layers } = report;
    const bytes = report.source === 'registry' ? ` (${formatBytes(report.bytes)})` : '';
    ctx.info(
      `blobs: ${blobs.sent} sent${bytes}, ${blobs.present} already on the host; ` +
        `layers: ${layers.pulled} pulled by its engine, ${layers.present} it had`,
    );
  }
  if (quiet && ctx.format === 'table') ctx.stdout.write(`${report.image}\n`);
  else printRows(ctx, pushColumns, [report]);
}
