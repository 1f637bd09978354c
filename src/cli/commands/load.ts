// load: an archive (OCI image layout, or docker save's) into the registry (-r): the whole
// archive checked first, blobs the registry has skipped, tags last.
import { defineCommand } from '../command.ts';
import { loadColumns, printLoaded, withBlobProgress } from '../output/archive-report.ts';
import { registryClients } from '../registry-clients.ts';
import { loadArchive } from '../../registry/load.ts';

interface LoadArgs {
  file: string;
  tag?: string;
  insecure: boolean;
}

export const loadCommand = defineCommand<LoadArgs>({
  command: 'load <file>',
  describe: 'Load an OCI layout or docker save archive into the registry, skipping blobs it has',
  fields: loadColumns,
  readme:
    'Pushes an archive written by `save`, skopeo, Podman or `docker save` (an OCI image layout, or manifest.json with its layers) into ' +
    'the registry of -r: each image under its name in the archive (its registry left out), or `--tag NAME` for an archive of one image. ' +
    'The whole archive is checked first (a truncated tar, a blob that does not match its digest, a path leading out of the archive, ' +
    'a missing blob: refused, nothing pushed); blobs the registry has are skipped; tags are written last',
  positionals: { file: { describe: 'The archive (.tar)' } },
  options: {
    tag: { alias: 't', type: 'string', value: 'NAME', describe: 'REPOSITORY[:TAG] for the image (an archive of one image)' },
    insecure: { type: 'boolean', default: false, describe: 'Allow a registry without TLS, or with a certificate that does not verify' },
  },
  examples: [
    ['$0 load app.tar', 'every image in app.tar, under its own name, into the local registry'],
    ['$0 -r registry.example.com load app.tar --tag team/app:v1', 'one image, under another name'],
  ],
  run: async (args, ctx) => {
    const client = registryClients(ctx)(ctx.registry.name, { insecure: args.insecure });
    try {
      const report = await withBlobProgress(ctx, (events) => loadArchive(client, args.file, { tag: args.tag, signal: ctx.signal, events }));
      printLoaded(ctx, report);
    } finally {
      await client.close();
    }
  },
});
