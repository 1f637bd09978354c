// What mirror start, stop, rm and config did: in their own words (by default, as they
// happen), or as one JSON object or a template line over their fields (--format), with
// the words for people on stderr then. mirror ls's rows are in ../mirror/ls.ts.
import type { Context } from '../context.ts';
import { outputMode } from './format.ts';
import { printRows } from './print.ts';
import type { Column } from './table.ts';
import type { RegistryContainer } from '../../server/container.ts';
import type { EngineChange } from '../../mirror/mirror-engine.ts';
import { describeLogin } from '../../mirror/mirror-login.ts';
import type { MirrorRemoval } from '../../mirror/mirror-remove.ts';
import { mirrorEndpoints, mirrorSnippetParts, mirrorSnippets } from '../../mirror/mirror-snippets.ts';
import type { MirrorStartResult } from '../../mirror/mirror-start.ts';
import { mirrorContainerName, type MirrorUpstream } from '../../mirror/mirror-upstream.ts';
import { mirrorNetwork } from '../../mirror/mirrors.ts';
import { describeOffline } from '../../mirror/mirror-offline.ts';

/** What the engine was told (mirror start --engine, mirror rm): its mirror URL and the change. */
export type EngineMirror = { url: string } & (EngineChange | { kind: 'failed'; why: string });

/** JSON or a template: the result goes to stdout as one row, the command's sentences do not. */
export function formatted(ctx: Context): boolean {
  return outputMode(ctx.format).kind !== 'default';
}

interface MirrorBase {
  /** The short name mirror start/stop/rm/config and mirror ls use: docker.io, upstream-5000. */
  name: string;
  /** The upstream's URL (distribution's proxy.remoteurl). */
  upstream: string;
  /** HOST:PORT it serves on this machine; null when it publishes no port. */
  address: string | null;
  container: string;
}

const base = (upstream: MirrorUpstream, c: RegistryContainer, address = c.registry): MirrorBase => ({
  name: upstream.name,
  upstream: upstream.url,
  address: address ?? null,
  container: c.name,
});
const dash = (value: string | number | null | undefined): string => (value === null || value === undefined ? '-' : String(value));

const baseColumns: readonly Column<MirrorBase>[] = [
  { header: 'NAME', value: (r) => r.name },
  { header: 'UPSTREAM', value: (r) => r.upstream },
  { header: 'ADDRESS', value: (r) => dash(r.address) },
  { header: 'CONTAINER', value: (r) => r.container },
];

export interface MirrorStartRow extends MirrorBase {
  port: number | null;
  image: string;
  /** The directory its cache is in (null for a volume). */
  data: string | null;
  network: string | null;
  outcome: MirrorStartResult['outcome'];
  /** The login looked up for the upstream (never the secret); null when it was already running. */
  login: { kind: string; from: string; username?: string } | null;
  /** With --engine: whether the engine now pulls Docker Hub images through it (set), and how; else null. */
  engineMirror: (EngineMirror & { set: boolean }) | null;
  /** pull-through, or offline: its upstream could not be reached and it serves its cache, read-only. */
  mode: 'pull-through' | 'offline';
  /** Offline: the tags it serves and why the upstream could not be reached; else null. */
  offline: { images: number; reason: string } | null;
}

export const mirrorStartColumns: readonly Column<MirrorStartRow>[] = [
  ...baseColumns,
  { header: 'PORT', value: (r) => dash(r.port) },
  { header: 'IMAGE', value: (r) => r.image },
  { header: 'DATA', value: (r) => dash(r.data) },
  { header: 'NETWORK', value: (r) => dash(r.network) },
  { header: 'OUTCOME', value: (r) => r.outcome },
  { header: 'ENGINE MIRROR', value: (r) => dash(r.engineMirror?.kind) },
  { header: 'MODE', value: (r) => r.mode },
];

export function mirrorStartRow(result: MirrorStartResult, engine: EngineMirror | undefined): MirrorStartRow {
  const c = result.container;
  const port = /:(\d+)$/.exec(result.address)?.[1];
  const login = result.login;
  return {
    ...base(result.upstream, c, result.address),
    port: port === undefined ? null : Number(port),
    image: c.image,
    data: c.storage.kind === 'bind' ? c.storage.path : null,
    network: mirrorNetwork(c) ?? null,
    outcome: result.outcome,
    login: login ? { kind: login.kind, from: login.from, ...(login.kind === 'login' ? { username: login.username } : {}) } : null,
    engineMirror: engine ? { ...engine, set: engine.kind === 'reloaded' || engine.kind === 'unchanged' } : null,
    mode: result.offline ? 'offline' : 'pull-through',
    offline: result.offline ?? null,
  };
}

/** As soon as it is up: by default its line (and the settings for other runtimes when created); the notes on stderr. */
export function announceMirrorStart(ctx: Context, result: MirrorStartResult): void {
  const { container: c, upstream } = result;
  const plain = !formatted(ctx);
  if (plain) {
    const data = c.storage.kind === 'bind' ? `, data in ${c.storage.path}` : '';
    const verb = { 'already-running': 'already running', started: 'started', created: 'created and started' }[result.outcome];
    ctx.stdout.write(`mirror of ${upstream.host} ${verb} as ${c.name} on ${result.address} (${upstream.url}, ${c.image}${data})\n`);
  }
  if (result.moved)
    ctx.info(
      `moved the mirror's login out of its data directory, which other containers see: it is in ${result.moved.to} now (mode 0600), and ${result.moved.from} is removed`,
    );
  if (result.offline) for (const line of describeOffline(upstream, result.offline)) ctx.info(line);
  else if (result.login) ctx.info(`the mirror ${describeLogin(result.login)}`);
  if (result.ignored.length > 0)
    ctx.info(
      `note: ${result.ignored.join(', ')} not applied to the existing mirror: remove it first (docker jindr mirror rm ${upstream.name})`,
    );
  if (plain && result.outcome === 'created') {
    ctx.stdout.write(`\n${mirrorSnippets(upstream, mirrorEndpoints(c, result.address), mirrorContainerName(upstream))}`);
  } else {
    ctx.info(`docker jindr mirror config ${upstream.name} shows the containerd (kind, k3d) and Podman settings`);
  }
}

