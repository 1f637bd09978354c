// Running the storage scripts in the container that sees a registry's storage (the
// registry's own, or gc's helper; the exec itself is src/server/container-exec.ts), with the
// tools every registry image has (busybox sh, find, stat, cat, rm, rmdir). Arguments are passed as argv, never spliced into a script.
import { ResourceError } from '../errors.ts';
import type { Exec } from '../server/container-exec.ts';

/** Arguments per exec, well under any ARG_MAX. */
export const BATCH = 1000;

export async function run(exec: Exec, cmd: readonly string[], what: string): Promise<Buffer> {
  const result = await exec(cmd);
  if (result.exitCode !== 0) {
    throw new ResourceError(`${what} failed in the registry container (exit ${result.exitCode}): ${lastLine(result.stderr)}`);
  }
  return result.stdout;
}

export function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}
