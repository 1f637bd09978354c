// rmr (delrepo): delete repositories: every manifest their tags reach, through the
// API, then (for a registry container on this engine) the repository's storage, so the
// catalog stops listing it; the registry restarts to forget its blob cache.
import { defineCommand } from '../command.ts';
import { printRepositoryDeletions, repositoryDeletionColumns } from '../output/removals.ts';
import { registryReaders } from '../registry-reader.ts';
import { parseRepositoryName } from '../../registry/reference.ts';
import { deleteRepositories } from '../../storage/delete-repositories.ts';

export const rmrCommand = defineCommand<{ repo: string[]; force: boolean }>({
  command: 'rmr <repo..>',
  aliases: ['delrepo'],
  describe: 'Delete repositories with all their images',
  fields: repositoryDeletionColumns,
  readme:
    'Deletes repositories with all their images; refuses a registry container that docker jindr did not create (it would edit its storage ' +
    'and restart it) unless `--force`',
  positionals: { repo: { describe: 'REPOSITORY, in the registry of -r unless it names one' } },
  options: { force: { alias: 'f', type: 'boolean', default: false, describe: 'Also in a registry container docker jindr did not create' } },
  epilog:
    "Deletes every manifest the tags reach. For a registry container on this Docker engine it also removes the repositories' " +
    'storage (so ls no longer lists them) and restarts the registry, which otherwise keeps answering for their blobs from memory. ' +
    "On S3 storage the repositories' objects go with every registry on the bucket read-only meanwhile, as for gc.",
  run: async (args, ctx) => {
    const names = args.repo.map((r) => parseRepositoryName(r, ctx.registry));
    const deleted = await deleteRepositories(registryReaders(ctx), names, {
      engine: () => ctx.engine(),
      critical: (fn) => ctx.critical(fn),
      signal: ctx.signal,
      info: (m) => ctx.info(m),
      force: args.force,
      s3: async (docker, c, repos, o) =>
        (await import('../../gc/s3-rmr.ts')).removeRepositoriesOnS3(docker, c, repos, { ...o, info: (m) => ctx.info(m) }),
    });
    printRepositoryDeletions(ctx, deleted);
  },
});
