// Asking before removing, as `docker image prune` does: a warning, then
// "Are you sure you want to continue? [y/N] " and one line from the terminal; only y or
// yes goes on. Without a terminal to ask on, the command refuses unless -f/--force.
import { InterruptedError, UsageError } from '../errors.ts';
import type { Context } from './context.ts';

export async function confirm(ctx: Context, warning: string, command: string): Promise<boolean> {
  const input = ctx.stdin;
  if (!input?.isTTY) {
    throw new UsageError(
      `${command} asks before removing anything and there is no terminal to ask on: add -f/--force (see what would go with --dry-run)`,
    );
  }
  ctx.stderr.write(`${warning}\nAre you sure you want to continue? [y/N] `);
  const answer = await readLine(input, ctx.signal);
  return /^y(es)?$/i.test(answer.trim());
}

function readLine(input: NonNullable<Context['stdin']>, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (): void => {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      signal.removeEventListener('abort', onAbort);
      input.pause();
    };
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      const newline = text.indexOf('\n');
      if (newline === -1) return;
      done();
      resolve(text.slice(0, newline));
    };
    const onEnd = (): void => {
      done();
      resolve(text);
    };
    const onAbort = (): void => {
      done();
      reject(new InterruptedError());
    };
    if (signal.aborted) return onAbort();
    input.on('data', onData);
    input.on('end', onEnd);
    signal.addEventListener('abort', onAbort, { once: true });
    input.resume();
  });
}
