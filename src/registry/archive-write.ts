// Writes what save-plan.ts read into an archive: an OCI image layout (oci-layout,
// index.json, blobs/sha256/...), or the archive `docker load` reads (manifest.json naming
// the config and layers, which sit in blobs/sha256/ as Docker 25's own `docker save` puts
// them). Manifests are written from memory; every other blob streams from the registry
// into the file with its digest checked on the way, one at a time. A file is written under
// a temporary name beside it and renamed at the end: an interrupted save leaves no archive
// under the name asked for.
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline, type Writable } from 'node:stream';
import { ResourceError } from '../errors.ts';
import { DigestVerifier, openBlob } from './blobs.ts';
import type { BlobEvents } from './copy-blobs.ts';
import type { Descriptor } from './manifest.ts';
import type { SavePlan } from './save-plan.ts';
import { TarWriter } from './tar.ts';

export type ArchiveFormat = 'oci' | 'docker';

export const REF_NAME = 'org.opencontainers.image.ref.name';
/** containerd's and Docker 25's name annotation: the full name, where ref.name is often a tag alone. */
export const CONTAINERD_NAME = 'io.containerd.image.name';

export interface WriteOptions {
  signal?: AbortSignal;
  /** Each blob as it streams into the archive (a progress display listens). */
  events?: BlobEvents;
}

export interface WriteResult {
  /** Bytes of the archive. */
  bytes: number;
  blobs: number;
}

const blobPath = (digest: string): string => `blobs/${digest.replace(':', '/')}`;

async function writeBlobs(tar: TarWriter, plan: SavePlan, only: Set<string> | undefined, options: WriteOptions): Promise<number> {
  const { signal, events } = options;
  let count = 0;
  await tar.directory('blobs');
  await tar.directory('blobs/sha256');
  for (const [digest, manifest] of plan.manifests) {
    if (only && !only.has(digest)) continue;
    await tar.file(blobPath(digest), manifest.bytes);
    count += 1;
  }
  for (const [digest, blob] of plan.blobs) {
    if (only && !only.has(digest)) continue;
    const { body } = await openBlob({ client: blob.client, repository: blob.repository }, digest, signal);
    const size = blob.descriptor.size;
    events?.blobStart?.(digest, size);
    const verifier = new DigestVerifier(digest, size, (n) => events?.blobBytes?.(digest, n));
    pipeline(body, verifier, () => {});
    await tar.stream(blobPath(digest), size, verifier);
    if (verifier.mismatch) throw verifier.mismatch;
    events?.blobDone?.(digest, size, 'copied');
    count += 1;
  }
  return count;
}

function ociIndex(plan: SavePlan): Buffer {
  const manifests = plan.entries.map((e) => {
    const annotations: Record<string, string> = { [REF_NAME]: e.name };
    if (e.kind === 'image') annotations[CONTAINERD_NAME] = e.name;
    const d: Descriptor = { mediaType: e.descriptor.mediaType, digest: e.descriptor.digest, size: e.descriptor.size, annotations };
    return d;
  });
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }, null, 2) + '\n');
}

/** docker load's manifest.json: one row per image, its config and layers by path. */
function dockerManifest(plan: SavePlan): { json: Buffer; digests: Set<string> } {
  const digests = new Set<string>();
  const rows = plan.entries
    .filter((e) => e.kind === 'image')
    .map((e) => {
      const manifest = plan.manifests.get(e.descriptor.digest)!;
      if (manifest.parsed.kind !== 'image') throw new Error('unreachable: a Docker archive holds image manifests');
      const layers = manifest.parsed.layers.filter((l) => plan.blobs.has(l.digest));
      for (const d of [manifest.parsed.config, ...layers]) digests.add(d.digest);
      return {
        Config: blobPath(manifest.parsed.config.digest),
        RepoTags: e.name.includes('@') ? null : [e.name],
        Layers: layers.map((l) => blobPath(l.digest)),
      };
    });
  return { json: Buffer.from(JSON.stringify(rows) + '\n'), digests };
}

async function writeTo(out: Writable, plan: SavePlan, format: ArchiveFormat, options: WriteOptions): Promise<WriteResult> {
  const tar = new TarWriter(out);
  let blobs: number;
  if (format === 'oci') {
    await tar.file('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}\n'));
    await tar.file('index.json', ociIndex(plan));
    blobs = await writeBlobs(tar, plan, undefined, options);
  } else {
    const { json, digests } = dockerManifest(plan);
    await tar.file('manifest.json', json);
    blobs = await writeBlobs(tar, plan, digests, options);
  }
  await tar.end();
  return { bytes: tar.written, blobs };
}

/** Writes the archive to out (standard output), which stays open. */
export function writeArchiveTo(out: Writable, plan: SavePlan, format: ArchiveFormat, options: WriteOptions = {}): Promise<WriteResult> {
  return writeTo(out, plan, format, options);
}

/** Writes the archive to file, through a temporary file beside it renamed at the end. */
export async function writeArchiveFile(
  file: string,
  plan: SavePlan,
  format: ArchiveFormat,
  options: WriteOptions = {},
): Promise<WriteResult> {
  const temporary = join(dirname(file), `.${basename(file)}.partial-${process.pid}`);
  let out: Writable;
  try {
    out = createWriteStream(temporary, { flags: 'wx' });
    await new Promise<void>((resolve, reject) => {
      out.once('open', () => resolve());
      out.once('error', reject);
    });
  } catch (err) {
    throw new ResourceError(
      `cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)} (check the directory exists and is writable)`,
    );
  }
  try {
    const result = await writeTo(out, plan, format, options);
    await new Promise<void>((resolve, reject) => {
      out.once('error', reject);
      out.end(() => resolve());
    });
    renameSync(temporary, file);
    return result;
  } catch (err) {
    out.destroy();
    rmSync(temporary, { force: true });
    throw err;
  }
}
