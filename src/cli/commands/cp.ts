// cp (copy): IMAGE and more tags of its repository from the local registry (-r) to
// another registry, every platform, byte for byte, with Docker's logins.
import { defineCommand } from '../command.ts';
import { copyColumns, showCopy } from '../output/copy-report.ts';
import { registryClients } from '../registry-clients.ts';
import { planCopy } from '../../registry/copy-plan.ts';
import { copyBetween } from '../../registry/copy-session.ts';

interface CpArgs {
  image: string;
  /** REGISTRY in the usage; not named `registry`, which is the global -r (the source). */
  destination?: string;
  tags?: string[];
  to?: string;
  jobs: number;
  quiet: boolean;
  insecure: boolean;
  'no-referrers': boolean;
}

export const cpCommand = defineCommand<CpArgs>({
  command: 'cp <image> [destination] [tags..]',
  aliases: ['copy'],
  describe: 'Copy an image and more of its tags to another registry: every platform, identical digests, your docker logins',
  fields: copyColumns,
  readme:
    'Copies IMAGE (default tag `latest`) and more tags of its repository to `DESTINATION/<same repository>:<tag>`; DESTINATION is a ' +
    'registry and may carry a namespace (`ghcr.io/acme`); `--to` names a full destination instead. Every platform, digests unchanged, ' +
    'tags written last; uses your `docker login` credentials. Signatures, attestations and SBOMs travel with each image, digests ' +
    'unchanged (`--no-referrers` leaves them): see [Signatures, attestations and SBOMs](#signatures-attestations-and-sboms)',
  positionals: {
    image: { describe: 'IMAGE[:TAG|@DIGEST] in the registry (-r); the tag defaults to latest' },
    destination: { describe: 'The registry to copy to, HOST[:PORT][/NAMESPACE], e.g. ghcr.io/acme: the repository keeps its name' },
    tags: { describe: 'More tags of the same repository to copy' },
  },
  options: {
    to: { type: 'string', value: 'REF', describe: 'Full destination reference instead of REGISTRY: HOST/REPO or HOST/REPO:TAG' },
    jobs: { alias: 'j', type: 'number', default: 4, describe: 'Blobs transferred at once' },
    quiet: { alias: 'q', type: 'boolean', default: false, describe: 'No progress; print only the destination references' },
    insecure: { type: 'boolean', default: false, describe: 'Allow a destination without TLS, or with a certificate that does not verify' },
    'no-referrers': { type: 'boolean', default: false, describe: "Leave the images' signatures, attestations and SBOMs behind" },
  },
  examples: [
    ['$0 cp app ghcr.io/acme v1 v2', 'copy app:latest, app:v1 and app:v2 to ghcr.io/acme/app'],
    ['$0 cp app:v1 --to registry.example.com/team/app:prod', 'copy under another name'],
  ],
  run: async (args, ctx) => {
    // With --to, every positional after IMAGE is a tag.
    const tags =
      args.to !== undefined ? [args.destination, ...(args.tags ?? [])].filter((t): t is string => t !== undefined) : (args.tags ?? []);
    const plan = planCopy(args.image, ctx.registry, { registry: args.to !== undefined ? undefined : args.destination, to: args.to }, tags);
    // -q shows no counts: a warm copy of an index then needs no read of its children.
    const options = {
      jobs: args.jobs,
      insecure: args.insecure,
      signal: ctx.signal,
      countPresent: !args.quiet,
      referrers: !args['no-referrers'],
    };
    await showCopy(ctx, args.quiet, (events) => copyBetween(registryClients(ctx), plan, { ...options, events }));
  },
});
