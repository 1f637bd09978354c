// The first pass of load: the whole archive read once, before anything is pushed. Every
// entry's name is checked (no absolute paths, no `..`, no link pointing outside), every
// file is hashed (a blob under blobs/<algorithm>/<hex> must hash to its name), and where
// each file's data sits in the archive is noted, so the push reads it again from there
// (with its digest checked a second time on the way) instead of holding it.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import { JindrError, NotFoundError } from '../errors.ts';
import { chunksPassed } from './chunk-garbage.ts';
import { readTar, TarError } from './tar.ts';

/** The archive cannot be loaded: nothing was pushed. */
export class ArchiveError extends JindrError {}

export interface ArchiveFile {
  name: string;
  /** Where its data starts in the archive, and its length. */
  offset: number;
  size: number;
  /** sha256:<hex> of its content. */
  digest: string;
  /** Its first bytes (gzip or not). */
  head: Buffer;
}

export interface ArchiveContents {
  path: string;
  /** Files by name, links resolved to the file they name. */
  files: Map<string, ArchiveFile>;
  /** The content of the small top-level files (index.json, oci-layout, manifest.json). */
  top: Map<string, Buffer>;
}

const TOP_LIMIT = 16 << 20;

/** An entry's name, normalised, or why it is refused. */
export function safeName(name: string): string {
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) throw new TarError(`the archive has an absolute path ${JSON.stringify(name)}`);
  if (name.includes('\\') || name.includes('\0'))
    throw new TarError(`the archive has a path with a backslash or NUL: ${JSON.stringify(name)}`);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new TarError(`the archive has a path leading out of it: ${JSON.stringify(name)}`);
  return parts.join('/');
}

/** Where a link points, inside the archive, or why it is refused. */
function linkTarget(name: string, linkname: string, symbolic: boolean): string {
  if (linkname.startsWith('/'))
    throw new TarError(`the archive has a link ${JSON.stringify(name)} to an absolute path ${JSON.stringify(linkname)}`);
  // A symbolic link is relative to its directory; a hard link names a path in the archive.
  const joined = posix.normalize(symbolic ? posix.join(posix.dirname(name), linkname) : linkname);
  if (joined === '..' || joined.startsWith('../')) {
    throw new TarError(`the archive has a link ${JSON.stringify(name)} pointing out of it (${JSON.stringify(linkname)})`);
  }
  return safeName(joined);
}

function blobName(name: string): string | undefined {
  const match = /^blobs\/(sha256|sha512)\/([a-f0-9]+)$/.exec(name);
  return match ? `${match[1]}:${match[2]}` : undefined;
}

async function checkNotGzip(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError(`no file ${path}`);
    throw new ArchiveError(`cannot read ${path}: ${code ?? String(err)}`);
  }
  try {
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    if (head[0] === 0x1f && head[1] === 0x8b) throw new ArchiveError(`${path} is gzip-compressed: gunzip it first, then load the .tar`);
  } finally {
    await handle.close();
  }
}

/** Reads and checks the whole archive; throws ArchiveError (one line) for anything wrong with it. */
export async function readArchive(path: string): Promise<ArchiveContents> {
  await checkNotGzip(path);
  const files = new Map<string, ArchiveFile>();
  const links = new Map<string, string>();
  const top = new Map<string, Buffer>();
  const crypto = process.getBuiltinModule('node:crypto');
  try {
    await readTar(createReadStream(path, { highWaterMark: 256 << 10 }), async (entry, data) => {
      const name = safeName(entry.name);
      if (entry.type === 'directory') return;
      if (files.has(name) || links.has(name)) throw new TarError(`the archive holds ${JSON.stringify(name)} twice`);
      if (entry.type === 'symlink' || entry.type === 'hardlink') {
        links.set(name, linkTarget(name, entry.linkname, entry.type === 'symlink'));
        return;
      }
      const hash = crypto.createHash('sha256');
      const keep = !name.includes('/') && entry.size <= TOP_LIMIT ? ([] as Buffer[]) : undefined;
      let head = Buffer.alloc(0);
      for await (const piece of data) {
        hash.update(piece);
        chunksPassed(piece.length);
        if (head.length < 4) head = Buffer.concat([head, piece.subarray(0, 4 - head.length)]);
        keep?.push(piece);
      }
      const digest = `sha256:${hash.digest('hex')}`;
      const named = blobName(name);
      if (named !== undefined && named.startsWith('sha256:') && named !== digest) {
        throw new TarError(`blob ${named} does not match its content (which hashes to ${digest})`);
      }
      if (named !== undefined && named.startsWith('sha512:')) throw new TarError(`${name}: sha512 blobs are not supported`);
      files.set(name, { name, offset: entry.offset, size: entry.size, digest, head });
      if (keep) top.set(name, Buffer.concat(keep));
    });
  } catch (err) {
    if (err instanceof TarError) throw new ArchiveError(`${path}: ${err.message}: nothing was loaded`);
    throw err;
  }
  for (const [name, target] of links) {
    let at = target;
    for (let hops = 0; !files.has(at); hops++) {
      const next = links.get(at);
      if (next === undefined || hops > 16)
        throw new ArchiveError(`${path}: the link ${JSON.stringify(name)} points at nothing in the archive: nothing was loaded`);
      at = next;
    }
    files.set(name, files.get(at)!);
    if (top.has(at) && !name.includes('/')) top.set(name, top.get(at)!);
  }
  return { path, files, top };
}

/** A file's content, read again from the archive (manifests, configs: small). */
export async function readFileBytes(contents: ArchiveContents, file: ArchiveFile): Promise<Buffer> {
  const handle = await open(contents.path, 'r');
  try {
    const bytes = Buffer.alloc(file.size);
    const { bytesRead } = await handle.read(bytes, 0, file.size, file.offset);
    if (bytesRead !== file.size) throw new ArchiveError(`${contents.path} changed while it was being loaded`);
    return bytes;
  } finally {
    await handle.close();
  }
}

/** A file's content as a stream, from the archive. */
export function fileStream(contents: ArchiveContents, file: ArchiveFile): NodeJS.ReadableStream & import('node:stream').Readable {
  return createReadStream(contents.path, { start: file.offset, end: file.offset + file.size - 1, highWaterMark: 256 << 10 });
}
