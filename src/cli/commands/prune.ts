// prune: remove the tags retention rules let go, then collect garbage (as gc does).
import { defineCommand } from '../command.ts';
import { confirm } from '../confirm.ts';
import { parseDuration } from '../duration.ts';
import { pruneColumns, pruneWarning, printPruneReport } from '../output/prune-report.ts';
import { GRACE_OPTION, graceMs } from '../grace-option.ts';
import { registryClientFor } from '../registry-clients.ts';
import { oneRegistry } from '../repository-args.ts';
import { prune } from '../../gc/prune-run.ts';
import { UsageError } from '../../errors.ts';

interface Args {
  repo: string[] | undefined;
  keep: number | undefined;
  semver: boolean;
  'older-than': string | undefined;
  match: string[];
  exclude: string[];
  protect: string[];
  force: boolean;
  'dry-run': boolean;
  grace?: string;
}

export const pruneCommand = defineCommand<Args>({
  command: 'prune [repo..]',
  describe: 'Remove old tags by retention rules, then collect garbage (the registry restarts briefly)',
  fields: pruneColumns,
  positionals: { repo: { describe: 'Repositories to prune (default: all)' } },
  options: {
    keep: { type: 'number', describe: 'Keep the newest N tags of each repository (by push time, or by version with --semver)' },
    semver: { type: 'boolean', default: false, describe: 'Order tags by semantic version (v1.2.3, 1.2, 3); other tags are left alone' },
    'older-than': {
      type: 'string',
      value: 'DURATION',
      describe: 'Remove only tags pushed longer ago than DURATION (30d, 12h, 90m, 1h30m; units s m h d w)',
    },
    match: {
      type: 'string',
      array: true,
      value: 'PATTERN',
      default: [],
      describe: "Only tags matching PATTERN (glob: * any characters, ? one; e.g. 'pr-*'); repeatable",
    },
    exclude: {
      type: 'string',
      array: true,
      value: 'PATTERN',
      default: [],
      describe: 'Leave alone tags matching PATTERN (glob); repeatable',
    },
    protect: {
      type: 'string',
      array: true,
      value: 'PATTERN',
      default: ['latest'],
      describe: 'Never remove tags matching PATTERN (glob); repeatable; replaces the default',
    },
    force: { alias: 'f', type: 'boolean', default: false, describe: 'Do not ask for confirmation' },
    'dry-run': { alias: 'n', type: 'boolean', default: false, describe: 'List what would go and the bytes it would free; remove nothing' },
    grace: { ...GRACE_OPTION, readme: 'as `gc`' },
  },
  readme:
    "Removes the tags retention rules let go (only the tags: an image another tag points to, an index's children and referrers stay), " +
    'then collects garbage as `gc` does; asks first. Signature and SBOM tags are never counted and go with their image. See ' +
    '[prune](#prune-retention-rules)',
  epilog:
    'A tag goes when --keep and --older-than (one or both) let it go. Only tags are removed: an image another tag points to stays, ' +
    'and so do the children of a remaining index and the referrers of a remaining image; gc then removes what nothing needs. ' +
    'Works on a registry this Docker engine runs (push times come from its storage). Patterns match whole tags.',
  run: async (args, ctx) => {
    if (args.keep !== undefined && (!Number.isInteger(args.keep) || args.keep < 0))
      throw new UsageError('--keep needs a whole number, 0 or more');
    const { registry, repositories } = oneRegistry(args.repo, ctx.registry);
    const rules = {
      ...(args.keep !== undefined ? { keep: args.keep } : {}),
      ...(args.olderThan !== undefined ? { olderThanMs: parseDuration(args.olderThan, '--older-than') } : {}),
      semver: args.semver,
      match: args.match,
      exclude: args.exclude,
      protect: args.protect,
    };
    if (rules.keep === undefined && rules.olderThanMs === undefined)
      throw new UsageError('prune needs a rule: --keep N, --older-than DURATION, or both');
    const { docker, local } = await ctx.engine();
    const client = registryClientFor(ctx, registry);
    try {
      const report = await ctx.critical(() =>
        prune(docker, {
          registry,
          repositories,
          rules,
          dryRun: args.dryRun,
          graceMs: graceMs(args.grace),
          gc: { force: args.force },
          client,
          local,
          signal: ctx.signal,
          info: (m) => ctx.info(m),
          debug: (m) => ctx.debugLog(m),
          ...(args.force ? {} : { confirm: (plan) => confirm(ctx, pruneWarning(plan), 'prune') }),
        }),
      );
      printPruneReport(ctx, report);
    } finally {
      await client.close();
    }
  },
});
