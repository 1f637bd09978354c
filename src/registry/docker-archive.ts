// Reading the archive `docker save` writes, for load: manifest.json lists each image's
// config and layer files (in <id>/layer.tar directories before Docker 25, in
// blobs/sha256/ since) and its RepoTags. The registry gets an OCI manifest made for it:
// the config as it is (its digest is the image ID docker shows), each layer as it is in
// the archive (uncompressed tar, or gzip when it is one), so nothing is recompressed and
// the image ID stays the same.
import type { ArchiveContents, ArchiveFile } from './archive-read.ts';
import { ArchiveError } from './archive-read.ts';
import { checkTag, completePlan, destinationOf, type LoadPlan, type LoadUnit } from './load-plan.ts';
import { digestOf, MEDIA, parseManifest, type Descriptor, type Manifest } from './manifest.ts';
import * as shape from '../json-shape.ts';

export function isDockerArchive(contents: ArchiveContents): boolean {
  return contents.top.has('manifest.json');
}

interface Row {
  config: string;
  tags: string[];
  layers: string[];
}

function rows(contents: ArchiveContents, fail: (what: string) => never): Row[] {
  const json = shape.readJson(
    contents.top.get('manifest.json')!.toString('utf8'),
    (v) => v,
    () => fail('manifest.json is not JSON'),
  );
  if (!shape.isArray(json, shape.isJsonObject) || json.length === 0) fail('manifest.json lists no images');
  return json.map((row) => {
    const { Config, RepoTags, Layers } = row;
    if (!shape.isNonEmptyString(Config) || !shape.isArray(Layers, shape.isString)) fail('manifest.json has a row without Config or Layers');
    const tags = RepoTags === null || RepoTags === undefined ? [] : RepoTags;
    if (!shape.isArray(tags, shape.isString)) fail('manifest.json has RepoTags that are not names');
    return { config: Config, tags: tags, layers: Layers };
  });
}

export async function planDockerArchive(contents: ArchiveContents, tagFlag: string | undefined): Promise<LoadPlan> {
  const fail = (what: string): never => {
    throw new ArchiveError(`${contents.path}: ${what}: nothing was loaded`);
  };
  const list = rows(contents, fail);
  if (tagFlag !== undefined && list.length > 1) fail(`it holds ${list.length} images and --tag names one: load it without --tag`);
  const blobFiles = new Map<string, ArchiveFile>();
  const manifests = new Map<string, Manifest>();
  const units: LoadUnit[] = [];
  const file = (path: string, what: string): ArchiveFile => {
    const found = contents.files.get(path.replace(/^\.\//, ''));
    if (!found) fail(`${what} ${JSON.stringify(path)} named in manifest.json is missing from the archive`);
    blobFiles.set(found!.digest, found!);
    return found!;
  };
  for (const row of list) {
    const config = file(row.config, 'the config');
    const layers: Descriptor[] = row.layers.map((path) => {
      const layer = file(path, 'the layer');
      const gzip = layer.head[0] === 0x1f && layer.head[1] === 0x8b;
      return { mediaType: `application/vnd.oci.image.layer.v1.tar${gzip ? '+gzip' : ''}`, digest: layer.digest, size: layer.size };
    });
    const body = {
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
      layers,
    };
    const bytes = Buffer.from(JSON.stringify(body));
    const manifest: Manifest = {
      digest: digestOf(bytes),
      mediaType: MEDIA.ociManifest,
      bytes,
      parsed: parseManifest(bytes, MEDIA.ociManifest),
    };
    manifests.set(manifest.digest, manifest);
    const root: Descriptor = { mediaType: MEDIA.ociManifest, digest: manifest.digest, size: bytes.length };
    const names = tagFlag !== undefined ? [''] : row.tags.length > 0 ? row.tags : [''];
    // One unit per repository; its tags together.
    const byRepository = new Map<string, string[]>();
    for (const name of names) {
      const { repository, tag } = destinationOf(name, tagFlag, contents.path);
      checkTag(tag);
      byRepository.set(repository, [...(byRepository.get(repository) ?? []), tag ?? 'latest']);
    }
    for (const [repository, tags] of byRepository)
      units.push({ repository, tags, root, kind: 'image', source: row.tags.join(', ') || row.config });
  }
  return completePlan(contents, units, blobFiles, manifests);
}
