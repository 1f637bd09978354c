// index create/add/rm's pure part: entries, family, one image per platform, attestations
// kept with their image, the index serialised once with its own media type.
import test from 'ava';
import { createHash } from 'node:crypto';
import {
  assembleIndex,
  entryPlatform,
  normalisePlatform,
  withoutPlatforms,
  type IndexEntry,
  type IndexSource,
} from '../../src/registry/index-assemble.ts';
import { MEDIA } from '../../src/registry/manifest.ts';
import { RefusedError } from '../../src/errors.ts';

const d = (n: number): string => 'sha256:' + String(n).repeat(64).slice(0, 64);
const image = (name: string, n: number, architecture: string, mediaType: string = MEDIA.ociManifest, variant?: string): IndexSource => ({
  name,
  kind: 'image',
  mediaType,
  digest: d(n),
  size: 400 + n,
  platform: { os: 'linux', architecture, ...(variant ? { variant } : {}) },
});

test('two OCI images: an OCI index listing each with its digest, size, media type and platform', (t) => {
  const index = assembleIndex([image('app:amd', 1, 'amd64'), image('app:arm', 2, 'arm64')]);
  t.is(index.mediaType, MEDIA.ociIndex);
  const doc = JSON.parse(index.bytes.toString('utf8'));
  t.deepEqual(doc, {
    schemaVersion: 2,
    mediaType: MEDIA.ociIndex,
    manifests: [
      { mediaType: MEDIA.ociManifest, digest: d(1), size: 401, platform: { architecture: 'amd64', os: 'linux' } },
      { mediaType: MEDIA.ociManifest, digest: d(2), size: 402, platform: { architecture: 'arm64', os: 'linux' } },
    ],
  });
  t.is(index.digest, 'sha256:' + createHash('sha256').update(index.bytes).digest('hex'), 'the digest is of the bytes that are pushed');
  t.deepEqual(
    index.entries.map((e) => e.source),
    ['app:amd', 'app:arm'],
  );
});

test('Docker schema 2 images make a Docker manifest list', (t) => {
  const index = assembleIndex([image('a', 1, 'amd64', MEDIA.dockerManifest), image('b', 2, 'arm', MEDIA.dockerManifest, 'v7')]);
  t.is(index.mediaType, MEDIA.dockerList);
  t.is(JSON.parse(index.bytes.toString('utf8')).manifests[1].platform.variant, 'v7');
});

test('a mix of OCI and Docker is refused in one line naming which is which', (t) => {
  const err = t.throws(
    () => assembleIndex([image('a:1', 1, 'amd64'), image('b:1', 2, 'arm64', MEDIA.dockerManifest), image('c:1', 3, 'ppc64le')]),
    { instanceOf: RefusedError },
  );
  t.is(err.message.split('\n').length, 1);
  t.regex(err.message, /^cannot mix OCI and Docker manifests in one index: a:1, c:1 are OCI; b:1 is Docker v2s2/);
});

test('two images of one platform are refused, arm64 and arm64/v8 being the same; other variants are not', (t) => {
  t.throws(() => assembleIndex([image('a', 1, 'amd64'), image('b', 2, 'amd64')]), {
    instanceOf: RefusedError,
    message: /^two images for linux\/amd64: a and b$/,
  });
  t.throws(() => assembleIndex([image('a', 1, 'arm64'), image('b', 2, 'arm64', MEDIA.ociManifest, 'v8')]), {
    message: /two images for linux\/arm64/,
  });
  t.notThrows(() => assembleIndex([image('a', 1, 'arm', MEDIA.ociManifest, 'v6'), image('b', 2, 'arm', MEDIA.ociManifest, 'v7')]));
});

const attestation = (n: number, subject: string) => ({
  mediaType: MEDIA.ociManifest,
  digest: d(n),
  size: 800,
  annotations: { 'vnd.docker.reference.digest': subject, 'vnd.docker.reference.type': 'attestation-manifest' },
  platform: { architecture: 'unknown', os: 'unknown' },
});

