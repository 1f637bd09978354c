// Reading an OCI image layout archive for load: oci-layout says the version, index.json
// lists the images by name (org.opencontainers.image.ref.name, or containerd's
// io.containerd.image.name when that holds the full name), blobs/sha256/<hex> holds the
// rest. Entries named `REPO:sha256-<hex>` (the referrers' fallback index) and
// `REPO:sha256-<hex>.sig|.att|.sbom` (cosign) are the referrers save records beside their images.
import type { ArchiveContents, ArchiveFile } from './archive-read.ts';
import { ArchiveError } from './archive-read.ts';
import { CONTAINERD_NAME, REF_NAME } from './archive-write.ts';
import { checkTag, completePlan, destinationOf, REFERRER_TAG, type LoadPlan, type LoadUnit } from './load-plan.ts';
import { parseManifest, type Descriptor } from './manifest.ts';
import * as shape from '../json-shape.ts';

/** An archive with index.json and oci-layout is an OCI layout (Docker 25's `docker save` writes both kinds at once). */
export function isOciLayout(contents: ArchiveContents): boolean {
  return contents.top.has('index.json') && contents.top.has('oci-layout');
}

function nameOf(d: Descriptor): string {
  const full = d.annotations?.[CONTAINERD_NAME];
  const ref = d.annotations?.[REF_NAME] ?? '';
  return full !== undefined && (ref === '' || full.endsWith(`:${ref}`)) ? full : ref;
}

export async function planOciLayout(contents: ArchiveContents, tagFlag: string | undefined): Promise<LoadPlan> {
  const fail = (what: string): never => {
    throw new ArchiveError(`${contents.path}: ${what}: nothing was loaded`);
  };
  const layout = shape.readJson(
    contents.top.get('oci-layout')!.toString('utf8'),
    (v) => v,
    () => fail('oci-layout is not JSON'),
  );
  if (!shape.isJsonObject(layout) || layout.imageLayoutVersion !== '1.0.0') fail('oci-layout does not say imageLayoutVersion 1.0.0');
  let index;
  try {
    index = parseManifest(contents.top.get('index.json')!, 'application/vnd.oci.image.index.v1+json');
  } catch (err) {
    return fail(`index.json: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (index.kind !== 'index' || index.manifests.length === 0) fail('index.json lists no images');
  const entries = index.kind === 'index' ? index.manifests : [];
  const images = entries.filter((d) => !REFERRER_TAG.test(nameOf(d).slice(nameOf(d).lastIndexOf(':') + 1)));
  if (tagFlag !== undefined && images.length > 1) {
    fail(`it holds ${images.length} images and --tag names one: load it without --tag (each keeps its name)`);
  }
  const units: LoadUnit[] = entries.map((d) => {
    const name = nameOf(d);
    const { repository, tag } = destinationOf(name, tagFlag, contents.path);
    checkTag(tag);
    const tagPart = tag ?? '';
    const kind = !REFERRER_TAG.test(tagPart) ? 'image' : tagPart.includes('.') ? 'cosign' : 'referrers';
    return { repository, tags: tag === undefined ? [] : [tag], root: d, kind, source: name };
  });
  const blobFiles = new Map<string, ArchiveFile>();
  for (const [name, file] of contents.files) {
    const match = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
    if (match) blobFiles.set(`sha256:${match[1]}`, file);
  }
  return completePlan(contents, units, blobFiles);
}
