// Reading a registry's storage on S3 (up --storage s3://BUCKET[/PREFIX]): the objects under
// <prefix>/docker/registry/v2/ (ListObjectsV2, every page), taken the way the filesystem
// listing takes files. Each object becomes the line the listing script (storage-listing.ts)
// prints for that file, with its LastModified as the time and the store's clock as "now",
// and the same strict parser reads them: same grammars, same names left alone, same
// structure. A tag's link is read (GetObject) when its repository and tag names fit their
// grammars; manifests are read and checked against their digests as on a file system.
// Imported on demand (storage-access.ts): it brings the SDK's signer.
import { getObject, listObjects, type S3Location, type S3Object } from '../aws/s3-objects.ts';
import type { S3RegistryConfig } from '../server/s3-storage.ts';
import { mapLimit } from '../registry/limit.ts';
import { readManifest, type ManifestContent } from './reachability.ts';
import { parseListing, type StorageListing } from './storage-listing.ts';
import { parsePushDates, type PushDates } from './push-dates.ts';
import { blobPath, isDigest, isRepositoryName, isTagName, V2 } from './storage-layout.ts';
import type { StorageReader } from './storage-reader.ts';

/** Requests at once to the store (tag links, manifests). */
const PARALLEL = 8;

/** find's glob `*` (any characters, '/' included), as a whole-path pattern. */
const glob = (pattern: string): RegExp => new RegExp(`^${pattern.split('*').map(escape).join('.*')}$`);
const escape = (text: string): string => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

const TAG_LINK = glob('*/_manifests/tags/*/current/link');
const REVISION_LINK = glob('*/_manifests/revisions/*/*/link');
const LAYER_LINK = glob('*/_layers/*/*/link');
const UPLOAD_FILE = glob('*/_uploads/*');
const TAG_LINE = /^\.\/(.+)\/_manifests\/tags\/([^/]+)\/current\/link$/;
/** A name the listing script reports as left alone (outside [A-Za-z0-9._-], or starting with '.' or '-'). */
const ODD_NAME = /[^A-Za-z0-9._-]|^[.-]|^$/;

const seconds = (ms: number): number => Math.floor(ms / 1000);

/** Objects relative to docker/registry/v2 (keys ending in '/' are a console's folder markers, not files). */
interface Entry extends S3Object {
  path: string;
}

/**
 * The listing script's output for these objects: N, then R/T/V/L/U/B lines for the names
 * without a newline (as find prunes them), then after Z the names outside the safe set
 * (no symlinks: a bucket has none). `link` reads a tag's link when its names fit.
 */
export async function listingText(entries: readonly Entry[], now: number, link: (path: string) => Promise<string>): Promise<string> {
  const lines = [`N ${seconds(now)}`];
  const manifestsDirs = new Set<string>();
  const odd = new Set<string>();
  const tags: Entry[] = [];
  for (const e of entries) {
    const parts = e.path.split('/');
    if (parts[0] === 'repositories' || parts[0] === 'blobs') {
      const bad = parts.findIndex((p, i) => i > 0 && ODD_NAME.test(p));
      if (bad > 0) odd.add(parts.slice(0, bad + 1).join('/'));
    }
    if (e.path.includes('\n')) continue;
    if (parts[0] === 'blobs') {
      if (parts.length > 1 && parts.at(-1) === 'data') lines.push(`B ${e.size} ${seconds(e.modified)} ${e.path}`);
      continue;
    }
    if (parts[0] !== 'repositories' || parts.length < 2) continue;
    const rel = `./${parts.slice(1).join('/')}`;
    for (let i = 2; i < parts.length - 1; i++) if (parts[i] === '_manifests') manifestsDirs.add(`./${parts.slice(1, i + 1).join('/')}`);
    if (TAG_LINK.test(rel)) tags.push({ ...e, path: rel });
    if (REVISION_LINK.test(rel)) lines.push(`V ${seconds(e.modified)} ${rel}`);
    if (LAYER_LINK.test(rel)) lines.push(`L ${seconds(e.modified)} ${rel}`);
    if (UPLOAD_FILE.test(rel)) lines.push(`U ${e.size} ${seconds(e.modified)} ${rel}`);
  }
  lines.push(...[...manifestsDirs].map((d) => `R ${d}`));
  const targets = await mapLimit(tags, PARALLEL, async (t) => {
    const m = TAG_LINE.exec(t.path);
    // A link whose names do not fit is never read: the parser leaves it alone for its name.
    if (!m || !isRepositoryName(m[1]!) || !isTagName(m[2]!)) return '';
    // `read -r` in the script: the first line.
    return (await link(`repositories/${t.path.slice(2)}`)).split('\n')[0]!;
  });
  tags.forEach((t, i) => lines.push(`T ${t.path} ${targets[i]}`));
  return `${lines.join('\n')}\nZ\n\0${[...odd].map((p) => `${p}\0`).join('')}`;
}