test('an index source brings its entries as written, attestations included', (t) => {
  const source: IndexSource = {
    name: 'built:1',
    kind: 'index',
    mediaType: MEDIA.ociIndex,
    digest: d(9),
    entries: [
      { mediaType: MEDIA.ociManifest, digest: d(1), size: 5, platform: { architecture: 'amd64', os: 'linux' }, annotations: { x: 'y' } },
      attestation(3, d(1)),
    ],
  };
  const index = assembleIndex([source, image('arm:1', 2, 'arm64')]);
  const doc = JSON.parse(index.bytes.toString('utf8'));
  t.deepEqual(
    doc.manifests.map((m: { digest: string }) => m.digest),
    [d(1), d(3), d(2)],
  );
  t.deepEqual(doc.manifests[0].annotations, { x: 'y' });
});

test('index add: the edited index keeps its other fields and refuses a platform it has, naming it', (t) => {
  const base = {
    schemaVersion: 2,
    mediaType: MEDIA.ociIndex,
    manifests: [],
    annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' },
  };
  const existing: IndexEntry[] = [
    {
      descriptor: { mediaType: MEDIA.ociManifest, digest: d(1), size: 5, platform: { architecture: 'amd64', os: 'linux' } },
      source: 'h/app:1',
      existing: true,
    },
  ];
  const index = assembleIndex([image('arm', 2, 'arm64')], existing, base);
  const doc = JSON.parse(index.bytes.toString('utf8'));
  t.deepEqual(doc.annotations, base.annotations);
  t.deepEqual(Object.keys(doc), ['schemaVersion', 'mediaType', 'manifests', 'annotations']);
  t.is(doc.manifests.length, 2);
  t.throws(() => assembleIndex([image('amd', 3, 'amd64')], existing, base), {
    message:
      'two images for linux/amd64: h/app:1 already has one and amd (remove it first with: docker jindr index rm h/app:1 linux/amd64)',
  });
  t.throws(() => assembleIndex([image('x', 3, 'riscv64', MEDIA.dockerManifest)], existing, base), {
    message: /the index itself is OCI; x is Docker v2s2/,
  });
});

test('index rm: the platform and its attestation go; an unknown platform or an emptied index is refused', (t) => {
  const entries: IndexEntry[] = [
    {
      descriptor: { mediaType: MEDIA.ociManifest, digest: d(1), size: 5, platform: { architecture: 'amd64', os: 'linux' } },
      source: 'i',
      existing: true,
    },
    { descriptor: attestation(3, d(1)), source: 'i', existing: true },
    {
      descriptor: { mediaType: MEDIA.ociManifest, digest: d(2), size: 5, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
      source: 'i',
      existing: true,
    },
  ];
  const left = withoutPlatforms(entries, ['linux/amd64'], 'h/i:1');
  const index = assembleIndex([], left, { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [] });
  t.deepEqual(
    JSON.parse(index.bytes.toString('utf8')).manifests.map((m: { digest: string }) => m.digest),
    [d(2)],
    'the attestation of amd64 went with it',
  );
  t.throws(() => withoutPlatforms(entries, ['linux/s390x'], 'h/i:1'), {
    message: 'h/i:1 has no linux/s390x (it has linux/amd64, linux/arm64)',
  });
  t.throws(() => withoutPlatforms(entries, ['linux/amd64', 'linux/arm64/v8'], 'h/i:1'), { message: /would leave h\/i:1 with no platform/ });
});

test('platform text: arm64/v8 is arm64; os.version is kept apart', (t) => {
  t.is(normalisePlatform('linux/arm64/v8'), 'linux/arm64');
  t.is(normalisePlatform('linux/arm/v7'), 'linux/arm/v7');
  t.is(entryPlatform({ platform: { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.1' } }), 'windows/amd64:10.0.20348.1');
  t.is(entryPlatform({}), undefined);
});
