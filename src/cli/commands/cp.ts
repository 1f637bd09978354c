// cp (copy): IMAGE and more tags of its repository from the local registry (-r) to
// another registry, every platform, byte for byte, with Docker's logins.
import { defineCommand } from '../command.ts';
import type { Context } from '../context.ts';
import { copyProgress, progressMode } from '../output/copy-progress.ts';
import { printRows } from '../output/print.ts';
import { formatBytes } from '../output/table.ts';
import { registryClientFor, type RegistryClientForOptions } from '../registry-clients.ts';
import { UsageError } from '../../errors.ts';
import { copyImages, type CopiedImage, type CopyItem, type CopyReport } from '../../registry/copy.ts';
import { planCopy } from '../../registry/copy-plan.ts';
import type { RepositoryName } from '../../registry/reference.ts';

export interface CopyRunOptions {
  jobs: number;
  quiet: boolean;
  insecure: boolean;
  /** Client options for the destination only (e.g. ECR's credentials). */
  destination?: RegistryClientForOptions;
}

export const MAX_JOBS = 32;

export function checkJobs(jobs: number): number {
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > MAX_JOBS) throw new UsageError(`--jobs must be a whole number from 1 to ${MAX_JOBS}`);
  return jobs;
}

/** Copies items from -> to with a progress display, then prints what arrived. Shared by cp and cpe. */
export async function runCopy(ctx: Context, from: RepositoryName, to: RepositoryName, items: readonly CopyItem[], options: CopyRunOptions): Promise<CopyReport> {
  // Blob transfers hold a source and a destination request each; leave room for manifests.
  const concurrency = options.jobs + 4;
  const source = registryClientFor(ctx, from.registry, { insecure: options.insecure, concurrency });
  const destination = registryClientFor(ctx, to.registry, { insecure: options.insecure, concurrency, ...options.destination });
  const progress = copyProgress(ctx.stderr, progressMode(ctx.stderr, options.quiet));
  let report: CopyReport;
  try {
    report = await copyImages(
      { client: source, repository: from.repository },
      { client: destination, repository: to.repository },
      items,
      { jobs: options.jobs, signal: ctx.signal, events: progress.events },
    );
  } finally {
    progress.finish();
    await Promise.allSettled([source.close(), destination.close()]);
  }
  printCopyReport(ctx, report, options.quiet);
  return report;
}

function printCopyReport(ctx: Context, report: CopyReport, quiet: boolean): void {
  if (quiet) {
    if (ctx.format === 'json') ctx.stdout.write(JSON.stringify(report.images, null, 2) + '\n');
    else for (const image of report.images) ctx.stdout.write(`${image.destination}\n`);
    return;
  }
  const { copied, mounted, exists } = report.blobs;
  ctx.info(`blobs: ${copied} copied (${formatBytes(report.bytes)}), ${mounted} mounted, ${exists} already there`);
  printRows<CopiedImage>(
    ctx,
    [
      { header: 'SOURCE', value: (r) => r.source },
      { header: 'DESTINATION', value: (r) => r.destination },
      { header: 'DIGEST', value: (r) => r.digest },
    ],
    report.images,
  );
}

interface CpArgs {
  image: string;
  /** REGISTRY in the usage; not named `registry`, which is the global -r (the source). */
  destination?: string;
  tags?: string[];
  to?: string;
  jobs: number;
  quiet: boolean;
  insecure: boolean;
}

export const cpCommand = defineCommand<CpArgs>({
  command: 'cp <image> [destination] [tags..]',
  aliases: ['copy'],
  describe: 'Copy an image and more of its tags to another registry: every platform, identical digests, your docker logins',
  builder: (yargs) =>
    yargs
      .positional('image', { type: 'string', demandOption: true, describe: 'IMAGE[:TAG|@DIGEST] in the registry (-r); the tag defaults to latest' })
      .positional('destination', { type: 'string', describe: 'The registry to copy to, HOST[:PORT][/NAMESPACE], e.g. ghcr.io/acme: the repository keeps its name' })
      .positional('tags', { type: 'string', array: true, describe: 'More tags of the same repository to copy' })
      .option('to', { type: 'string', describe: 'Full destination reference instead of REGISTRY: HOST/REPO or HOST/REPO:TAG' })
      .option('jobs', { alias: 'j', type: 'number', default: 4, describe: 'Blobs transferred at once' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress; print only the destination references' })
      .option('insecure', { type: 'boolean', default: false, describe: 'Allow a destination without TLS, or with a certificate that does not verify' })
      .example('$0 cp app ghcr.io/acme v1 v2', 'copy app:latest, app:v1 and app:v2 to ghcr.io/acme/app')
      .example('$0 cp app:v1 --to registry.example.com/team/app:prod', 'copy under another name'),
  run: async (args, ctx) => {
    const jobs = checkJobs(args.jobs);
    // With --to, every positional after IMAGE is a tag.
    const tags = args.to !== undefined ? [args.destination, ...(args.tags ?? [])].filter((t): t is string => t !== undefined) : (args.tags ?? []);
    const plan = planCopy(args.image, ctx.registry, { registry: args.to !== undefined ? undefined : args.destination, to: args.to }, tags);
    await runCopy(ctx, plan.from, plan.to, plan.items, { jobs, quiet: args.quiet, insecure: args.insecure });
  },
});
