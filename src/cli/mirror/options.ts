// `mirror`'s arguments: the action, the upstream, and each action's own options (one table row
// holds them all; an option given to an action it does not belong to is refused).
import type { Flag, Positional, Subcommand } from '../command.ts';
import type { Context } from '../context.ts';
import { DEFAULT_REGISTRY } from '../global-options.ts';
import { mirrorConfigColumns, mirrorRemoveColumns, mirrorStartColumns, mirrorStopColumns } from '../output/mirror-report.ts';
import { fieldNames } from '../output/print.ts';
import type { Column } from '../output/table.ts';
import { parseLocalRegistry, type LocalRegistryAddress } from '../../server/address.ts';
import { UsageError } from '../../errors.ts';
import { GRACE_OPTION } from '../grace-option.ts';
import { mirrorTrimColumns } from '../output/mirror-trim-report.ts';

export const MIRROR_ACTIONS = ['start', 'stop', 'rm', 'ls', 'config', 'trim'] as const;
export type MirrorAction = (typeof MIRROR_ACTIONS)[number];

export interface MirrorArgs {
  action: MirrorAction;
  upstream?: string;
  engine?: boolean;
  network?: string;
  data?: string;
  image?: string;
  login?: string;
  purge?: boolean;
  'max-size'?: string;
  grace?: string;
}

const OWNERS: Record<string, { flag: string; actions: readonly MirrorAction[] }> = {
  engine: { flag: '--engine', actions: ['start'] },
  network: { flag: '--network', actions: ['start'] },
  data: { flag: '-d/--data', actions: ['start'] },
  image: { flag: '--image', actions: ['start'] },
  login: { flag: '--login', actions: ['start'] },
  purge: { flag: '--purge', actions: ['rm'] },
  'max-size': { flag: '--max-size', actions: ['start', 'config'] },
  grace: { flag: '--grace', actions: ['trim'] },
};

/** Each action's --format fields; mirror ls's are the command's own (ls.ts). */
const FIELDS: Partial<Record<MirrorAction, readonly Pick<Column<never>, 'header' | 'field'>[]>> = {
  start: mirrorStartColumns,
  stop: mirrorStopColumns,
  rm: mirrorRemoveColumns,
  config: mirrorConfigColumns,
  trim: mirrorTrimColumns,
};

/** The actions as help and usage errors show them (each with the options OWNERS gives it, and its --format fields). */
export const MIRROR_SUBCOMMANDS: readonly Subcommand[] = (
  [
    { name: 'start', args: '[UPSTREAM]', describe: 'Start a mirror of UPSTREAM (default docker.io), creating it the first time' },
    { name: 'stop', args: '[UPSTREAM]', describe: 'Stop a mirror (its container, data and login file are kept)' },
    { name: 'rm', args: '[UPSTREAM]', describe: 'Remove a mirror (its data stays unless --purge)' },
    { name: 'ls', args: '', describe: 'List mirrors: address, state, size, images, hits, misses, saved' },
    { name: 'config', args: '[UPSTREAM]', describe: 'Print the containerd, k3d and Podman settings; set --max-size' },
    {
      name: 'trim',
      args: '[UPSTREAM]',
      describe: 'Keep a mirror within its --max-size now: the least recently pulled images go first (also at mirror start and gc)',
    },
  ] as const
).map((s) => {
  const fields = FIELDS[s.name];
  const options = [
    ...Object.entries(OWNERS)
      .filter(([, o]) => o.actions.includes(s.name))
      .map(([key]) => key),
    'format',
  ];
  return { ...s, options, ...(fields ? { fields: fieldNames(fields) } : {}) };
});

export const MIRROR_POSITIONALS: Readonly<Record<string, Positional>> = {
  action: {
    choices: MIRROR_ACTIONS,
    describe: 'start, stop, rm (remove), ls (list), config (containerd, k3d and Podman settings), trim (keep within --max-size)',
  },
  upstream: {
    describe: 'docker.io (default), ghcr.io, quay.io, registry.k8s.io, gcr.io, another HOST[:PORT], or https://... / http://...',
  },
};

export const MIRROR_OPTIONS: Readonly<Record<string, Flag>> = {
  engine: {
    type: 'boolean',
    describe:
      'start: make this Docker engine pull Docker Hub images through the mirror (daemon.json registry-mirrors, reloaded; undone by mirror rm)',
  },
  network: {
    type: 'string',
    value: 'NET',
    describe: 'start: attach the mirror to this Docker network (where its upstream is, or a kind/k3d cluster)',
  },
  data: {
    alias: 'd',
    type: 'string',
    normalize: true,
    value: 'DIR',
    defaultText: '`~/.jindr`',
    readme: 'the mirror in DIR/mirrors/NAME',
    describe: 'start: data directory; the mirror lives in DIR/mirrors/NAME (default ~/.jindr)',
  },
  image: { type: 'string', value: 'IMAGE', defaultText: '`registry:3`', describe: 'start: registry image (default registry:3)' },
  login: {
    type: 'string',
    value: 'HOST',
    describe: "start: use your Docker login to this registry for the upstream (default: the upstream's own)",
  },
  purge: { type: 'boolean', describe: 'rm: remove the cached data too (kept by default)' },
  'max-size': {
    type: 'string',
    value: 'SIZE',
    describe:
      'start, config: keep the cache under SIZE (500MB, 2GB, 1.5GiB; 0 or none: no limit), the least recently pulled images going first',
  },
  grace: {
    ...GRACE_OPTION,
    describe: 'trim: keep images pulled, and what was written, more recently than DURATION (a pull under way) [default: 1h]',
  },
};

/** Refuses options that belong to another action, and empty values (usage.ts refuses them first on the command line). */
export function checkMirrorOptions(args: MirrorArgs): void {
  for (const [key, owner] of Object.entries(OWNERS)) {
    const value = (args as unknown as Record<string, unknown>)[key];
    if (value !== undefined && !owner.actions.includes(args.action))
      throw new UsageError(`${owner.flag} belongs to ${owner.actions.map((a) => `mirror ${a}`).join(' and ')}, not mirror ${args.action}`);
    if (typeof value === 'string' && value.trim() === '') throw new UsageError(`${owner.flag} needs a value`);
  }
}

/** -r when the user gave one (anything but the default registry's address). */
export function givenAddress(ctx: Context): LocalRegistryAddress | undefined {
  return ctx.registry.name === DEFAULT_REGISTRY ? undefined : parseLocalRegistry(ctx.registry.name);
}
