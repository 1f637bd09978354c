// `docker jindr du` through the real docker CLI on a registry docker-jindr runs (both
// images): unique, shared and reclaimable bytes per repository from the fixtures' own
// sizes, and the total checked against the bytes of the blob files in the container.
// Then the same registry read through the API, as for a registry this engine does not run.
import { e2e, registryImages } from '../helpers/engine.ts';
import { pushArchy, pushRandomImage, pushUntaggedManifest, type BuiltIndex, type BuiltManifest } from '../helpers/images.ts';
import { jindrJson, startJindrRegistry, storedBlobBytes } from '../helpers/jindr-registry.ts';
import { jindr } from '../helpers/run.ts';

interface UsageJson {
  source: string;
  repositories: { repository: string; size: number; unique: number; shared: number; reclaimable?: number }[];
  total: { size: number; unique: number; shared: number; unreferenced: number; reclaimable?: number };
}

const imageBytes = (m: BuiltManifest): number => m.size + m.config.size + m.layers.reduce((s, l) => s + l.size, 0);
const indexBytes = (i: BuiltIndex): number => {
  const blobs = new Map<string, number>([[i.digest, i.size]]);
  for (const m of i.manifests) for (const b of [m, m.config, ...m.layers]) blobs.set(b.digest, b.size);
  return [...blobs.values()].reduce((a, b) => a + b, 0);
};

for (const image of registryImages) {
  e2e(`${image}: du per repository and in total, a shared layer once, checked against the storage's bytes`, async (t) => {
    const reg = await startJindrRegistry(t, image);
    const { host } = reg;
    const archy = await pushArchy(host, { repo: 'a' });
    await pushArchy(host, { repo: 'b' });
    const own = await pushRandomImage(host, 'a', 'own', { layers: 2, layerSize: 5000 });
    const leftover = await pushUntaggedManifest(host, 'b', { layerSize: 3000 });

    // Within the default grace period (1h) what was just pushed is not reclaimable: gc would keep it.
    const graced = await jindrJson<UsageJson>(reg, 'du');
    t.is(graced.total.reclaimable, 0, 'the untagged leftover was written within the grace period');
    const usage = await jindrJson<UsageJson>(reg, 'du', '--grace', '0');
    t.is(usage.source, 'storage');
    const shared = indexBytes(archy);
    t.deepEqual(usage.repositories, [
      { repository: 'a', size: shared + imageBytes(own), unique: imageBytes(own), shared, reclaimable: 0 },
      { repository: 'b', size: shared + imageBytes(leftover), unique: imageBytes(leftover), shared, reclaimable: imageBytes(leftover) },
    ]);
    t.is(usage.total.shared, shared, 'archy counted once though both repositories hold it');
    t.is(usage.total.size, await storedBlobBytes(reg), "the total is the storage's own blob bytes");
    t.is(usage.total.reclaimable, imageBytes(leftover));

    const table = (await reg.jindr('du', 'b')).stdout.trim().split('\n');
    t.regex(table[0]!, /^REPOSITORY\s+SIZE\s+UNIQUE\s+SHARED\s+RECLAIMABLE$/);
    t.regex(table[1]!, /^b\s+\d/);
    t.regex(table[2]!, /^TOTAL\s+\d/);
    t.is(table.length, 3);

    // Through the API (the engine out of reach): tagged images only, nothing known about gc.
    const viaApi = await jindr(['-r', host, 'du', '--format', 'json'], { env: { ...reg.env, DOCKER_HOST: 'unix:///nonexistent.sock' } });
    t.is(viaApi.code, 0, viaApi.stderr);
    t.regex(viaApi.stderr, /sizes from the manifests of localhost:\d+'s tags .*untagged manifests and unreferenced blobs are not seen/);
    const api = JSON.parse(viaApi.stdout) as UsageJson;
    t.is(api.source, 'manifests');
    t.deepEqual(api.repositories, [
      { repository: 'a', size: shared + imageBytes(own), unique: imageBytes(own), shared },
      { repository: 'b', size: shared, unique: 0, shared },
    ]);
    t.deepEqual(api.total, { size: shared + imageBytes(own), unique: imageBytes(own), shared, unreferenced: 0 });
  });
}
