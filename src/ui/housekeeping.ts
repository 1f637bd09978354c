// The page's adapters to the registry's storage, in one file: gc, prune, disk usage and
// push dates, through the same services as `gc`, `prune`, `du` and `lsi`. gc and prune
// need the registry container docker-jindr runs (found on the engine as `gc` finds it);
// for any other registry they say why they cannot run, push dates are absent (never
// guessed) and disk usage is worked out from the manifests.
import type { Engine } from '../engine/engine.ts';
import { RefusedError, NotFoundError, errorMessage } from '../errors.ts';
import type { RegistryClient } from '../registry/client.ts';
import { registryHost } from '../registry/host.ts';
import { findRegistryContainer, type RegistryContainer } from '../server/container.ts';
import { registryUsage } from '../storage/disk-usage.ts';
import { collectGarbage } from '../gc/gc-run.ts';
import { prune } from '../gc/prune-run.ts';
import { pushDates } from '../storage/storage-access.ts';
import type { GcAnswer, PruneAnswer, PruneRequest, UsageAnswer } from './api-types.ts';

export interface HousekeepingDeps {
  /** HOST:PORT of the registry the page shows. */
  registry: string;
  client: RegistryClient;
  engine(): Promise<Engine>;
  /** The command line's duration parser (30d, 12h), handed down by the command. */
  parseDuration(text: string, option: string): number;
  /** gc's grace period for the page's gc, prune and reclaimable bytes (`ui --grace`, default 1h). */
  graceMs: number;
  /** The page's gc and prune may change a registry container docker-jindr did not create (`ui --force`). */
  force: boolean;
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

  constructor(deps: HousekeepingDeps) {
    this.deps = deps;
  }

  /** The registry's container on the engine; throws, saying why, when there is none to use. */
  private async find(): Promise<Found> {
    const { registry } = this.deps;
    if (!registryHost(registry).loopback) {
      throw new RefusedError(`gc and prune work on a registry docker-jindr runs on this machine; ${registry} is not local`);
    }
    const engine = await this.deps.engine();
    const container = await findRegistryContainer(engine.docker, registry);
    if (!container)
      throw new NotFoundError(`no registry container for ${registry} on the engine (start one with: docker jindr start -r ${registry})`);
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
        graceMs: this.deps.graceMs,
        force: this.deps.force,
        local: engine.local,
        signal: this.deps.signal,
        info: (m) => this.deps.info(m),
        debug: (m) => this.deps.debug(m),
      }),
    );
    const { manifests, repositories, blobs, bytesFreed, warnings } = report;
    return { dryRun: report.dryRun, manifests, repositories, blobs, bytesFreed, warnings };
  }

  /** `docker jindr prune -f` (the page asked already), or its --dry-run. */
  async prune(request: PruneRequest): Promise<PruneAnswer> {
    const { engine } = await this.find();
    const rules = {
      ...(request.keep !== undefined ? { keep: request.keep } : {}),
      ...(request.olderThan !== undefined ? { olderThanMs: this.deps.parseDuration(request.olderThan, 'older than') } : {}),
      semver: request.semver === true,
      match: request.match ?? [],
      exclude: request.exclude ?? [],
      protect: request.protect ?? ['latest'],
    };
    const { registry, client, signal } = this.deps;
    const report = await this.deps.critical(() =>
      prune(engine.docker, {
        registry,
        repositories: request.repositories ?? [],
        rules,
        dryRun: request.dryRun,
        graceMs: this.deps.graceMs,
        gc: { force: this.deps.force },
        client,
        local: engine.local,
        signal,
        info: (m) => this.deps.info(m),
        debug: (m) => this.deps.debug(m),
      }),
    );
    return {
      dryRun: report.dryRun,
      tags: report.tags.map((t) => ({
        repository: t.repository,
        tag: t.tag,
        digest: t.digest,
        ...(t.pushed !== undefined ? { pushed: t.pushed } : {}),
      })),
      changed: report.changed.map((t) => `${t.repository}:${t.tag}`),
      manifests: report.manifests,
      blobs: report.blobs,
      bytesFreed: report.bytes,
      warnings: report.gc?.warnings ?? [],
    };
  }

  /** Push time of each tag of a repository (RFC 3339), from storage; undefined when not known. */
  async pushed(repository: string): Promise<Map<string, string> | undefined> {
    const { registry } = this.deps;
    if (!registryHost(registry).loopback) return undefined;
    try {
      const found = await pushDates((await this.deps.engine()).docker, registry);
      if ('dates' in found) return found.dates.get(repository) ?? new Map();
      this.deps.debug(`no push times for ${registry}: ${found.reason}`);
    } catch (err) {
      this.deps.debug(`no push times for ${registry}: ${errorMessage(err)}`);
    }
    return undefined;
  }

  /** `docker jindr du`: from storage when this engine runs the registry, else from the manifests. */
  async usage(): Promise<UsageAnswer> {
    const { registry, client, signal } = this.deps;
    const local = registryHost(registry).loopback;
    const report = await registryUsage({
      registry,
      client,
      signal,
      graceMs: this.deps.graceMs,
      ...(local ? { docker: async () => (await this.deps.engine()).docker } : {}),
    });
    return {
      source: report.source,
      ...(report.note !== undefined ? { note: report.note } : {}),
      repositories: report.repositories.map((r) => ({
        repository: r.repository,
        unique: r.unique,
        shared: r.shared,
        ...(r.reclaimable !== undefined ? { reclaimable: r.reclaimable } : {}),
      })),
      total: report.total.size,
      unreferenced: report.total.unreferenced,
      ...(report.total.reclaimable !== undefined ? { reclaimable: report.total.reclaimable } : {}),
    };
  }
}
