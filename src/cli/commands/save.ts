// save: images from the registry (-r) into an archive: an OCI image layout (every
// platform, referrers, digests unchanged) or, with --format docker, what `docker load` reads.
import type { Writable } from 'node:stream';
import { defineCommand } from '../command.ts';
import { UsageError } from '../../errors.ts';
import { printSaved, saveColumns, withBlobProgress } from '../output/archive-report.ts';
import { registryClients } from '../registry-clients.ts';
import { enginePlatform, parsePlatform } from '../../engine/platform.ts';
import { parseReference } from '../../registry/reference.ts';
import { archiveFormat, saveImages } from '../../registry/save.ts';

interface SaveArgs {
  image: string[];
  output?: string;
  platform?: string;
  'no-referrers': boolean;
  insecure: boolean;
}

export const saveCommand = defineCommand<SaveArgs>({
  command: 'save <image..>',
  describe: 'Save images to a tar archive: an OCI image layout (every platform, referrers), or for docker load',
  fields: saveColumns,
  readme:
    'Writes IMAGE... (from the registry of -r unless a name says another) to an OCI image layout archive that skopeo (`oci-archive:`), ' +
    'Podman (`podman pull oci-archive:FILE:NAME`; `podman load` takes one-image archives) and `docker jindr load` read: every platform, ' +
    'signatures and SBOMs (referrers) included, digests unchanged. ' +
    "`--format docker` (or `docker-archive`, as Podman names it) writes the archive `docker load` reads instead (one platform: `--platform`, default the engine's). " +
    'The file appears only once complete',
  positionals: { image: { describe: 'IMAGE[:TAG|@DIGEST], in the registry of -r unless it names one' } },
  options: {
    output: { alias: 'o', type: 'string', value: 'FILE', normalize: true, describe: 'The archive to write (- for standard output)' },
    platform: { type: 'string', value: 'OS/ARCH', describe: "With --format docker: the platform to save (default: the engine's)" },
    // A flag of its own: the parser knows no --no-X negation (pflag has none either).
    'no-referrers': {
      type: 'boolean',
      default: false,
      describe: 'Leave out the signatures, SBOMs and attestations that refer to the images',
    },
    insecure: { type: 'boolean', default: false, describe: 'Allow a registry without TLS, or with a certificate that does not verify' },
  },
  examples: [
    ['$0 save app:v1 app:v2 -o app.tar', 'both tags, every platform, as an OCI layout'],
    ['$0 save app:v1 --format docker -o app.tar && docker load -i app.tar', "the engine's platform, for docker load"],
  ],
  run: async (args, ctx) => {
    // --format names the archive (docker, oci, as podman save's docker-archive, oci-archive), or the output (json, a template).
    const archive = archiveFormat(ctx.format);
    const out = archive === undefined ? ctx : { ...ctx, format: 'table' };
    if (args.output === undefined) throw new UsageError('name the archive with -o FILE (or -o - for standard output)');
    if (args.output === '-' && ctx.stdout.isTTY)
      throw new UsageError('standard output is a terminal: redirect it, or name a file with -o FILE');
    if (args.platform !== undefined && archive !== 'docker')
      throw new UsageError('--platform belongs to --format docker: an OCI layout holds every platform');
    const refs = args.image.map((i) => parseReference(i, ctx.registry));
    const platform =
      archive !== 'docker'
        ? undefined
        : args.platform !== undefined
          ? parsePlatform(args.platform)
          : await enginePlatform(await ctx.engine(), ctx.signal);
    const output = args.output === '-' ? (ctx.stdout as unknown as Writable) : args.output;
    const options = {
      format: archive ?? 'oci',
      output,
      referrers: !args['no-referrers'],
      platform,
      insecure: args.insecure,
      signal: ctx.signal,
    } as const;
    const report = await withBlobProgress(ctx, (events) => saveImages(registryClients(ctx), refs, { ...options, events }));
    printSaved(out, report, args.output === '-' ? 'standard output' : args.output);
  },
});
