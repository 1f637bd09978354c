// lsi (images): every tag of the registry (or of the named repositories) with its
// digest, platforms and size. All requests start at once; the client bounds them.
import { defineCommand } from '../command.ts';
import { imageColumns, printImages } from '../output/images.ts';
import { registryReaders } from '../registry-reader.ts';
import { tagNamesOf } from '../../registry/listings.ts';
import { groupReferrers, markReferrers } from '../../registry/referrer-groups.ts';
import { isReferrerTag } from '../../registry/referrer-tags.ts';
import { parseRepositoryName } from '../../registry/reference.ts';
import { datedImages, type ImageSort } from '../../storage/image-dates.ts';

export const lsiCommand = defineCommand<{ repo: string[] | undefined; quiet: boolean; sort: string; all: boolean }>({
  command: 'lsi [repo..]',
  aliases: ['images'],
  describe: 'List images (tags) with their digests, platforms and sizes',
  fields: imageColumns,
  readme:
    'Images: REPOSITORY, TAG, IMAGE ID, PLATFORMS, CREATED (as `docker images` says it: "2 years ago"), SIZE, REFERRERS (the image\'s ' +
    'signatures, attestations and SBOMs, which are not rows of their own; `--all` lists them as tags); JSON adds `created`, `pushed` ' +
    '(RFC 3339) and `referrers`. See [Dates](#dates) and [Signatures, attestations and SBOMs](#signatures-attestations-and-sboms)',
  positionals: { repo: { describe: 'Repositories to list (default: all)' } },
  options: {
    quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Only print image references (HOST/REPOSITORY:TAG)' },
    all: {
      alias: 'a',
      type: 'boolean',
      default: false,
      describe: 'List signature, attestation and SBOM tags as rows of their own',
    },
    sort: {
      type: 'string',
      choices: ['name', 'created', 'pushed'],
      default: 'name',
      describe: 'Order: name (as listed), or newest first by created or pushed time',
    },
  },
  epilog:
    'IMAGE ID is the first 12 hex digits of the digest the tag points at (the index for a multi-platform image). ' +
    'SIZE is config + layers as stored (compressed); for a multi-platform image, every distinct config and layer of all its platforms, each counted once. ' +
    "CREATED: the config's date (an index: its newest platform's). Push times come from the storage of a registry this engine runs, else are absent. " +
    "REFERRERS: the signatures, attestations and SBOMs found by their tags (cosign's sha256-<hex>.sig/.att/.sbom, the fallback tag sha256-<hex>), " +
    'tagged with a subject, or named by the OCI referrers API (asked once per registry, and where it answers once per image), ' +
    'on the row of the image they are about; --all lists them as rows (TAG <none> when untagged).',
  run: async (args, ctx) => {
    const names = (args.repo ?? []).map((r) => parseRepositoryName(r, ctx.registry));
    if (args.quiet && ctx.format !== 'json' && args.sort === 'name') {
      // Names only, in name order: the tag lists say them all, no manifest is read.
      const all = await tagNamesOf(registryReaders(ctx), names, ctx.registry.name, ctx.signal);
      const shown = args.all ? all : all.filter((r) => !isReferrerTag(r.slice(r.lastIndexOf(':') + 1)));
      ctx.stdout.write(shown.map((r) => `${r}\n`).join(''));
      return;
    }
    const rows = await datedImages(registryReaders(ctx), names, ctx.registry.name, {
      sort: args.sort as ImageSort,
      engine: async () => (await ctx.engine()).docker,
      signal: ctx.signal,
      note: (message) => ctx.debugLog(message),
    });
    printImages(ctx, args.all ? markReferrers(rows) : groupReferrers(rows), args.quiet);
  },
});
