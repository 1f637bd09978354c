// index create|add|rm: a multi-platform image assembled from single-platform tags (or
// indexes) of one registry, extended, or cut down, without re-serialising any image.
import { defineCommand } from '../command.ts';
import { indexColumns, printIndexResult } from '../output/index-report.ts';
import { registryClientFor } from '../registry-clients.ts';
import { removeFromIndex, writeIndex, type IndexResult } from '../../registry/index-edit.ts';
import { parseReference } from '../../registry/reference.ts';

export const indexCommand = defineCommand<{ action: string; target: string; args: string[]; force: boolean }>({
  command: 'index <action> <target> <args..>',
  describe: 'Make a multi-platform image from tags: index create|add TARGET SOURCE..., index rm TARGET PLATFORM...',
  fields: indexColumns,
  subcommands: [
    {
      name: 'create',
      args: 'TARGET SOURCE [SOURCE...]',
      describe:
        'Make TARGET an index of the SOURCE images (tags or digests; an index brings its platforms); an existing TARGET only with --force',
      options: ['force', 'format'],
    },
    {
      name: 'add',
      args: 'TARGET SOURCE [SOURCE...]',
      describe: "Add the SOURCE images' platforms to the index TARGET",
      options: ['format'],
    },
    {
      name: 'rm',
      args: 'TARGET PLATFORM [PLATFORM...]',
      describe: 'Remove platforms (linux/arm64) from the index TARGET',
      options: ['format'],
    },
  ],
  positionals: {
    action: { choices: ['create', 'add', 'rm'], describe: 'create a new index, add platforms to one, or rm platforms from one' },
    target: { describe: 'REPOSITORY[:TAG] the index is written to (default tag latest)' },
    args: { describe: 'create/add: SOURCE images (tags or digests; an index brings its platforms); rm: PLATFORMs (linux/arm64)' },
  },
  options: {
    force: {
      alias: 'f',
      type: 'boolean',
      default: false,
      describe: 'create: replace a TARGET that exists (its digest is printed; platforms left out are untagged)',
    },
  },
  readme:
    '`create TARGET SOURCE...` makes a multi-platform image from single-platform tags (or digests, or indexes) of one registry, refusing ' +
    'a TARGET that exists unless `--force`; `add TARGET SOURCE...` adds platforms; `rm TARGET PLATFORM...` removes them. ' +
    'See [index](#index-multi-platform-images-from-tags)',
  examples: [['$0 index create app app:amd64 app:arm64', 'app:latest for both platforms']],
  epilog:
    "Sources are in TARGET's registry, in its repository or others (their images are copied over, blobs mounted). Each image's platform " +
    "comes from its config; two images of one platform are refused. The index keeps the sources' format: an OCI index for OCI images, " +
    'a Docker manifest list for Docker images; a mix is refused.',
  run: async (args, ctx) => {
    const target = parseReference(args.target, ctx.registry);
    const client = registryClientFor(ctx, target.registry);
    let result: IndexResult;
    try {
      result =
        args.action === 'rm'
          ? await removeFromIndex(client, target, args.args, ctx.signal)
          : await writeIndex(
              client,
              target,
              args.args.map((s) => parseReference(s, ctx.registry)),
              args.action === 'add' ? 'add' : 'create',
              { force: args.force, signal: ctx.signal },
            );
    } finally {
      await client.close();
    }
    printIndexResult(ctx, args.action, result);
  },
});
