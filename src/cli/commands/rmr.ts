// rmr (delrepo): delete repositories: every manifest their tags reach, through the
// API, then (for a registry container on this engine) the repository's storage, so the
// catalog stops listing it; the registry restarts to forget its blob cache.
import { defineCommand } from '../command.ts';
import { printRows } from '../output/print.ts';
import { registryClientFor } from '../registry-clients.ts';
import { removeRepositories } from '../../registry/remove-images.ts';
import { parseRepositoryName, type RepositoryName } from '../../registry/reference.ts';
import { checkRepositoryRemoval, removeRepositoryStorage } from '../../storage/remove-repository.ts';
import { errorMessage } from '../../errors.ts';

interface Row {
  registry: string;
  repository: string;
  manifests: number;
  storageRemoved: boolean;
}

export const rmrCommand = defineCommand<{ repo: string[]; force: boolean }>({
  command: 'rmr <repo..>',
  aliases: ['delrepo'],
  describe: 'Delete repositories with all their images',
  builder: (yargs) =>
    yargs
      .positional('repo', { type: 'string', array: true, demandOption: true, describe: 'REPOSITORY, in the registry of -r unless it names one' })
      .option('force', { alias: 'f', type: 'boolean', default: false, describe: 'Also in a registry container docker jindr did not create' })
      .epilog(
        'Deletes every manifest the tags reach. For a registry container on this Docker engine it also removes the repositories\' ' +
          'storage (so ls no longer lists them) and restarts the registry, which otherwise keeps answering for their blobs from memory.',
      ),
  run: async (args, ctx) => {
    const names: RepositoryName[] = args.repo.map((r) => parseRepositoryName(r, ctx.registry));
    const byHost = new Map<string, string[]>();
    for (const n of names) byHost.set(n.registry, [...new Set([...(byHost.get(n.registry) ?? []), n.repository])]);
    for (const host of byHost.keys()) await checkRepositoryRemoval(() => ctx.engine(), host, args.force);
    const rows: Row[] = [];
    for (const [host, repos] of byHost) {
      const client = registryClientFor(ctx, host);
      let removed;
      try {
        removed = await removeRepositories(client, repos, ctx.signal);
      } finally {
        await client.close();
      }
      let storageRemoved = false;
      try {
        const engine = await ctx.engine();
        const result = await ctx.critical(() => removeRepositoryStorage(engine.docker, host, repos, { local: engine.local, signal: ctx.signal, force: args.force }));
        if (result.removed) {
          storageRemoved = true;
          ctx.info(`removed the repositories' storage in ${result.container} and restarted it`);
        } else {
          ctx.info(`note: ${result.reason}: the emptied repositories stay listed until their storage is removed`);
        }
      } catch (err) {
        ctx.info(`note: the manifests are deleted, but the repositories' storage could not be removed (${errorMessage(err)}); they stay listed`);
      }
      rows.push(...removed.map((r) => ({ registry: host, ...r, storageRemoved })));
    }
    if (ctx.format === 'json') {
      printRows(ctx, [], rows);
      return;
    }
    for (const r of rows) ctx.stdout.write(`Deleted: ${r.registry}/${r.repository} (${r.manifests} manifest${r.manifests === 1 ? '' : 's'})\n`);
  },
});
