// save: images from registries into one archive file (or standard output). Everything is
// read from the registries first (save-plan.ts: a missing image fails before a byte is
// written), then written (archive-write.ts). One client per registry host, closed at the end.
import type { Writable } from 'node:stream';
import { writeArchiveFile, writeArchiveTo, type ArchiveFormat } from './archive-write.ts';
import type { RegistryClient } from './client.ts';
import type { BlobEvents } from './copy-blobs.ts';
import type { Platform } from './manifest.ts';
import type { OpenClient } from './per-host.ts';
import { formatReference, type ImageReference } from './reference.ts';
import { planSave, type SavedImage, type SaveImage } from './save-plan.ts';

/** save's --format: an archive format (podman save's names too), or undefined for an output format (json, a template). */
export function archiveFormat(format: string): ArchiveFormat | undefined {
  if (format === 'oci' || format === 'oci-archive') return 'oci';
  if (format === 'docker' || format === 'docker-archive') return 'docker';
  return undefined;
}

export interface SaveOptions {
  format: ArchiveFormat;
  /** A file name, or a stream (standard output). */
  output: string | Writable;
  referrers: boolean;
  platform?: Platform;
  insecure?: boolean;
  signal?: AbortSignal;
  events?: BlobEvents;
}

export interface SaveReport {
  images: SavedImage[];
  /** Entries of the archive's index beyond the images: referrers' indexes and cosign tags. */
  entries: number;
  blobs: number;
  bytes: number;
}

export async function saveImages(open: OpenClient, refs: readonly ImageReference[], options: SaveOptions): Promise<SaveReport> {
  const clients = new Map<string, RegistryClient>();
  const clientFor = (host: string): RegistryClient => {
    let client = clients.get(host);
    if (!client) {
      client = open(host, { insecure: options.insecure });
      clients.set(host, client);
    }
    return client;
  };
  try {
    const images: SaveImage[] = refs.map((ref) => {
      const reference = ref.digest ?? ref.tag ?? 'latest';
      const name = formatReference(ref.digest || ref.tag ? ref : { ...ref, tag: 'latest' });
      return { client: clientFor(ref.registry), repository: ref.repository, reference, name };
    });
    // A Docker archive has no place for referrers.
    const plan = await planSave(images, {
      referrers: options.referrers && options.format === 'oci',
      platform: options.platform,
      signal: options.signal,
    });
    const written =
      typeof options.output === 'string'
        ? await writeArchiveFile(options.output, plan, options.format, options)
        : await writeArchiveTo(options.output, plan, options.format, options);
    const entries = options.format === 'oci' ? plan.entries.length - plan.images.length : 0;
    return { images: plan.images, entries, blobs: written.blobs, bytes: written.bytes };
  } finally {
    await Promise.allSettled([...clients.values()].map((c) => c.close()));
  }
}