/** push-dates.ts's `stat -c '%y %n'` lines for the tags' current links, the same trees pruned. */
export function pushDatesText(entries: readonly Entry[]): string {
  const pruned = (ancestor: string): boolean =>
    /(^|\/)(_layers|_uploads)$/.test(ancestor) ||
    /\/_manifests\/revisions$/.test(ancestor) ||
    glob('*/_manifests/tags/*/index').test(ancestor);
  const lines: string[] = [];
  for (const e of entries) {
    if (!e.path.startsWith('repositories/') || e.path.includes('\n')) continue;
    const rel = `./${e.path.slice('repositories/'.length)}`;
    const parts = rel.split('/');
    if (parts.some((_, i) => i > 0 && pruned(parts.slice(0, i + 1).join('/'))) || !TAG_LINK.test(rel)) continue;
    const when = new Date(e.modified).toISOString().replace('T', ' ').replace('Z', ' +0000');
    lines.push(`${when} ${rel}`);
  }
  return lines.join('\n');
}

function digestMatches(digest: string, bytes: Uint8Array): boolean {
  const [alg, hex] = digest.split(':');
  return process.getBuiltinModule('node:crypto').createHash(alg!).update(bytes).digest('hex') === hex;
}

export function s3StorageReader(config: S3RegistryConfig): StorageReader {
  const location: S3Location = { bucket: config.bucket, endpoint: config.endpoint, region: config.region, credentials: config.credentials };
  const base = `${config.prefix ? `${config.prefix}/` : ''}${V2}/`;
  let listed: Promise<{ entries: Entry[]; now: number }> | undefined;
  // One listing of the bucket per reader: the listing and the push dates (prune) share it.
  const objects = (): Promise<{ entries: Entry[]; now: number }> =>
    (listed ??= listObjects(location, base).then(({ objects, now }) => ({
      entries: objects.filter((o) => !o.key.endsWith('/')).map((o) => ({ ...o, path: o.key.slice(base.length) })),
      now: now ?? Date.now(),
    })));
  const read = async (path: string): Promise<Buffer | undefined> => getObject(location, `${base}${path}`);
  return {
    async list(): Promise<StorageListing> {
      const { entries, now } = await objects();
      return parseListing(await listingText(entries, now, async (path) => (await read(path))?.toString('utf8') ?? ''));
    },
    async manifests(listing) {
      const wanted = [...new Set(listing.repositories.flatMap((r) => [...r.manifests, ...r.tags.values()]))];
      const contents = new Map<string, ManifestContent>();
      await mapLimit(wanted, PARALLEL, async (d) => {
        const bytes = listing.blobs.has(d) && isDigest(d) ? await read(blobPath(d)) : undefined;
        contents.set(
          d,
          bytes === undefined
            ? { kind: 'missing' }
            : digestMatches(d, bytes)
              ? readManifest(bytes)
              : { kind: 'invalid', reason: 'content does not match its digest' },
        );
      });
      return (digest) => contents.get(digest) ?? { kind: 'missing' };
    },
    async pushDates(): Promise<PushDates> {
      return parsePushDates(pushDatesText((await objects()).entries));
    },
  };
}
