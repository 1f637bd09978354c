// start's options for a registry on S3 storage: --storage s3://BUCKET[/PREFIX],
// --s3-endpoint, --s3-region; checked against the other options before anything is asked.
import type { Flag } from './command.ts';
import type { SecurityArgs } from './start-security.ts';
import { parseS3Storage, type S3Storage } from '../server/s3-storage.ts';
import { UsageError } from '../errors.ts';

export interface StorageArgs {
  data?: string;
  storage?: string;
  s3Endpoint?: string;
  s3Region?: string;
}

export const S3_OPTIONS: Readonly<Record<string, Flag>> = {
  storage: {
    type: 'string',
    value: 's3://BUCKET[/PREFIX]',
    describe:
      "Keep the registry's data in an S3 bucket (under PREFIX) instead of a data directory; credentials from your AWS chain (AWS_* variables, AWS_PROFILE)",
  },
  's3-endpoint': {
    type: 'string',
    value: 'URL',
    describe: 'The S3-compatible store to use with --storage (MinIO, Ceph, R2...; default AWS S3)',
  },
  's3-region': {
    type: 'string',
    value: 'REGION',
    describe: "The bucket's region with --storage (default AWS_REGION or the profile's, else us-east-1)",
  },
};

/** The S3 storage asked for, or undefined; a UsageError for options that do not go with it. */
export function s3Request(args: StorageArgs & SecurityArgs): S3Storage | undefined {
  if (args.storage === undefined) {
    if (args.s3Endpoint !== undefined || args.s3Region !== undefined) {
      throw new UsageError('--s3-endpoint and --s3-region go with --storage s3://BUCKET[/PREFIX]');
    }
    return undefined;
  }
  if (args.data !== undefined) throw new UsageError('-d/--data and --storage exclude each other: the data goes to one or the other');
  if ((args.auth?.length ?? 0) > 0 || args.tls || args.cert !== undefined) {
    throw new UsageError('not yet on S3 storage: --auth and --tls keep their files in a data directory; start without them');
  }
  return parseS3Storage(args.storage, args.s3Endpoint, args.s3Region);
}

/** The configuration file is mounted from this machine: the engine must be on it. */
export function s3Usable(storage: S3Storage, local: boolean): S3Storage {
  if (!local) {
    throw new UsageError(
      "--storage s3 needs the Docker engine on this machine: the registry's configuration (with its key) is mounted from here",
    );
  }
  return storage;
}
