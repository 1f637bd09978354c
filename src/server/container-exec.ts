// The one way to run a command in a container (a registry's, or gc's helper) and collect
// its output and exit code. stdout is kept as bytes: the storage scripts' manifests are cut
// out of it by length; callers wanting text decode it.
import type Docker from 'dockerode';
import { readFrames } from '../engine/frames.ts';
import { InterruptedError } from '../errors.ts';

export interface ExecResult {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs a command in one container that is bound already (see execIn). */
export type Exec = (cmd: readonly string[]) => Promise<ExecResult>;

export interface ExecOptions {
  signal?: AbortSignal;
  env?: readonly string[];
  user?: string;
}

/** Runs cmd in the (running) container and collects its output and exit code. */
export async function execInContainer(
  docker: Docker,
  container: { id: string },
  cmd: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const exec = await docker.getContainer(container.id).exec({
    Cmd: [...cmd],
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    ...(options.env ? { Env: [...options.env] } : {}),
    ...(options.user ? { User: options.user } : {}),
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const onAbort = (): void => {
    stream.destroy();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await readFrames(stream, false, (f) => (f.stream === 2 ? err : out).push(f.data));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (options.signal?.aborted) throw new InterruptedError();
  // The output ends a moment before the engine records the exit code.
  let info = await exec.inspect();
  for (let i = 0; info.Running && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    info = await exec.inspect();
  }
  return { exitCode: info.ExitCode ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() };
}

/** execInContainer bound to one container: what the storage scripts are given. */
export function execIn(docker: Docker, container: { id: string }): Exec {
  return (cmd) => execInContainer(docker, container, cmd);
}
