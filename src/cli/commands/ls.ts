// ls (repos): the repositories of the registry, every page of the catalog.
import { defineCommand } from '../command.ts';
import { printRows } from '../output/print.ts';
import { registryClientFor } from '../registry-clients.ts';
import { listRepositories } from '../../registry/catalog.ts';

interface Row {
  registry: string;
  repository: string;
}

export const lsCommand = defineCommand<{ quiet: boolean }>({
  command: 'ls',
  aliases: ['repos'],
  describe: 'List the repositories in the registry',
  builder: (yargs) => yargs.option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Only print repository names (HOST/REPOSITORY)' }),
  run: async (args, ctx) => {
    const client = registryClientFor(ctx, ctx.registry);
    try {
      const rows: Row[] = (await listRepositories(client, ctx.signal)).map((repository) => ({ registry: ctx.registry.name, repository }));
      if (args.quiet && ctx.format !== 'json') {
        ctx.stdout.write(rows.map((r) => `${r.registry}/${r.repository}\n`).join(''));
        return;
      }
      printRows(ctx, [{ header: 'REPOSITORY', value: (r: Row) => `${r.registry}/${r.repository}` }], rows);
    } finally {
      await client.close();
    }
  },
});
