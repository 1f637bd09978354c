// A copy as cp and cpe run it: a client for each end (the destination's may carry its own
// login), as many blob transfers as --jobs asks, both clients closed at the end. cpe's
// destination is an ECR repository, made when missing, with a login ECR hands out.
import { UsageError } from '../errors.ts';
import type { Repo } from './blobs.ts';
import { copyImages, type CopyEvents, type CopyReport } from './copy.ts';
import type { CopyPlan } from './copy-plan.ts';
import type { ClientOptions, OpenClient } from './per-host.ts';

export const MAX_JOBS = 32;

/** --jobs: blob transfers at once, 1 to MAX_JOBS. */
export function checkJobs(jobs: number): number {
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > MAX_JOBS) throw new UsageError(`--jobs must be a whole number from 1 to ${MAX_JOBS}`);
  return jobs;
}

export interface CopySessionOptions {
  jobs: number;
  insecure: boolean;
  /** Client options for the destination only (e.g. ECR's login). */
  destination?: ClientOptions;
  events?: CopyEvents;
  signal?: AbortSignal;
  /** Count the blobs already at the destination (copy.ts CopyOptions.countPresent). */
  countPresent?: boolean;
}

/** Copies plan.items from plan.from to plan.to. */
export async function copyBetween(open: OpenClient, plan: CopyPlan, options: CopySessionOptions): Promise<CopyReport> {
  return withCopyClients(open, plan, options, (from, to) =>
    copyImages(from, to, plan.items, {
      jobs: options.jobs,
      signal: options.signal,
      events: options.events,
      countPresent: options.countPresent,
    }),
  );
}

/** A client for each end of plan (--jobs checked), both closed when work ends. */
export async function withCopyClients<T>(
  open: OpenClient,
  plan: Pick<CopyPlan, 'from' | 'to'>,
  options: Pick<CopySessionOptions, 'jobs' | 'insecure' | 'destination'>,
  work: (from: Repo, to: Repo) => Promise<T>,
): Promise<T> {
  checkJobs(options.jobs);
  // Blob transfers hold a source and a destination request each; leave room for manifests.
  const concurrency = options.jobs + 4;
  const source = open(plan.from.registry, { insecure: options.insecure, concurrency });
  const destination = open(plan.to.registry, { insecure: options.insecure, concurrency, ...options.destination });
  try {
    return await work({ client: source, repository: plan.from.repository }, { client: destination, repository: plan.to.repository });
  } finally {
    await Promise.allSettled([source.close(), destination.close()]);
  }
}

/** What cpe needs of ECR (src/aws/ecr.ts): a registry login, and repositories made on demand. */
export interface EcrSession {
  region: string;
  login(): Promise<{ host: string; username: string; password: string }>;
  /** Creates the repository when missing (keeping `keep` images); true when it was created. */
  ensureRepository(name: string, keep: number): Promise<boolean>;
  close(): void;
}

export interface EcrCopyOptions {
  jobs: number;
  /** Images a new repository keeps. */
  keep: number;
  events?: CopyEvents;
  signal?: AbortSignal;
  info?: (message: string) => void;
}

/**
 * cpe: the source repository under the same name in ECR (plan.to is ignored: ECR's host is
 * known after the login). `connect` is called once the options are checked.
 */
export async function copyToEcr(
  open: OpenClient,
  connect: () => Promise<EcrSession>,
  plan: CopyPlan,
  options: EcrCopyOptions,
): Promise<CopyReport> {
  checkJobs(options.jobs);
  if (!Number.isInteger(options.keep) || options.keep < 1) throw new UsageError('--keep must be a whole number of at least 1');
  const ecr = await connect();
  try {
    const login = await ecr.login();
    const repository = plan.from.repository;
    if (await ecr.ensureRepository(repository, options.keep)) {
      options.info?.(`created ECR repository ${repository} in ${ecr.region}, keeping the newest ${options.keep} images`);
    }
    const credential = { username: login.username, password: login.password };
    return await copyBetween(
      open,
      { ...plan, to: { registry: login.host, repository } },
      {
        jobs: options.jobs,
        insecure: false,
        destination: { credentials: async () => credential },
        events: options.events,
        signal: options.signal,
      },
    );
  } finally {
    ecr.close();
  }
}
