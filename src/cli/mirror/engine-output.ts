// What `mirror start --engine` and `mirror rm` did to the Docker engine, for people: on
// stdout by default; on stderr with --format, whose JSON or template line says it on stdout.
import type { Context } from '../context.ts';
import type { EngineChange } from '../../mirror/mirror-engine.ts';
import { formatted } from '../output/mirror-report.ts';

export function printEngineChange(
  ctx: Context,
  change: EngineChange | { kind: 'failed'; why: string },
  url: string,
  adding: boolean,
): void {
  const say = formatted(ctx) ? (text: string) => ctx.info(text.replace(/\n$/, '')) : (text: string) => ctx.stdout.write(text);
  switch (change.kind) {
    case 'reloaded':
      say(
        adding
          ? `the Docker engine now pulls Docker Hub images through ${url} (${change.path}, reloaded without restarting containers)\n`
          : `the Docker engine no longer uses ${url} (${change.path}, reloaded; its registry mirrors: ${change.mirrors.join(', ') || 'none'})\n`,
      );
      return;
    case 'unchanged':
      if (adding) say(`the Docker engine already pulls Docker Hub images through ${url}\n`);
      return;
    case 'manual':
      ctx.info(`note: the Docker engine was ${adding ? 'not set to use' : 'not told to stop using'} ${url}: ${change.why}`);
      if (change.steps.length > 0) say(`to ${adding ? 'use' : 'stop using'} the mirror:\n${change.steps.map((s) => `  ${s}\n`).join('')}`);
      return;
    case 'failed':
      ctx.info(`warning: could not check the Docker engine's registry mirrors: ${change.why}`);
  }
}
