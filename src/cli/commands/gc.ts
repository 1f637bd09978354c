// gc: remove untagged manifests no image needs, and the blobs only they used.
import { defineCommand } from '../command.ts';
import { gcColumns, printGcReport } from '../output/gc-report.ts';
import { GRACE_OPTION, graceMs } from '../grace-option.ts';
import { session } from '../session.ts';
import { parseLocalRegistry } from '../../server/address.ts';
import { collectIn } from '../../gc/collect.ts';

export const gcCommand = defineCommand<{ 'dry-run': boolean; grace?: string; force: boolean }>({
  command: 'gc',
  describe: 'Remove untagged manifests no tag needs and the blobs only they used (the registry restarts briefly)',
  fields: gcColumns,
  readme:
    'Removes untagged manifests that nothing reachable needs, and blobs only they used; keeps every child of a tagged index and referrers ' +
    '(signatures, attestations), and anything written within the grace period (see [Garbage collection and pushes under way]' +
    '(#garbage-collection-and-pushes-under-way)); the registry restarts briefly (no writes meanwhile); says `nothing to collect` when there ' +
    'is nothing. Refuses a registry container that docker jindr did not create (a plain `docker run ... registry:2`) unless `--force`; ' +
    '`--dry-run` only reads and works on any. A signature or SBOM tag whose image no repository holds any more goes, named: see ' +
    '[Signatures, attestations and SBOMs](#signatures-attestations-and-sboms). On S3 storage: a lock object, and every registry on the bucket ' +
    'read-only meanwhile: see [Storage in an S3 bucket](#storage-in-an-s3-bucket)',
  options: {
    'dry-run': {
      alias: 'n',
      type: 'boolean',
      default: false,
      describe: 'Report what would be removed, remove nothing (the registry keeps running)',
    },
    grace: GRACE_OPTION,
    force: {
      alias: 'f',
      type: 'boolean',
      default: false,
      describe: 'Collect in a registry container docker jindr did not create, or on S3 storage with a recorded registry out of reach',
    },
  },
  run: async (args, ctx) => {
    const address = parseLocalRegistry(ctx.registry);
    const options = { ...session(ctx), dryRun: args.dryRun, restart: true, graceMs: graceMs(args.grace), force: args.force };
    printGcReport(ctx, await collectIn(await ctx.engine(), address, options));
  },
});
