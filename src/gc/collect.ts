// Garbage collection as gc and stop run it: in the registry container serving -r, inside
// a critical section (once stopped, the registry must be started again even on Ctrl-C).
// stop collects first, leaving the registry stopped, and then stops it.
import type { Engine } from '../engine/engine.ts';
import { InterruptedError, errorMessage } from '../errors.ts';
import type { LocalRegistryAddress } from '../server/address.ts';
import { findRegistryContainer, type RegistryContainer } from '../server/container.ts';
import { stopRegistryContainer } from '../server/container-control.ts';
import { requireRegistryContainer } from '../server/status.ts';
import { collectGarbage, type GcReport } from './gc-run.ts';
import { trimMirror } from './mirror-trim.ts';
import { readMaxSize } from '../mirror/mirror-limit.ts';

export interface CollectSession {
  signal: AbortSignal;
  critical: <T>(fn: () => Promise<T>) => Promise<T>;
  info: (message: string) => void;
  debug: (message: string) => void;
}

type EngineHere = Pick<Engine, 'docker' | 'local'>;

export interface CollectOptions extends CollectSession {
  dryRun: boolean;
  restart: boolean;
  /** Nothing written more recently than this is removed (storage/grace-period.ts). */
  graceMs: number;
  /** Collect in a registry container docker-jindr did not create. */
  force?: boolean;
}

/** gc: collects in the registry for the address. With restart false (for stop), a running registry is left stopped. */
export async function collectIn(engine: EngineHere, address: LocalRegistryAddress, options: CollectOptions): Promise<GcReport> {
  const { docker, local } = engine;
  const registry = await requireRegistryContainer(docker, address);
  options.signal.throwIfAborted();
  const { dryRun, restart, graceMs, signal, info, debug } = options;
  const force = options.force === true;
  // A mirror over its size limit gives up its least recently pulled images first (mirror-trim.ts), and that collection is gc's.
  if (!dryRun && restart && registry.running && readMaxSize(registry) !== undefined) {
    const trim = await options.critical(() => trimMirror(docker, registry, { restart, graceMs, force, local, signal, info, debug }));
    if (trim.gc) return trim.gc;
  }
  return options.critical(() => collectGarbage(docker, registry, { dryRun, restart, graceMs, force, local, signal, info, debug }));
}

export type StopResult =
  { outcome: 'absent' } | { outcome: 'not-running'; container: RegistryContainer } | { outcome: 'stopped'; container: RegistryContainer };

export interface StopOptions extends CollectSession {
  /** Collect garbage before stopping (stop's default; -G skips it). */
  gc: boolean;
  /** The collection's grace period (storage/grace-period.ts). */
  graceMs: number;
  /** What the collection did, once done, for people. */
  collected?: (report: GcReport) => void;
}

/**
 * stop: the registry container for the address is stopped and kept. Garbage is collected
 * first; a failed collection is a warning and the stop goes on (the user asked to stop);
 * Ctrl-C ends the command.
 */
export async function stopRegistry(engine: EngineHere, address: LocalRegistryAddress, options: StopOptions): Promise<StopResult> {
  const c = await findRegistryContainer(engine.docker, address);
  if (!c) return { outcome: 'absent' };
  if (!c.running) return { outcome: 'not-running', container: c };
  if (options.gc) {
    try {
      options.collected?.(await collectIn(engine, address, { ...options, dryRun: false, restart: false }));
    } catch (err) {
      if (err instanceof InterruptedError || options.signal.aborted) throw err;
      options.info(`warning: garbage collection failed, stopping without it: ${errorMessage(err)}`);
    }
  }
  await options.critical(() => stopRegistryContainer(engine.docker, c));
  return { outcome: 'stopped', container: c };
}
