import test from 'ava';
import {
  MANIFEST_ACCEPT,
  MEDIA,
  describeEntry,
  digestOf,
  entryKind,
  imageSize,
  manifestChildren,
  manifestKind,
  manifestSubject,
  parseManifest,
  platformText,
  type Descriptor,
} from '../../src/registry/manifest.ts';
import { ManifestError, describeErrorBody } from '../../src/registry/errors.ts';
import { platformOfConfig } from '../../src/registry/image-config.ts';

const d = (c: string): string => 'sha256:' + c.repeat(64);
const bytes = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

const index = {
  schemaVersion: 2,
  mediaType: MEDIA.ociIndex,
  manifests: [
    { mediaType: MEDIA.ociManifest, digest: d('1'), size: 500, platform: { os: 'linux', architecture: 'amd64' } },
    { mediaType: MEDIA.ociManifest, digest: d('2'), size: 501, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
    {
      mediaType: MEDIA.ociManifest,
      digest: d('3'),
      size: 800,
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: { 'vnd.docker.reference.digest': d('1'), 'vnd.docker.reference.type': 'attestation-manifest' },
    },
    { mediaType: MEDIA.ociManifest, digest: d('4'), size: 300, artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json' },
    { mediaType: MEDIA.ociManifest, digest: d('5'), size: 300, platform: { os: 'unknown', architecture: 'unknown' } },
  ],
};

test('one Accept header lists all four media types', (t) => {
  for (const type of Object.values(MEDIA)) t.true(MANIFEST_ACCEPT.includes(type), type);
});

test('an OCI index: children, platforms with variants, attestations and artifacts shown as such', (t) => {
  const parsed = parseManifest(bytes(index), MEDIA.ociIndex);
  t.is(parsed.kind, 'index');
  const children = manifestChildren(parsed);
  t.deepEqual(
    children.map((c) => c.digest),
    [d('1'), d('2'), d('3'), d('4'), d('5')],
  );
  t.deepEqual(
    children.map((c) => describeEntry(c, children)),
    [
      'linux/amd64',
      'linux/arm/v7',
      'attestation for linux/amd64',
      'artifact application/vnd.dev.cosign.artifact.sig.v1+json',
      'unknown/unknown',
    ],
  );
  t.deepEqual(children.map(entryKind), ['image', 'image', 'attestation', 'artifact', 'image']);
});

test('a Docker manifest list and a Docker manifest', (t) => {
  const list = parseManifest(bytes({ ...index, mediaType: MEDIA.dockerList, manifests: index.manifests.slice(0, 2) }), MEDIA.dockerList);
  t.is(list.kind, 'index');
  t.is(list.mediaType, MEDIA.dockerList);
  const manifest = parseManifest(
    bytes({
      schemaVersion: 2,
      mediaType: MEDIA.dockerManifest,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: d('a'), size: 1000 },
      layers: [
        { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: d('b'), size: 2000 },
        { mediaType: 'x', digest: d('c'), size: 3000 },
      ],
    }),
    MEDIA.dockerManifest,
  );
  if (manifest.kind !== 'image') return t.fail('not an image');
  t.is(imageSize(manifest), 6000);
  t.deepEqual(
    manifestChildren(manifest).map((c) => c.digest),
    [d('a'), d('b'), d('c')],
  );
  t.is(manifestKind(manifest), 'image');
  t.is(manifestSubject(manifest), undefined);
});

test('an OCI artifact with a subject (a referrer) and the empty config', (t) => {
  const parsed = parseManifest(
    bytes({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      artifactType: 'application/spdx+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: d('e'), size: 2 },
      layers: [{ mediaType: 'application/spdx+json', digest: d('f'), size: 10 }],
      subject: { mediaType: MEDIA.ociManifest, digest: d('1'), size: 500 },
    }),
    MEDIA.ociManifest,
  );
  t.is(manifestKind(parsed), 'artifact');
  t.is(manifestSubject(parsed)?.digest, d('1'));
  t.is(parsed.artifactType, 'application/spdx+json');
});

test('the media type comes from the body when the Content-Type says nothing useful', (t) => {
  t.is(parseManifest(bytes(index), 'application/json').kind, 'index');
  t.is(parseManifest(bytes({ schemaVersion: 2, manifests: [] })).kind, 'index');
});

test('malformed manifests are ManifestErrors', (t) => {
  t.throws(() => parseManifest(Buffer.from('<html>'), MEDIA.ociManifest), { instanceOf: ManifestError, message: /not JSON/ });
  t.throws(() => parseManifest(bytes([1]), MEDIA.ociManifest), { instanceOf: ManifestError });
  t.throws(() => parseManifest(bytes({ schemaVersion: 1, fsLayers: [] })), { instanceOf: ManifestError, message: /schema 1/ });
  t.throws(() => parseManifest(bytes({ schemaVersion: 2, layers: [] }), MEDIA.ociManifest), {
    instanceOf: ManifestError,
    message: /unknown shape/,
  });
  t.throws(() => parseManifest(bytes({ ...index, manifests: [{ digest: 'sha256:short', size: 1 }] }), MEDIA.ociIndex), {
    instanceOf: ManifestError,
    message: /manifests\[0\]\.digest: not a digest/,
  });
});

const image = {
  schemaVersion: 2,
  mediaType: MEDIA.ociManifest,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d('c'), size: 100 },
  layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('a'), size: 1000 }],
};
const layer = image.layers[0]!;

