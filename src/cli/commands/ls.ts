// ls (repos): the repositories of the registry, every page of the catalog.
import { defineCommand } from '../command.ts';
import { printRows } from '../output/print.ts';
import type { Column } from '../output/table.ts';
import { registryReaders } from '../registry-reader.ts';
import { repositoriesOf } from '../../registry/listings.ts';
import { formatRepository, type RepositoryName } from '../../registry/reference.ts';

const columns: readonly Column<RepositoryName>[] = [
  { header: 'REPOSITORY', value: (r) => formatRepository(r) },
  { header: 'NAME', value: (r) => r.repository, hidden: true },
];

export const lsCommand = defineCommand<{ quiet: boolean }>({
  command: 'ls',
  aliases: ['repos'],
  describe: 'List the repositories in the registry',
  fields: columns,
  options: { quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Only print repository names (HOST/REPOSITORY)' } },
  run: async (args, ctx) => {
    const rows = await repositoriesOf(registryReaders(ctx), ctx.registry.name, ctx.signal);
    if (args.quiet && ctx.format !== 'json') {
      ctx.stdout.write(rows.map((r) => `${formatRepository(r)}\n`).join(''));
      return;
    }
    printRows(ctx, columns, rows);
  },
});
