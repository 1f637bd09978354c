// Running a command in a registry container and collecting its output and exit code.
import type Docker from 'dockerode';
import { readFrames } from '../engine/frames.ts';
import { InterruptedError } from '../errors.ts';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs cmd in the (running) container and collects its output and exit code. */
export async function execInContainer(
  docker: Docker,
  container: { id: string },
  cmd: readonly string[],
  options: { signal?: AbortSignal; env?: readonly string[]; user?: string } = {},
): Promise<ExecResult> {
  const exec = await docker.getContainer(container.id).exec({
    Cmd: [...cmd], AttachStdout: true, AttachStderr: true, Tty: false,
    ...(options.env ? { Env: [...options.env] } : {}), ...(options.user ? { User: options.user } : {}),
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
  let info = await exec.inspect();
  for (let i = 0; info.Running && i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    info = await exec.inspect();
  }
  return { exitCode: info.ExitCode ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}
