// A registry container's log, as `docker logs` shows it: the container's stdout to ours,
// its stderr to ours. With follow it runs until the container stops or the signal aborts.
import type Docker from 'dockerode';
import { FrameSplitter, readFrames, type Frame } from '../engine/frames.ts';
import type { LocalRegistryAddress } from './address.ts';
import type { RegistryContainer } from './container.ts';
import { requireRegistryContainer } from './status.ts';
import { engineLost } from '../engine/engine.ts';

export interface LogSinks {
  stdout: { write(text: string | Buffer): unknown };
  stderr: { write(text: string | Buffer): unknown };
}

export interface LogOptions {
  follow: boolean;
  /** Only the last n lines (all when undefined). */
  tail?: number;
  signal: AbortSignal;
}

export async function streamLogs(docker: Docker, c: RegistryContainer, sinks: LogSinks, options: LogOptions): Promise<void> {
  const tty = c.details.Config.Tty;
  const write = (frame: Frame): void => {
    (frame.stream === 2 ? sinks.stderr : sinks.stdout).write(frame.data);
  };
  const container = docker.getContainer(c.id);
  const base = { stdout: true, stderr: true, ...(options.tail !== undefined ? { tail: options.tail } : {}) };
  if (!options.follow) {
    const buffer = await container.logs({ ...base, follow: false, abortSignal: options.signal });
    if (tty) write({ stream: 1, data: buffer });
    else new FrameSplitter().push(buffer).forEach(write);
    return;
  }
  const stream = await container.logs({ ...base, follow: true, abortSignal: options.signal });
  // The abort signal ends the request; destroying the stream as well makes sure nothing waits on it.
  const stop = (): void => {
    (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
  };
  if (options.signal.aborted) stop();
  options.signal.addEventListener('abort', stop, { once: true });
  try {
    await readFrames(stream, tty, write);
  } catch (err) {
    throw engineLost(docker, err);
  } finally {
    options.signal.removeEventListener('abort', stop);
  }
}

/** logs: the log of the registry container serving the address (one is needed: the error says how to start it). */
export async function registryLogs(docker: Docker, address: LocalRegistryAddress, sinks: LogSinks, options: LogOptions): Promise<void> {
  await streamLogs(docker, await requireRegistryContainer(docker, address), sinks, options);
}
