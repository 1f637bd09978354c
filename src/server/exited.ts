// A registry container that stopped right after it was started: its process exited (an
// image that is not a registry, a bad configuration, a full disk...), perhaps restarting
// in a loop under its restart policy. Noticed at once (waitUntilServing), and said with
// the last lines of its log, which is where the reason is; `start` then removes a
// container it has just created, so the message cannot send anyone to `docker logs`.
import type Docker from 'dockerode';
import { FrameSplitter } from '../engine/frames.ts';
import { ResourceError } from '../errors.ts';

/** Log lines a message shows at most. */
export const LOG_LINES = 10;

export class ContainerExitedError extends ResourceError {
  readonly container: string;
  readonly image: string;
  /** The container's exit code (not the process's: that is exitCode). */
  readonly status: number | undefined;
  readonly logLines: readonly string[];

  constructor(fields: ExitFields, removed = false) {
    super(exitedMessage(fields, removed));
    this.container = fields.container;
    this.image = fields.image;
    this.status = fields.status;
    this.logLines = fields.logLines;
  }

  /** The same failure, once the container has been removed. */
  removed(): ContainerExitedError {
    return new ContainerExitedError(this, true);
  }
}

interface ExitFields {
  container: string;
  image: string;
  status: number | undefined;
  logLines: readonly string[];
}

function exitedMessage(f: ExitFields, removed: boolean): string {
  const code = f.status === undefined ? '' : ` (exit code ${f.status})`;
  const head = `the registry container ${f.container} stopped right after starting${code}`;
  const first = removed ? `${head} and was removed: is ${f.image} a registry image?` : head;
  if (f.logLines.length === 0)
    return removed ? `${first} It printed nothing.` : `${first}; it printed nothing (docker logs ${f.container})`;
  const lines = f.logLines.map((l) => `  ${l}`).join('\n');
  return removed
    ? `${first} Its last log lines:\n${lines}`
    : `${first}; its last log lines (docker logs ${f.container} shows more):\n${lines}`;
}

/** Whether an inspected container's process has exited since it was started (restarting in a loop included). */
export function hasExited(
  state: { Status: string; Running: boolean; Restarting?: boolean },
  restartCount: number,
  restartsBefore: number,
): boolean {
  if (state.Restarting || state.Status === 'restarting') return true;
  if (restartCount > restartsBefore) return true;
  return !state.Running && state.Status !== 'created';
}

/** The error for a container that exited, with the last lines of its log. */
export async function exitedError(
  docker: Docker,
  c: { id: string; name: string; image: string; details: Docker.ContainerInspectInfo },
): Promise<ContainerExitedError> {
  const container = docker.getContainer(c.id);
  const logs = await container.logs({ stdout: true, stderr: true, tail: LOG_LINES }).catch(() => Buffer.alloc(0));
  const text = c.details.Config.Tty
    ? logs.toString()
    : new FrameSplitter()
        .push(logs)
        .map((f) => f.data.toString())
        .join('');
  const logLines = text
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .slice(-LOG_LINES)
    .map((l) => (l.length > 300 ? `${l.slice(0, 300)}...` : l));
  const exited = !c.details.State.Running || c.details.State.Restarting;
  return new ContainerExitedError({ container: c.name, image: c.image, status: exited ? c.details.State.ExitCode : undefined, logLines });
}