/** Manifests a registry (or a proxy) could send that would mislead a reader: each is refused, naming the member. */
const malformed: [string, unknown, string][] = [
  ['an array where the manifest belongs', [image], 'not a JSON object but an array'],
  ['a layer without a digest', { ...image, layers: [{ ...layer, digest: undefined }] }, 'layers[0].digest: missing, expected a string'],
  ['a layer without a size', { ...image, layers: [{ ...layer, size: undefined }] }, 'layers[0].size: missing, expected a size'],
  [
    'a negative size',
    { ...image, layers: [{ ...layer, size: -1 }] },
    'layers[0].size: not a size (a whole number, 0 or more) but a negative number',
  ],
  [
    'a size beyond 2^53',
    { ...image, config: { ...image.config, size: 2 ** 64 } },
    'config.size: not a size (a whole number, 0 or more) but a number too large to be exact',
  ],
  [
    'a fractional size',
    { ...image, layers: [{ ...layer, size: 1.5 }] },
    'layers[0].size: not a size (a whole number, 0 or more) but a fraction',
  ],
  [
    'a size in a string',
    { ...image, layers: [{ ...layer, size: '1000' }] },
    'layers[0].size: not a size (a whole number, 0 or more) but a string',
  ],
  ['layers as an object', { ...image, layers: { 0: layer } }, 'layers: not an array but an object'],
  ['a layer that is a string', { ...image, layers: [d('a')] }, 'layers[0]: not a JSON object but a string'],
  ['a config that is an array', { ...image, config: [image.config] }, 'config: not a JSON object but an array'],
  ['a media type that is a number', { ...image, layers: [{ ...layer, mediaType: 1 }] }, 'layers[0].mediaType: not a string but a number'],
  [
    'annotations that are not strings',
    { ...image, annotations: { 'org.opencontainers.image.created': 2024 } },
    'annotations["org.opencontainers.image.created"]: not a string but a number',
  ],
  ['a subject that is a digest string', { ...image, subject: d('1') }, 'subject: not a JSON object but a string'],
  ['an artifactType that is an object', { ...image, artifactType: {} }, 'artifactType: not a string but an object'],
  [
    'an index entry with a platform array',
    { ...index, manifests: [{ ...index.manifests[0], platform: ['linux', 'amd64'] }] },
    'manifests[0].platform: not a JSON object but an array',
  ],
  [
    'an index entry with a numeric architecture',
    { ...index, manifests: [{ ...index.manifests[0], platform: { os: 'linux', architecture: 64 } }] },
    'manifests[0].platform.architecture: not a string but a number',
  ],
  [
    'an index whose manifests is an object',
    { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: { a: index.manifests[0] } },
    'manifests: not an array but an object',
  ],
];
for (const [what, body, problem] of malformed) {
  test(`a manifest with ${what} is a ManifestError naming it`, (t) => {
    const err = t.throws(() => parseManifest(bytes(body)), { instanceOf: ManifestError });
    t.true(err.message.startsWith(`the registry sent a malformed manifest: ${problem}`), err.message);
  });
}

test('absent and null optional members read alike, as in Go clients; the manifest is otherwise the same', (t) => {
  const plain = parseManifest(bytes(image));
  const nulls = parseManifest(
    bytes({ ...image, annotations: null, subject: null, artifactType: null, layers: [{ ...layer, platform: null, annotations: null }] }),
  );
  t.deepEqual(nulls, plain);
  t.deepEqual(parseManifest(bytes({ ...image, layers: null })), { ...plain, layers: [] });
  // A platform without its architecture is no platform (as before), not an error.
  const partial = parseManifest(bytes({ ...index, manifests: [{ ...index.manifests[0], platform: { os: 'linux' } }] }));
  t.is(partial.kind === 'index' ? partial.manifests[0]!.platform : 'not an index', undefined);
});

test('platform text', (t) => {
  t.is(platformText({ os: 'linux', architecture: 'arm64', variant: 'v8' }), 'linux/arm64/v8');
  t.is(platformText({ os: 'windows', architecture: 'amd64' }), 'windows/amd64');
  t.is(platformText(undefined), 'unknown');
  const noPlatform: Descriptor = { mediaType: MEDIA.ociManifest, digest: d('9'), size: 1 };
  t.is(describeEntry(noPlatform), 'unknown');
});

test('platform from an image config', (t) => {
  t.deepEqual(platformOfConfig(bytes({ os: 'linux', architecture: 'arm', variant: 'v6', config: {} })), {
    os: 'linux',
    architecture: 'arm',
    variant: 'v6',
  });
  t.is(platformOfConfig(bytes({})), undefined);
  t.is(platformOfConfig(Buffer.from('{}{')), undefined);
});

test('digests of raw bytes', (t) => {
  t.is(digestOf(Buffer.from('')), 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  t.regex(digestOf(Buffer.from(''), 'sha512'), /^sha512:[0-9a-f]{128}$/);
});

test('error bodies: registry errors, HTML, text, binary', (t) => {
  t.deepEqual(
    describeErrorBody(
      404,
      'application/json',
      bytes({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { x: 1 } }] }),
    ),
    {
      codes: ['MANIFEST_UNKNOWN'],
      reason: 'MANIFEST_UNKNOWN: manifest unknown',
    },
  );
  t.is(describeErrorBody(502, 'text/html', Buffer.from('<html><body>' + 'x'.repeat(9000))).reason, 'an HTML page, not a registry answer');
  t.is(describeErrorBody(500, 'text/plain', Buffer.from('oops\nsecond line')).reason, 'oops');
  t.is(describeErrorBody(500, undefined, Buffer.alloc(0)).reason, 'internal server error');
  t.is(describeErrorBody(500, undefined, Buffer.from([0, 1, 2, 255])).reason, 'internal server error (binary body)');
  t.true(describeErrorBody(400, 'text/plain', Buffer.from('y'.repeat(1000))).reason.length <= 200);
});
