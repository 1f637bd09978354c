// What `mirror start --engine` and `mirror rm` did to the Docker engine, for people.
import type { Context } from '../context.ts';
import type { EngineChange } from '../../server/mirror-engine.ts';

export function printEngineChange(ctx: Context, change: EngineChange | { kind: 'failed'; why: string }, url: string, adding: boolean): void {
  switch (change.kind) {
    case 'reloaded':
      ctx.stdout.write(adding
        ? `the Docker engine now pulls Docker Hub images through ${url} (${change.path}, reloaded without restarting containers)\n`
        : `the Docker engine no longer uses ${url} (${change.path}, reloaded; its registry mirrors: ${change.mirrors.join(', ') || 'none'})\n`);
      return;
    case 'unchanged':
      if (adding) ctx.stdout.write(`the Docker engine already pulls Docker Hub images through ${url}\n`);
      return;
    case 'manual':
      ctx.info(`note: the Docker engine was ${adding ? 'not set to use' : 'not told to stop using'} ${url}: ${change.why}`);
      if (change.steps.length > 0) ctx.stdout.write(`to ${adding ? 'use' : 'stop using'} the mirror:\n${change.steps.map((s) => `  ${s}\n`).join('')}`);
      return;
    case 'failed':
      ctx.info(`warning: could not check the Docker engine's registry mirrors: ${change.why}`);
  }
}
