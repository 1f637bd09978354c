// The same images pushed, byte for byte, to a registry on a file system and to one on S3,
// and what the two outputs may differ in (s3-compare*.test.ts): each registry's own name
// and storage, and times, which S3 keeps to the second where a file system keeps
// nanoseconds, and which cannot be the same instant on two registries pushed one after the
// other anyway. Times are taken out of the text (in order) and compared apart, to within
// five seconds (a push to S3 takes longer), so the order and count of times still has to agree.
// S3CMP_DUMP=DIR writes each normalised output to DIR/STEP/COMMAND.fs and .s3, to diff.
import type { ExecutionContext } from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  artifactManifest,
  buildArchy,
  buildRandomImage,
  EMPTY_JSON,
  MEDIA_TYPES,
  pushBlob,
  pushImageManifest,
  pushIndex,
  pushManifestBytes,
  sha256,
  type Blob,
  type BuiltManifest,
} from './images.ts';
import type { StartedRegistry } from './s3-registries.ts';

export interface Seeded {
  app1: BuiltManifest;
  app2: BuiltManifest;
  untagged: BuiltManifest;
  solo: BuiltManifest;
  /** multi:latest, a two-platform index. */
  multi: ReturnType<typeof buildArchy>;
  /** An OCI artifact whose subject is team/app:v1, pushed by digest (the referrers API finds it). */
  signature: Blob;
  /** cosign's tag for team/app:v1 (sha256-HEX.sig). */
  cosignTag: string;
}

const empty: Blob = {
  digest: sha256(EMPTY_JSON),
  size: EMPTY_JSON.length,
  mediaType: 'application/vnd.oci.empty.v1+json',
  bytes: EMPTY_JSON,
};

/**
 * multi:latest (an index of two platforms), team/app v1 and v2, an untagged manifest in
 * team/app, team/copy:v1 (app v1 again: blobs shared by two repositories), solo:1.0 (a
 * Docker-format image), a signature of app v1 by subject and a cosign tag, and
 * team/layers-only (a blob pushed, no manifest). The same bytes go to every host.
 */
export async function seed(hosts: readonly string[]): Promise<Seeded> {
  const app1 = buildRandomImage({ layers: 2, layerSize: 3000 });
  const app2 = buildRandomImage({ layers: 1, layerSize: 5000 });
  const untagged = buildRandomImage({ layers: 1, layerSize: 2000 });
  const solo = buildRandomImage({ layers: 1, layerSize: 1000, format: 'docker' });
  const multi = buildArchy();
  const art = artifactManifest('application/vnd.example.signature', app1);
  const signature: Blob = { digest: art.digest, size: art.size, mediaType: art.mediaType, bytes: art.bytes };
  const cosignBytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.oci.manifest,
      config: { mediaType: empty.mediaType, digest: empty.digest, size: empty.size },
      layers: [
        {
          mediaType: empty.mediaType,
          digest: empty.digest,
          size: empty.size,
          annotations: { 'dev.cosignproject.cosign/signature': 'c2ln' },
        },
      ],
    }),
  );
  const cosign: Blob = { digest: sha256(cosignBytes), size: cosignBytes.length, mediaType: MEDIA_TYPES.oci.manifest, bytes: cosignBytes };
  const cosignTag = `${app1.digest.replace(':', '-')}.sig`;
  const steps: Array<(h: string) => Promise<void>> = [
    (h) => pushIndex(h, 'multi', 'latest', multi),
    (h) => pushImageManifest(h, 'team/app', 'v1', app1),
    (h) => pushImageManifest(h, 'team/app', 'v2', app2),
    (h) => pushImageManifest(h, 'team/app', untagged.digest, untagged),
    (h) => pushImageManifest(h, 'team/copy', 'v1', app1),
    (h) => pushImageManifest(h, 'solo', '1.0', solo),
    (h) => pushBlob(h, 'team/app', empty),
    (h) => pushManifestBytes(h, 'team/app', signature.digest, signature),
    (h) => pushManifestBytes(h, 'team/app', cosignTag, cosign),
    (h) => pushBlob(h, 'team/layers-only', app2.layers[0]!),
  ];
  // Each step on every host at once, so that the times of a step stay close on all of them.
  for (const step of steps) await Promise.all(hosts.map(step));
  return { app1, app2, untagged, solo, multi, signature, cosignTag };
}

/** "pushed 17 seconds ago": a push made during the test, read at another moment on each registry. */
const RECENT = /\b(less than a second|1 second|\d+ seconds|about a minute|less than a minute|1 minute|\d+ minutes) ago\b/gi;
const ISO = /\b(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:?\d\d)?/g;

/** A registry's output with its own names made one (HOST, CONTAINER, STORAGE) and its times taken out, in order. */
export function normalise(text: string, r: StartedRegistry): { text: string; times: number[] } {
  const times: number[] = [];
  const named = text.replaceAll(r.storage, 'STORAGE').replaceAll(r.host, 'HOST').replaceAll(r.container, 'CONTAINER');
  const timeless = named.replace(RECENT, 'RECENTLY').replace(ISO, (_, day: string, time: string, zone: string | undefined) => {
    times.push(Date.parse(`${day}T${time}${zone === undefined || zone === 'Z' ? 'Z' : zone}`));
    return 'TIME';
  });
  return { text: timeless, times };
}

/**
 * Asserts that every output of `onFiles` and `onS3` (name -> text) is the same once
 * normalised, and their times agree to within 5 s (S3 keeps seconds; the two pushes are
 * not the same instant).
 */
export function sameOutputs(
  t: ExecutionContext,
  step: string,
  files: { r: StartedRegistry; outputs: Record<string, string> },
  s3: { r: StartedRegistry; outputs: Record<string, string> },
): void {
  const a = Object.fromEntries(Object.entries(files.outputs).map(([name, text]) => [name, normalise(text, files.r)]));
  const b = Object.fromEntries(Object.entries(s3.outputs).map(([name, text]) => [name, normalise(text, s3.r)]));
  if (process.env.S3CMP_DUMP)
    for (const name of Object.keys(a))
      dump(`${process.env.S3CMP_DUMP}/${step}/${name.replace(/[^\w.-]+/g, '_')}`, a[name]!.text, b[name]?.text ?? '');
  const texts = (o: typeof a) => Object.fromEntries(Object.entries(o).map(([name, n]) => [name, n.text]));
  t.deepEqual(texts(b), texts(a), step);
  for (const [name, { times }] of Object.entries(a)) {
    const other = b[name]!.times;
    t.is(other.length, times.length, `${step}: ${name}: as many times`);
    times.forEach((when, i) => t.true(Math.abs(when - other[i]!) <= 5000, `${step}: ${name}: time ${i}: ${when} against ${other[i]}`));
  }
}

function dump(path: string, files: string, s3: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.fs`, files);
  writeFileSync(`${path}.s3`, s3);
}
