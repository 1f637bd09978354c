// Starting, stopping and restarting a registry container, and waiting until it serves.
import type Docker from 'dockerode';
import { engineErrorMessage, engineStatus } from '../engine/engine.ts';
import { inspectRegistryContainer, type RegistryContainer } from './container.ts';
import { exitedError, hasExited } from './exited.ts';
import { InterruptedError, ResourceError } from '../errors.ts';

function startFailure(c: { name: string }, err: unknown): ResourceError {
  const message = engineErrorMessage(err);
  if (/port is already allocated|address already in use/i.test(message)) {
    return new ResourceError(`cannot start ${c.name}: its port is taken by something else (${message})`, { cause: err });
  }
  return new ResourceError(`cannot start the registry container ${c.name}: ${message}`, { cause: err });
}

/** Starts it; already running is fine. */
export async function startRegistryContainer(docker: Docker, c: { id: string; name: string }): Promise<void> {
  try {
    await docker.getContainer(c.id).start();
  } catch (err) {
    if (engineStatus(err) === 304) return;
    throw startFailure(c, err);
  }
}

/** Stops it (SIGTERM, then SIGKILL after timeoutSeconds); already stopped is fine. */
export async function stopRegistryContainer(docker: Docker, c: { id: string; name: string }, timeoutSeconds = 10): Promise<void> {
  try {
    await docker.getContainer(c.id).stop({ t: timeoutSeconds });
  } catch (err) {
    if (engineStatus(err) === 304) return;
    throw new ResourceError(`cannot stop the registry container ${c.name}: ${engineErrorMessage(err)}`, { cause: err });
  }
}

export async function restartRegistryContainer(docker: Docker, c: { id: string; name: string }, timeoutSeconds = 10): Promise<void> {
  try {
    await docker.getContainer(c.id).restart({ t: timeoutSeconds });
  } catch (err) {
    throw startFailure(c, err);
  }
}

/**
 * Waits until the container runs and, when its port is on this machine (local engine),
 * answers HTTP. A container whose process exits meanwhile (restarting in a loop included)
 * fails at once with the last lines of its log (ContainerExitedError).
 */
export async function waitUntilServing(
  docker: Docker,
  container: { id: string; name: string },
  options: { local: boolean; signal?: AbortSignal; timeoutMs?: number },
): Promise<RegistryContainer> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let restartsBefore: number | undefined;
  for (;;) {
    if (options.signal?.aborted) throw new InterruptedError();
    const c = await inspectRegistryContainer(docker, container);
    restartsBefore ??= c.details.RestartCount ?? 0;
    if (hasExited(c.details.State, c.details.RestartCount ?? 0, restartsBefore)) throw await exitedError(docker, c);
    const binding = c.bindings[0];
    if (c.running && (!options.local || !binding)) return c;
    if (c.running && binding) {
      const ip = binding.hostIp === '' || binding.hostIp === '0.0.0.0' ? '127.0.0.1' : binding.hostIp === '::' ? '::1' : binding.hostIp;
      const host = ip.includes(':') ? `[${ip}]` : ip;
      try {
        await fetch(`http://${host}:${binding.port}/v2/`, { signal: AbortSignal.timeout(2000) });
        return c;
      } catch {
        // not listening yet
      }
    }
    if (Date.now() > deadline)
      throw new ResourceError(
        `the registry container ${c.name} does not answer on port ${binding?.port ?? '?'} (docker logs ${c.name} may say why)`,
      );
    await new Promise((r) => setTimeout(r, 150));
  }
}
