// The page's adapters to the registry's storage, in one file: gc, prune, disk usage and
// push dates. They need the registry container docker-jindr runs (found on the engine as
// `gc` finds it); for any other registry they say why they cannot run, and the page
// falls back to what the API shows (disk usage worked out from manifests, no push dates).
import type { Engine } from '../engine/engine.ts';
import { RefusedError, NotFoundError, errorMessage } from '../errors.ts';
import { isLoopbackHost, splitHostPort } from '../server/address.ts';
import { findRegistryContainer, type RegistryContainer } from '../server/container.ts';
import { collectGarbage } from '../storage/gc-run.ts';
import type { GcAnswer, PruneAnswer, PruneRequest, UsageAnswer } from './api-types.ts';
import { usageFromSnapshot, type Snapshot } from './snapshot.ts';

export interface HousekeepingDeps {
  /** HOST:PORT of the registry the page shows. */
  registry: string;
  engine(): Promise<Engine>;
  signal: AbortSignal;
  info(message: string): void;
  debug(message: string): void;
  /** Runs fn to the end even on Ctrl-C (a registry stopped for gc is started again). */
  critical<T>(fn: () => Promise<T>): Promise<T>;
}

interface Found {
  engine: Engine;
  container: RegistryContainer;
}

export class Housekeeping {
  private readonly deps: HousekeepingDeps;
  /** Whether prune is wired in (it comes with the prune service). */
  readonly canPrune = false;

  constructor(deps: HousekeepingDeps) {
    this.deps = deps;
  }

  /** The registry's container on the engine; throws, saying why, when there is none to use. */
  private async find(): Promise<Found> {
    const { registry } = this.deps;
    if (!isLoopbackHost(splitHostPort(registry).host)) {
      throw new RefusedError(`gc and prune work on a registry docker-jindr runs on this machine; ${registry} is not local`);
    }
    const engine = await this.deps.engine();
    const container = await findRegistryContainer(engine.docker, registry);
    if (!container) throw new NotFoundError(`no registry container for ${registry} on the engine (start one with: docker jindr start -r ${registry})`);
    return { engine, container };
  }

  /** Why gc and prune cannot run here, or undefined when they can. */
  async unavailable(): Promise<string | undefined> {
    try {
      await this.find();
      return undefined;
    } catch (err) {
      return errorMessage(err);
    }
  }

  /** `docker jindr gc` (with --dry-run when asked), by the same rules. */
  async gc(dryRun: boolean): Promise<GcAnswer> {
    const { engine, container } = await this.find();
    this.deps.signal.throwIfAborted();
    const report = await this.deps.critical(() =>
      collectGarbage(engine.docker, container, {
        dryRun,
        restart: true,
        local: engine.local,
        signal: this.deps.signal,
        info: (m) => this.deps.info(m),
        debug: (m) => this.deps.debug(m),
      }),
    );
    const { manifests, repositories, blobs, bytesFreed, warnings } = report;
    return { dryRun: report.dryRun, manifests, repositories, blobs, bytesFreed, warnings };
  }

  /** `docker jindr prune`: not in this build yet. */
  async prune(_request: PruneRequest): Promise<PruneAnswer> {
    throw new RefusedError('prune is not in this build of docker-jindr yet');
  }

  /** Push time of each tag of a repository (RFC 3339), from storage; undefined when not known. */
  async pushed(_repository: string): Promise<Map<string, string> | undefined> {
    return undefined;
  }

  /** Disk usage per repository: from the manifests the API lists. */
  async usage(snapshot: () => Promise<Snapshot>): Promise<UsageAnswer> {
    return usageFromSnapshot(await snapshot());
  }
}
