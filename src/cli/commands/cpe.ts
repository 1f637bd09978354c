// cpe (copy2ecr): IMAGE and more tags to Amazon ECR under the same repository name,
// creating the repository (with a lifecycle policy) when missing. The AWS SDK is
// loaded here only, on demand: it would slow every other command's start.
import { defineCommand } from '../command.ts';
import { copyColumns, showCopy } from '../output/copy-report.ts';
import { ecrNetwork, registryClients } from '../registry-clients.ts';
import { planCopy } from '../../registry/copy-plan.ts';
import { copyToEcr } from '../../registry/copy-session.ts';

interface CpeArgs {
  image: string;
  tags?: string[];
  region?: string;
  keep: number;
  jobs: number;
  quiet: boolean;
}

export const cpeCommand = defineCommand<CpeArgs>({
  command: 'cpe <image> [tags..]',
  aliases: ['copy2ecr'],
  describe: 'Copy an image and more of its tags to AWS ECR, creating the repository with a lifecycle policy',
  fields: copyColumns,
  readme:
    'Copies to AWS ECR with the standard AWS credential chain (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` or `AWS_PROFILE`, ' +
    '`~/.aws/credentials` and `~/.aws/config`, SSO, instance metadata; with none it says so, and where it looked), creating the ' +
    'repository when missing with a lifecycle policy (untagged images expire after a day, the newest N kept)',
  positionals: {
    image: { describe: 'IMAGE[:TAG] in the registry (-r); the tag defaults to latest' },
    tags: { describe: 'More tags of the same repository to copy' },
  },
  options: {
    region: { type: 'string', value: 'REGION', describe: 'AWS region (default: AWS_REGION or your AWS profile)' },
    keep: {
      type: 'number',
      default: 4,
      describe: 'Images a new repository keeps (its lifecycle policy expires older ones, and untagged ones after a day)',
    },
    jobs: { alias: 'j', type: 'number', default: 4, describe: 'Blobs transferred at once' },
    quiet: { alias: 'q', type: 'boolean', default: false, describe: 'No progress; print only the destination references' },
  },
  run: async (args, ctx) => {
    // The destination host is known only after GetAuthorizationToken: plan with a stand-in.
    const draft = planCopy(args.image, ctx.registry, { registry: 'ecr.invalid' }, args.tags ?? []);
    const connect = async () =>
      (await import('../../aws/ecr.ts')).connectEcr({ region: args.region, signal: ctx.signal, network: ecrNetwork(ctx) });
    const info = args.quiet ? undefined : (m: string) => ctx.info(m);
    await showCopy(ctx, args.quiet, (events) =>
      copyToEcr(registryClients(ctx), connect, draft, { jobs: args.jobs, keep: args.keep, events, signal: ctx.signal, info }),
    );
  },
});
