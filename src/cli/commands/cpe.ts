// cpe (copy2ecr): IMAGE and more tags to Amazon ECR under the same repository name,
// creating the repository (with a lifecycle policy) when missing. The AWS SDK is
// loaded here only, on demand: it would slow every other command's start.
import { defineCommand } from '../command.ts';
import { UsageError } from '../../errors.ts';
import { planCopy } from '../../registry/copy-plan.ts';
import { checkJobs, runCopy } from './cp.ts';

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
  builder: (yargs) =>
    yargs
      .positional('image', { type: 'string', demandOption: true, describe: 'IMAGE[:TAG] in the registry (-r); the tag defaults to latest' })
      .positional('tags', { type: 'string', array: true, describe: 'More tags of the same repository to copy' })
      .option('region', { type: 'string', describe: 'AWS region (default: AWS_REGION or your AWS profile)' })
      .option('keep', { type: 'number', default: 4, describe: 'Images a new repository keeps (its lifecycle policy expires older ones, and untagged ones after a day)' })
      .option('jobs', { alias: 'j', type: 'number', default: 4, describe: 'Blobs transferred at once' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress; print only the destination references' }),
  run: async (args, ctx) => {
    const jobs = checkJobs(args.jobs);
    if (!Number.isInteger(args.keep) || args.keep < 1) throw new UsageError('--keep must be a whole number of at least 1');
    // The destination host is known only after GetAuthorizationToken: plan with a stand-in.
    const draft = planCopy(args.image, ctx.registry, { registry: 'ecr.invalid' }, args.tags ?? []);
    const { connectEcr } = await import('../../aws/ecr.ts');
    const ecr = connectEcr({ region: args.region, signal: ctx.signal });
    try {
      const login = await ecr.login();
      const repository = draft.from.repository;
      if (await ecr.ensureRepository(repository, args.keep)) {
        if (!args.quiet) ctx.info(`created ECR repository ${repository} in ${ecr.region}, keeping the newest ${args.keep} images`);
      }
      const credential = { username: login.username, password: login.password };
      await runCopy(ctx, draft.from, { registry: login.host, repository }, draft.items, {
        jobs,
        quiet: args.quiet,
        insecure: false,
        destination: { credentials: async () => credential },
      });
    } finally {
      ecr.close();
    }
  },
});
