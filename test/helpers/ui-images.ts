// Images for the page's tests, pushed with plain fetch (test/helpers/images.ts): images
// with a chosen created date and layers (two images can share one), and referrers as a
// registry without the referrers API keeps them: an artifact manifest whose `subject` is
// the image, listed by the fallback tag sha256-<hex>, and cosign's own .sig tag.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { MEDIA_TYPES, pushBlob, pushImageManifest, pushManifestBytes, sha256, tar, type Blob, type BuiltManifest } from './images.ts';

const OCI = MEDIA_TYPES.oci;
const EMPTY = 'application/vnd.oci.empty.v1+json';

function blob(bytes: Buffer, mediaType: string): Blob {
  return { digest: sha256(bytes), size: bytes.length, mediaType, bytes };
}

const descriptor = (b: Blob) => ({ mediaType: b.mediaType, digest: b.digest, size: b.size });

/** A gzipped layer of one file of `size` random bytes. */
export function randomLayer(size = 1024): Blob {
  return blob(gzipSync(tar([{ name: 'data.bin', type: 'file', data: randomBytes(size) }])), OCI.layer);
}

/** A linux/amd64 OCI image of the given layers, created at `created`, with labels. */
export function datedImage(created: string, layers: Blob[], labels: Record<string, string> = {}): BuiltManifest {
  const config = blob(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        created,
        config: { Env: ['PATH=/bin', 'MODE=test'], Entrypoint: ['/bin/app'], Cmd: ['--serve'], Labels: labels, WorkingDir: '/srv' },
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
        history: layers.map((_, i) => ({ created, created_by: `COPY layer-${i} /` })),
      }),
    ),
    OCI.config,
  );
  const manifest = blob(
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI.manifest, config: descriptor(config), layers: layers.map(descriptor) })),
    OCI.manifest,
  );
  return { ...manifest, platform: { os: 'linux', architecture: 'amd64' }, config, layers };
}

export async function pushDatedImage(host: string, repo: string, tag: string, image: BuiltManifest): Promise<BuiltManifest> {
  await pushImageManifest(host, repo, tag, image);
  return image;
}

export interface Subject {
  digest: string;
  size: number;
  mediaType: string;
}

/** An OCI artifact manifest about `subject`, pushed by digest (nothing tags it). */
export async function pushArtifact(
  host: string,
  repo: string,
  subject: Subject,
  artifactType: string,
  payload = randomBytes(200),
): Promise<Blob & { artifactType: string }> {
  const empty = blob(Buffer.from('{}'), EMPTY);
  const layer = blob(payload, 'application/octet-stream');
  await pushBlob(host, repo, empty);
  await pushBlob(host, repo, layer);
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI.manifest,
        artifactType,
        config: descriptor(empty),
        layers: [descriptor(layer)],
        subject: descriptor({ ...subject, bytes: Buffer.alloc(0) }),
      }),
    ),
    OCI.manifest,
  );
  await pushManifestBytes(host, repo, manifest.digest, manifest);
  return { ...manifest, artifactType };
}

/** The referrers tag schema's fallback: the tag sha256-<hex> of the subject holds an index of its referrers. */
export async function pushFallbackIndex(
  host: string,
  repo: string,
  subject: string,
  referrers: (Blob & { artifactType: string })[],
): Promise<void> {
  const index = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI.index,
        manifests: referrers.map((r) => ({ ...descriptor(r), artifactType: r.artifactType })),
      }),
    ),
    OCI.index,
  );
  await pushManifestBytes(host, repo, subject.replace(':', '-'), index);
}

/**
 * cosign's signature tag (sha256-<hex>.sig; .att and .sbom alike): an image manifest whose
 * layer is the signed payload (simple signing), with cosign's signature annotation on it.
 */
export async function pushCosignSignature(
  host: string,
  repo: string,
  subject: string,
  suffix: 'sig' | 'att' | 'sbom' = 'sig',
): Promise<Blob> {
  const config = blob(
    Buffer.from(JSON.stringify({ architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: [] } })),
    OCI.config,
  );
  const payload = blob(
    Buffer.from(
      JSON.stringify({
        critical: {
          identity: { 'docker-reference': `${host}/${repo}` },
          image: { 'docker-manifest-digest': subject },
          type: 'cosign container image signature',
        },
        optional: null,
      }),
    ),
    'application/vnd.dev.cosign.simplesigning.v1+json',
  );
  const annotations = { 'dev.cosignproject.cosign/signature': randomBytes(70).toString('base64') };
  await pushBlob(host, repo, config);
  await pushBlob(host, repo, payload);
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI.manifest,
        config: descriptor(config),
        layers: [{ ...descriptor(payload), annotations }],
      }),
    ),
    OCI.manifest,
  );
  await pushManifestBytes(host, repo, `${subject.replace(':', '-')}.${suffix}`, manifest);
  return manifest;
}
