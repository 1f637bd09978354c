// lsi (images): every tag of the registry (or of the named repositories) with its
// digest, platforms and size. All requests start at once; the client bounds them.
import { defineCommand } from '../command.ts';
import { printRows } from '../output/print.ts';
import { formatBytes } from '../output/table.ts';
import { registryClientFor } from '../registry-clients.ts';
import { listImages, type TagSummary } from '../../registry/images.ts';
import { parseRepositoryName } from '../../registry/reference.ts';
import { sortImages, withPushDates, type ImageSort } from '../../storage/image-dates.ts';
import { timeAgo } from '../output/human-duration.ts';

/** Docker's short image id: the first 12 hex digits of the digest. */
export function shortId(digest: string): string {
  return digest.replace(/^sha(256|512):/, '').slice(0, 12);
}

type Row = TagSummary & { registry: string; pushed?: string };

export const lsiCommand = defineCommand<{ repo: string[] | undefined; quiet: boolean; sort: string }>({
  command: 'lsi [repo..]',
  aliases: ['images'],
  describe: 'List images (tags) with their digests, platforms and sizes',
  builder: (yargs) =>
    yargs
      .positional('repo', { type: 'string', array: true, describe: 'Repositories to list (default: all)' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Only print image references (HOST/REPOSITORY:TAG)' })
      .option('sort', { type: 'string', choices: ['name', 'created', 'pushed'], default: 'name', describe: 'Order: name (as listed), or newest first by created or pushed time' })
      .epilog(
        'IMAGE ID is the first 12 hex digits of the digest the tag points at (the index for a multi-platform image). ' +
          'SIZE is config + layers as stored (compressed); for a multi-platform image, every distinct config and layer of all its platforms, each counted once. ' +
          "CREATED: the config's date (an index: its newest platform's). Push times come from the storage of a registry this engine runs, else are absent.",
      ),
  run: async (args, ctx) => {
    const names = (args.repo ?? []).map((r) => parseRepositoryName(r, ctx.registry));
    const byHost = new Map<string, string[]>();
    if (names.length === 0) byHost.set(ctx.registry, []);
    for (const n of names) byHost.set(n.registry, [...(byHost.get(n.registry) ?? []), n.repository]);
    const listed: Row[] = [];
    for (const [host, repos] of byHost) {
      const client = registryClientFor(ctx, host);
      try {
        const found = await listImages(client, repos.length > 0 ? [...new Set(repos)] : undefined, ctx.signal);
        const dated = await withPushDates(found, host, async () => (await ctx.engine()).docker);
        if (dated.note) ctx.debugLog(`no push times for ${host}: ${dated.note}`);
        listed.push(...dated.rows.map((r) => ({ registry: host, ...r })));
      } finally {
        await client.close();
      }
    }
    const rows = sortImages(listed, args.sort as ImageSort);
    for (const r of rows) if (r.error) ctx.info(`warning: ${r.registry}/${r.repository}:${r.tag}: ${r.error}`);
    if (args.quiet && ctx.format !== 'json') {
      ctx.stdout.write(rows.map((r) => `${r.registry}/${r.repository}:${r.tag}\n`).join(''));
      return;
    }
    printRows(
      ctx,
      [
        { header: 'REPOSITORY', value: (r: Row) => `${r.registry}/${r.repository}` },
        { header: 'TAG', value: (r: Row) => r.tag },
        { header: 'IMAGE ID', value: (r: Row) => (r.digest ? shortId(r.digest) : '?') },
        { header: 'PLATFORMS', value: (r: Row) => (r.error ? '(unreadable)' : r.platforms.join(',') || (r.kind === 'artifact' ? `(${r.entries[0]?.platform ?? 'artifact'})` : 'unknown')) },
        { header: 'CREATED', value: (r: Row) => timeAgo(r.created) },
        { header: 'SIZE', value: (r: Row) => (r.error ? '?' : formatBytes(r.size)) },
      ],
      rows,
      rows.map((r) => ({
        registry: r.registry, repository: r.repository, tag: r.tag, digest: r.digest, mediaType: r.mediaType, kind: r.kind,
        platforms: r.platforms, size: r.size, created: r.created, pushed: r.pushed, ...(r.error ? { error: r.error } : {}),
      })),
    );
  },
});
