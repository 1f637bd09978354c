// What services below the CLI ask of a command's Context, as plain functions: Ctrl-C,
// work that must run to its end, notes for people and debug lines.
import type { Context } from './context.ts';

export interface Session {
  signal: AbortSignal;
  critical: <T>(fn: () => Promise<T>) => Promise<T>;
  info: (message: string) => void;
  debug: (message: string) => void;
}

export function session(ctx: Context): Session {
  return {
    signal: ctx.signal,
    critical: (fn) => ctx.critical(fn),
    info: (message) => ctx.info(message),
    debug: (message) => ctx.debugLog(message),
  };
}
