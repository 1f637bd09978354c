// A many-tag copy (cp --all-tags / --tags) as people and scripts see it: while it runs, the
// blobs as for one copy (copy-progress.ts) and the tags done of all with the bytes sent (a
// line kept at the bottom of a terminal; piped, a line per tag); then one row per tag:
// its status (present, copied, would copy), digest and bytes sent, as a table or JSON.
import type { Context } from '../context.ts';
import type { TagResult, TagsEvents, TagsReport } from '../../registry/copy-tags.ts';
import { copyProgress, progressMode } from './copy-progress.ts';
import { copyColumns } from './copy-report.ts';
import { printRows, writeJsonLines } from './print.ts';
import { formatBytes, type Column } from './table.ts';

const sizeText = (r: TagResult): string => (r.status === 'present' || r.status === 'gone' ? '-' : formatBytes(r.bytes));

export const tagColumns: readonly Column<TagResult>[] = [
  { header: 'TAG', value: (r) => r.tag },
  { header: 'STATUS', value: (r) => r.status },
  { header: 'DIGEST', value: (r) => r.digest },
  { header: 'SIZE', value: sizeText },
  { header: 'DESTINATION', value: (r) => r.destination },
];

/** cp's --format fields: one copy's (copy-report.ts), then those only a many-tag copy has. */
export const cpFields: readonly Pick<Column<never>, 'header' | 'field'>[] = [
  ...copyColumns,
  ...tagColumns.filter((c) => !copyColumns.some((d) => d.header === c.header)),
];

/** Runs the copy with its progress on stderr, then prints its rows. */
export async function showTagsCopy(ctx: Context, quiet: boolean, copy: (events: TagsEvents) => Promise<TagsReport>): Promise<TagsReport> {
  const mode = progressMode(ctx.stderr, quiet);
  const progress = copyProgress(ctx.stderr, mode, { tags: false });
  let sent = 0;
  let done = 0;
  let total = 0;
  const status = (): void => progress.status(`tags: ${done}/${total} done, ${formatBytes(sent)} sent`);
  const events: TagsEvents = {
    ...progress.events,
    blobDone: (digest, size, outcome) => {
      progress.events.blobDone?.(digest, size, outcome);
      if (outcome === 'copied') sent += size;
      status();
    },
    tagsCompared: (count, present) => {
      total = count;
      progress.line(`${count} tags: ${present} already at the destination, ${count - present} to copy`);
      status();
    },
    tagFinished: (r, doneNow, count) => {
      done = doneNow;
      // On a terminal the table follows: the bottom line counts, the rows say each tag.
      if (mode === 'plain' || !ctx.stdout.isTTY) {
        const size = r.status === 'present' || r.status === 'gone' ? '' : ` (${formatBytes(r.bytes)})`;
        progress.line(`[${doneNow}/${count}] ${r.destination}: ${r.status}${size}, ${formatBytes(sent)} sent in all`);
      }
      status();
    },
  };
  let report: TagsReport;
  try {
    report = await copy(events);
  } finally {
    progress.finish();
  }
  printTagsReport(ctx, report, quiet);
  return report;
}

function printTagsReport(ctx: Context, report: TagsReport, quiet: boolean): void {
  const json = report.tags.map((r) => ({ ...r }));
  if (quiet) {
    if (ctx.format === 'json') writeJsonLines(ctx.stdout, json);
    else for (const r of report.tags) if (r.status !== 'gone') ctx.stdout.write(`${r.destination}\n`);
    return;
  }
  const count = (status: TagResult['status']) => report.tags.filter((r) => r.status === status).length;
  const gone = count('gone') > 0 ? `, ${count('gone')} gone from the source meanwhile` : '';
  if (report.dryRun) {
    ctx.info(
      `dry run: ${count('would copy')} tags to copy (${formatBytes(report.bytes)} to send), ${count('present')} present${gone}; nothing was copied`,
    );
  } else {
    const { copied, mounted, exists } = report.blobs;
    ctx.info(
      `tags: ${count('copied')} copied, ${count('present')} present${gone}; ` +
        `blobs: ${copied} copied (${formatBytes(report.bytes)}), ${mounted} mounted, ${exists} already there`,
    );
  }
  printRows(ctx, tagColumns, report.tags, json);
}
