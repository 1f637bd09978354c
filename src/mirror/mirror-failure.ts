// Why a mirror did not come up, in one line. distribution's proxy asks its upstream for
// /v2/ when it starts and exits (a Go panic and a stack trace) when it cannot reach it: the
// last log line is then a stack frame; the panic line is the one that says why.
import type Docker from 'dockerode';
import { FrameSplitter } from '../engine/frames.ts';
import { ResourceError } from '../errors.ts';

/** The `panic: ...` line of a registry's log, if it has one. */
export function panicLine(log: string): string | undefined {
  const line = log.split(/\r?\n/).find((l) => l.startsWith('panic: '));
  return line === undefined ? undefined : line.slice('panic: '.length).trim().slice(0, 300);
}

/** The panic line of the container's last log lines (since that Unix time in seconds, when given), if it has one. */
export async function mirrorPanic(docker: Docker, container: { id: string; name: string }, since?: number): Promise<string | undefined> {
  const logs = await docker
    .getContainer(container.id)
    .logs({ stdout: true, stderr: true, tail: 60, ...(since === undefined ? {} : { since }) })
    .catch(() => undefined);
  const text = logs
    ? new FrameSplitter()
        .push(logs)
        .map((f) => f.data.toString())
        .join('')
    : '';
  return panicLine(text);
}

/** The panic of a proxy that could not reach its upstream as it started: `Get "URL/v2/": why`. */
export function unreachableUpstream(panic: string | undefined, url: string): string | undefined {
  const prefix = `Get "${url.replace(/\/$/, '')}/v2/": `;
  return panic?.startsWith(prefix) ? panic.slice(prefix.length) : undefined;
}

/** Rethrows err, or a clearer error when the mirror's log has a panic (its upstream unreachable). */
export async function mirrorStartFailure(
  docker: Docker,
  container: { id: string; name: string },
  err: unknown,
  since?: number,
): Promise<never> {
  const panic = await mirrorPanic(docker, container, since);
  if (panic === undefined) throw err;
  throw new ResourceError(
    `the mirror ${container.name} stopped right after starting: ${panic} (the registry's proxy must reach its upstream when it starts: check the URL, --network, and that the upstream is up)`,
    { cause: err },
  );
}
