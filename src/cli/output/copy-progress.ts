// Progress of a copy on stderr: on a terminal, a live line per blob in flight (as
// docker push shows) above which finished blobs scroll; piped, one plain line per
// finished blob, manifest and tag; with --quiet, nothing.
import type { CopyEvents } from '../../registry/copy.ts';
import type { Sink } from '../context.ts';
import { formatBytes } from './table.ts';

export type ProgressMode = 'tty' | 'plain' | 'quiet';

export interface CopyProgress {
  events: CopyEvents;
  /** Draws the last state and stops the redraw timer. */
  finish(): void;
  /** A line of its own among the finished ones (nothing with --quiet). */
  line(text: string): void;
  /** On a terminal, a line kept below the blobs in flight, replaced by the next (e.g. tags done/total); piped, nothing. */
  status(text: string): void;
}

const REDRAW_MS = 120;
const BAR = 24;

const short = (digest: string) => digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);

function bar(done: number, size: number): string {
  const filled = size > 0 ? Math.min(BAR, Math.floor((done / size) * BAR)) : BAR;
  return '[' + '='.repeat(filled) + (filled < BAR ? '>' + ' '.repeat(BAR - filled - 1) : '') + ']';
}

const outcomeText = { exists: 'already there', mounted: 'mounted', copied: 'copied' } as const;

export function progressMode(stderr: Sink, quiet: boolean): ProgressMode {
  if (quiet) return 'quiet';
  return stderr.isTTY ? 'tty' : 'plain';
}

/** `tags: false` leaves out the line per tag written (the result table follows on the same terminal). */
export function copyProgress(stderr: Sink, mode: ProgressMode, options: { tags?: boolean } = {}): CopyProgress {
  if (mode === 'quiet') return { events: {}, finish: () => {}, line: () => {}, status: () => {} };
  const tags = options.tags ?? true;
  if (mode === 'plain') {
    return {
      events: {
        blobDone: (digest, size, outcome) => stderr.write(`${short(digest)}: ${outcomeText[outcome]} (${formatBytes(size)})\n`),
        blobRetry: (digest, reason) => stderr.write(`${short(digest)}: retrying (${reason})\n`),
        manifestDone: (digest, _type, outcome) =>
          stderr.write(`${short(digest)}: manifest ${outcome === 'exists' ? 'already there' : 'copied'}\n`),
        ...(tags ? { tagDone: (destination: string, digest: string) => stderr.write(`${destination}: ${digest}\n`) } : {}),
      },
      finish: () => {},
      line: (text) => stderr.write(text + '\n'),
      status: () => {},
    };
  }

  const active = new Map<string, { size: number; bytes: number }>();
  const finished: string[] = [];
  let footer: string | undefined;
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;

  const draw = (): void => {
    timer = undefined;
    let out = drawn > 0 ? `\x1b[${drawn}A\x1b[J` : '';
    for (const line of finished) out += line + '\n';
    finished.length = 0;
    for (const [digest, blob] of active) {
      out += `${short(digest)}: ${bar(blob.bytes, blob.size)} ${formatBytes(blob.bytes)}/${formatBytes(blob.size)}\n`;
    }
    if (footer !== undefined) out += footer + '\n';
    drawn = active.size + (footer !== undefined ? 1 : 0);
    if (out) stderr.write(out);
  };
  const schedule = (): void => {
    timer ??= setTimeout(draw, REDRAW_MS);
  };
  const done = (line: string): void => {
    finished.push(line);
    schedule();
  };

  return {
    events: {
      blobStart: (digest, size) => {
        active.set(digest, { size, bytes: 0 });
        schedule();
      },
      blobBytes: (digest, n) => {
        const blob = active.get(digest);
        if (blob) blob.bytes += n;
        schedule();
      },
      blobRetry: (digest, reason) => {
        const blob = active.get(digest);
        if (blob) blob.bytes = 0;
        done(`${short(digest)}: retrying (${reason})`);
      },
      blobDone: (digest, size, outcome) => {
        active.delete(digest);
        done(`${short(digest)}: ${outcomeText[outcome]} (${formatBytes(size)})`);
      },
      manifestDone: (digest, _type, outcome) => done(`${short(digest)}: manifest ${outcome === 'exists' ? 'already there' : 'copied'}`),
      ...(tags ? { tagDone: (destination: string, digest: string) => done(`${destination}: ${digest}`) } : {}),
    },
    finish: () => {
      if (timer) clearTimeout(timer);
      active.clear();
      draw();
    },
    line: done,
    status: (text) => {
      footer = text;
      schedule();
    },
  };
}
