// load: an archive (an OCI image layout, or what `docker save` writes) into a registry.
// The whole archive is read and checked first (archive-read.ts, then the plan: every
// manifest and blob present, every name usable); only then is anything pushed. Blobs the
// registry has are skipped (HEAD first); the others stream from the archive file with their
// digest checked again on the way; manifests go children first, tags last.
import { pipeline, Readable } from 'node:stream';
import { readArchive, fileStream, ArchiveError } from './archive-read.ts';
import { blobExists, DigestMismatchError, DigestVerifier, startUpload, type Repo } from './blobs.ts';
import { header, pushScope, type RegistryClient } from './client.ts';
import type { BlobEvents } from './copy-blobs.ts';
import { isDockerArchive, planDockerArchive } from './docker-archive.ts';
import type { LoadBlob, LoadPlan } from './load-plan.ts';
import type { Manifest } from './manifest.ts';
import { isOciLayout, planOciLayout } from './oci-layout.ts';
import { UploadSession } from './upload.ts';

export interface LoadedImage {
  /** REPOSITORY:TAG at the registry (or @DIGEST when it has no tag). */
  name: string;
  digest: string;
}

export interface LoadReport {
  images: LoadedImage[];
  pushed: number;
  present: number;
  manifests: number;
  bytes: number;
  /** Referrer entries loaded (fallback indexes, cosign tags). */
  referrers: number;
}

export interface LoadOptions {
  tag?: string;
  signal?: AbortSignal;
  /** Each blob as it is pushed or found there (a progress display listens). */
  events?: BlobEvents;
}

/** Reads and checks the archive and works out what to push: nothing is sent. */
export async function planLoad(path: string, tag: string | undefined): Promise<LoadPlan> {
  const contents = await readArchive(path);
  if (isOciLayout(contents)) return planOciLayout(contents, tag);
  if (isDockerArchive(contents)) return planDockerArchive(contents, tag);
  throw new ArchiveError(
    `${path} is neither an OCI image layout (index.json, oci-layout) nor a docker save archive (manifest.json): nothing was loaded`,
  );
}

class Pusher {
  readonly report: LoadReport = { images: [], pushed: 0, present: 0, manifests: 0, bytes: 0, referrers: 0 };
  private readonly done = new Set<string>();
  private readonly client: RegistryClient;
  private readonly plan: LoadPlan;
  private readonly signal: AbortSignal | undefined;
  private readonly events: BlobEvents;

  constructor(client: RegistryClient, plan: LoadPlan, options: LoadOptions) {
    this.client = client;
    this.plan = plan;
    this.signal = options.signal;
    this.events = options.events ?? {};
  }

  async blob(repo: Repo, blob: LoadBlob): Promise<void> {
    const key = `${repo.repository}@${blob.descriptor.digest}`;
    if (this.done.has(key)) return;
    this.done.add(key);
    const { digest, size } = blob.descriptor;
    if (await blobExists(repo, digest, this.signal)) {
      this.report.present += 1;
      this.events.blobDone?.(digest, size, 'exists');
      return;
    }
    this.events.blobStart?.(digest, size);
    const session = new UploadSession(repo, await startUpload(repo, this.signal));
    const verifier = new DigestVerifier(digest, size, (n) => {
      this.report.bytes += n;
      this.events.blobBytes?.(digest, n);
    });
    const source = size === 0 ? Readable.from([]) : fileStream(this.plan.contents, blob.file);
    pipeline(source, verifier, () => {});
    const stop = this.signal ?? new AbortController().signal;
    try {
      await session.send(verifier, stop, digest);
      if (verifier.mismatch)
        throw new DigestMismatchError(`${this.plan.contents.path} changed while it was being loaded (${verifier.mismatch.message})`);
      await session.commit(digest, stop);
    } catch (err) {
      await session.cancel();
      throw err;
    }
    this.report.pushed += 1;
    this.events.blobDone?.(digest, size, 'copied');
  }

  async manifest(repo: Repo, m: Manifest, reference: string): Promise<void> {
    const key = `${repo.repository}@${m.digest}>${reference}`;
    if (this.done.has(key)) return;
    this.done.add(key);
    const response = await this.client.request({
      method: 'PUT',
      path: `/v2/${repo.repository}/manifests/${reference}`,
      scopes: [pushScope(repo.repository)],
      headers: { 'content-type': m.mediaType },
      body: m.bytes,
      signal: this.signal,
    });
    const stored = header(response, 'docker-content-digest');
    if (stored && stored !== m.digest)
      throw new DigestMismatchError(`${this.client.host} stored manifest ${m.digest} as ${stored}: it rewrote the manifest`);
    if (reference === m.digest) this.report.manifests += 1;
  }
}

/** Pushes a checked plan into the registry the client reaches. */
export async function pushPlan(client: RegistryClient, plan: LoadPlan, options: LoadOptions = {}): Promise<LoadReport> {
  const pusher = new Pusher(client, plan, options);
  // Blobs, then manifests children first, for every unit; the tags of all of them last.
  for (const [i, unit] of plan.units.entries()) {
    const repo: Repo = { client, repository: unit.repository };
    const need = plan.needs[i]!;
    for (const digest of need.blobs) await pusher.blob(repo, plan.blobs.get(digest)!);
    for (const digest of need.manifests) await pusher.manifest(repo, plan.manifests.get(digest)!, digest);
  }
  for (const unit of plan.units) {
    const repo: Repo = { client, repository: unit.repository };
    const root = plan.manifests.get(unit.root.digest)!;
    for (const tag of unit.tags) await pusher.manifest(repo, root, tag);
  }
  for (const unit of plan.units) {
    if (unit.kind !== 'image') {
      pusher.report.referrers += 1;
      continue;
    }
    const names =
      unit.tags.length > 0
        ? unit.tags.map((t) => `${client.host}/${unit.repository}:${t}`)
        : [`${client.host}/${unit.repository}@${unit.root.digest}`];
    for (const name of names) pusher.report.images.push({ name, digest: unit.root.digest });
  }
  return pusher.report;
}

/** load: checks the whole archive, then pushes it. */
export async function loadArchive(client: RegistryClient, path: string, options: LoadOptions = {}): Promise<LoadReport> {
  const plan = await planLoad(path, options.tag);
  return pushPlan(client, plan, options);
}
