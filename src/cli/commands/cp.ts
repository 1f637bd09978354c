// cp (copy): IMAGE and more tags of its repository from the local registry (-r) to
// another registry, every platform, byte for byte, with Docker's logins.
import { defineCommand } from '../command.ts';
import { showCopy } from '../output/copy-report.ts';
import { registryClients } from '../registry-clients.ts';
import { cpFields, showTagsCopy } from '../output/tags-report.ts';
import { UsageError } from '../../errors.ts';
import { planCopy } from '../../registry/copy-plan.ts';
import { copyBetween } from '../../registry/copy-session.ts';
import { copyTags } from '../../registry/copy-tags.ts';
import { planTagsCopy, wantsManyTags } from '../../registry/copy-tags-plan.ts';

interface CpArgs {
  image: string;
  /** REGISTRY in the usage; not named `registry`, which is the global -r (the source). */
  destination?: string;
  tag?: string[];
  to?: string;
  'all-tags': boolean;
  tags?: string;
  'dry-run': boolean;
  jobs: number;
  quiet: boolean;
  insecure: boolean;
}

export const cpCommand = defineCommand<CpArgs>({
  command: 'cp <image> [destination] [tag..]',
  aliases: ['copy'],
  describe:
    'Copy an image and more of its tags, or all of them, to another registry: every platform, identical digests, your docker logins',
  fields: cpFields,
  readme:
    'Copies IMAGE (default tag `latest`) and more tags of its repository to `DESTINATION/<same repository>:<tag>`; DESTINATION is a ' +
    'registry and may carry a namespace (`ghcr.io/acme`); `--to` names a full destination instead. Every platform, digests unchanged, ' +
    'tags written last; uses your `docker login` credentials. `--all-tags` or `--tags REGEX` copies every tag of a repository (or those the ' +
    'whole tag of REGEX matches), skipping the tags the destination already has at the same digest (one request each); `--dry-run` ' +
    'lists each tag as present or would copy, with the bytes it would send. See [Copy many tags](#copy-many-tags)',
  positionals: {
    image: { describe: 'IMAGE[:TAG|@DIGEST] in the registry (-r); the tag defaults to latest' },
    destination: { describe: 'The registry to copy to, HOST[:PORT][/NAMESPACE], e.g. ghcr.io/acme: the repository keeps its name' },
    tag: { describe: 'More tags of the same repository to copy' },
  },
  options: {
    to: { type: 'string', value: 'REF', describe: 'Full destination reference instead of REGISTRY: HOST/REPO or HOST/REPO:TAG' },
    'all-tags': { type: 'boolean', default: false, describe: 'Copy every tag of the repository IMAGE names' },
    tags: { type: 'string', value: 'REGEX', describe: "Copy the tags REGEX matches whole (as regsync: ^(?:REGEX)$), e.g. 'v1\\..*'" },
    'dry-run': {
      alias: 'n',
      type: 'boolean',
      default: false,
      describe: 'Copying many tags: list each as present or would copy, with the bytes it would send; copy nothing',
    },
    jobs: { alias: 'j', type: 'number', default: 4, describe: 'Blobs transferred at once' },
    quiet: { alias: 'q', type: 'boolean', default: false, describe: 'No progress; print only the destination references' },
    insecure: { type: 'boolean', default: false, describe: 'Allow a destination without TLS, or with a certificate that does not verify' },
  },
  examples: [
    ['$0 cp app ghcr.io/acme v1 v2', 'copy app:latest, app:v1 and app:v2 to ghcr.io/acme/app'],
    ['$0 cp app:v1 --to registry.example.com/team/app:prod', 'copy under another name'],
    ['$0 cp app ghcr.io/acme --all-tags', 'copy every tag of app that ghcr.io/acme/app lacks'],
    ["$0 cp app --to localhost:5001/app-mirror --tags 'v1\\..*' --dry-run", 'list what copying the v1.x tags would move'],
  ],
  run: async (args, ctx) => {
    // With --to, every positional after IMAGE is a tag.
    const tags =
      args.to !== undefined ? [args.destination, ...(args.tag ?? [])].filter((t): t is string => t !== undefined) : (args.tag ?? []);
    const target = { registry: args.to !== undefined ? undefined : args.destination, to: args.to };
    // -q shows no counts: a warm copy of an index then needs no read of its children.
    const options = { jobs: args.jobs, insecure: args.insecure, signal: ctx.signal, countPresent: !args.quiet };
    if (wantsManyTags(args)) {
      const plan = planTagsCopy(args.image, ctx.registry, target, { allTags: args.allTags, tags: args.tags, namedTags: tags });
      const dryRun = args.dryRun;
      await showTagsCopy(ctx, args.quiet, (events) => copyTags(registryClients(ctx), plan, { ...options, dryRun, events }));
      return;
    }
    if (args.dryRun) throw new UsageError('--dry-run goes with --all-tags or --tags REGEX (a copy of named tags has no dry run)');
    const plan = planCopy(args.image, ctx.registry, target, tags);
    await showCopy(ctx, args.quiet, (events) => copyBetween(registryClients(ctx), plan, { ...options, events }));
  },
});
