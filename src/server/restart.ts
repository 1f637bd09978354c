// restart: the registry container restarted (or started when it is stopped), a
// certificate docker jindr made renewed first when due, then waited for until it serves.
import type { Engine } from '../engine/engine.ts';
import type { LocalRegistryAddress } from './address.ts';
import type { RegistryContainer } from './container.ts';
import { restartRegistryContainer, startRegistryContainer, waitUntilServing } from './container-control.ts';
import { checkPortFree } from './prestart-checks.ts';
import { requireRegistryContainer } from './status.ts';
import { refreshTls } from './tls-trust.ts';

export interface RestartOptions {
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Runs the restart to its end even when interrupted. */
  critical: <T>(fn: () => Promise<T>) => Promise<T>;
  info: (message: string) => void;
}

export async function restartRegistry(
  engine: Pick<Engine, 'docker' | 'local' | 'endpoint' | 'identify'>,
  address: LocalRegistryAddress,
  options: RestartOptions,
): Promise<RegistryContainer> {
  const { docker, local } = engine;
  const c = await requireRegistryContainer(docker, address);
  // Where a renewed CA goes depends on the engine (tls-trust.ts daemonCertsDir).
  const which = { kind: (await engine.identify()).kind, context: engine.endpoint.context };
  await refreshTls(docker, c, { local, env: options.env, info: options.info, engine: which });
  if (c.running) {
    await options.critical(() => restartRegistryContainer(docker, c));
  } else {
    await checkPortFree(docker, address, local);
    await startRegistryContainer(docker, c);
  }
  return waitUntilServing(docker, c, { local, signal: options.signal });
}