/** With --format, the row once everything is done (by default all was said as it happened). */
export function printMirrorStart(ctx: Context, result: MirrorStartResult, engine: EngineMirror | undefined): void {
  const row = mirrorStartRow(result, engine);
  printRows(ctx, mirrorStartColumns, [row], row, () => {});
}

export interface MirrorStopRow extends MirrorBase {
  /** stopped, or not-running (it was not: nothing done). */
  outcome: 'stopped' | 'not-running';
}

export const mirrorStopColumns: readonly Column<MirrorStopRow>[] = [...baseColumns, { header: 'OUTCOME', value: (r) => r.outcome }];

export function printMirrorStop(ctx: Context, upstream: MirrorUpstream, c: RegistryContainer, stopped: boolean): void {
  const row: MirrorStopRow = { ...base(upstream, c), outcome: stopped ? 'stopped' : 'not-running' };
  printRows(ctx, mirrorStopColumns, [row], row, () =>
    ctx.stdout.write(
      stopped
        ? `mirror of ${upstream.host} stopped (${c.name}; docker jindr mirror start ${upstream.name} starts it again)\n`
        : `mirror of ${upstream.host} (${c.name}) is not running\n`,
    ),
  );
}

export interface MirrorRemoveRow extends MirrorBase {
  /** The directory of its cached data: removed (--purge) or kept; null for a volume. */
  data: string | null;
  dataRemoved: boolean;
  /** What the engine was told (it stops using the mirror if it did); null when the mirror published no port. */
  engineMirror: EngineMirror | null;
}

export const mirrorRemoveColumns: readonly Column<MirrorRemoveRow>[] = [
  ...baseColumns,
  { header: 'DATA', value: (r) => dash(r.data) },
  { header: 'DATA REMOVED', value: (r) => String(r.dataRemoved) },
  { header: 'ENGINE MIRROR', value: (r) => dash(r.engineMirror?.kind) },
];

export function printMirrorRemove(
  ctx: Context,
  upstream: MirrorUpstream,
  c: RegistryContainer,
  removal: MirrorRemoval,
  engine: EngineMirror | undefined,
): void {
  const row: MirrorRemoveRow = {
    ...base(upstream, c),
    container: removal.container,
    data: removal.dataRemoved ?? removal.dataKept ?? null,
    dataRemoved: removal.dataRemoved !== undefined,
    engineMirror: engine ?? null,
  };
  const data =
    removal.dataRemoved !== undefined
      ? `; its data in ${removal.dataRemoved} removed`
      : removal.dataKept !== undefined
        ? `; its data stays in ${removal.dataKept} (--purge removes it)`
        : '';
  printRows(ctx, mirrorRemoveColumns, [row], row, () =>
    ctx.stdout.write(`mirror of ${upstream.host} removed (container ${removal.container})${data}\n`),
  );
}

export interface MirrorConfigRow extends MirrorBase {
  network: string | null;
  /** containerd on this machine: the file and its text. */
  containerdFile: string;
  containerd: string;
  /** On a Docker network: the hosts.toml for kind or k3d nodes there, and k3d's registries.yaml; else null. */
  nodeContainerd: string | null;
  k3d: string | null;
  podmanFile: string;
  podman: string;
}

export const mirrorConfigColumns: readonly Column<MirrorConfigRow>[] = [
  ...baseColumns,
  { header: 'NETWORK', value: (r) => dash(r.network) },
  { header: 'CONTAINERD FILE', value: (r) => r.containerdFile },
  { header: 'CONTAINERD', value: (r) => r.containerd },
  // A file's text, not a value: empty when there is none.
  { header: 'NODE CONTAINERD', value: (r) => r.nodeContainerd ?? '' },
  { header: 'K3D', value: (r) => r.k3d ?? '' },
  { header: 'PODMAN FILE', value: (r) => r.podmanFile },
  { header: 'PODMAN', value: (r) => r.podman },
];

export function mirrorConfigRow(upstream: MirrorUpstream, c: RegistryContainer, address: string): MirrorConfigRow {
  const p = mirrorSnippetParts(upstream, mirrorEndpoints(c, address));
  return {
    ...base(upstream, c, address),
    network: p.nodes?.network ?? null,
    containerdFile: p.containerdFile,
    containerd: p.containerd,
    nodeContainerd: p.nodes?.containerd ?? null,
    k3d: p.nodes?.k3d ?? null,
    podmanFile: p.podmanFile,
    podman: p.podman,
  };
}

export function printMirrorConfig(ctx: Context, upstream: MirrorUpstream, c: RegistryContainer, address: string): void {
  const row = mirrorConfigRow(upstream, c, address);
  printRows(ctx, mirrorConfigColumns, [row], row, () => ctx.stdout.write(mirrorSnippets(upstream, mirrorEndpoints(c, address), c.name)));
}
