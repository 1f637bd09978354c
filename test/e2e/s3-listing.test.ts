// The commands that read a registry's storage, on S3 storage (moto's server, a real S3
// implementation; test/helpers/s3.ts): the same images pushed to a registry on a file system
// and to one on a bucket give the same du, lsi (push dates included), prune --dry-run and
// gc --dry-run, as JSON, through the real docker CLI; only host names differ, and push times
// by less than a minute. The bucket's listing comes page after page (continuation tokens).
// A real gc or prune on the bucket still refuses, and removes nothing.
import { type ExecutionContext } from 'ava';
import { e2e } from '../helpers/engine.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { buildArchy, buildRandomImage, pushImageManifest, pushIndex, type BuiltManifest } from '../helpers/images.ts';
import type { RunResult } from '../helpers/run.ts';
import { upRegistry, type StartedRegistry } from '../helpers/s3-registries.ts';
import { motoAvailable, startS3Server } from '../helpers/s3.ts';
import { listObjects } from '../../src/aws/s3-objects.ts';

const cleanups = cleanupsAfterAll();
const test = motoAvailable() ? e2e : (e2e.skip as typeof e2e);
const BUCKET = 'jindr-listing';
const PREFIX = 'shared/team';

function json(t: ExecutionContext, r: RunResult, what: string): unknown[] {
  t.is(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}

/** The output with the registry's host and container names made one, and push times taken out (compared apart). */
function same(value: unknown, host: string): unknown {
  const text = JSON.stringify(value, (k, v: unknown) => (k === 'pushed' ? undefined : v));
  return JSON.parse(text.replaceAll(host, 'HOST').replaceAll(`jindr-${host.split(':')[1]}`, 'CONTAINER')) as unknown;
}

/** Waits until this machine's clock (moto's too: it runs here) is in the next second: S3 keeps times to the second. */
async function nextSecond(): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  while (Math.floor(Date.now() / 1000) === now) await new Promise((r) => setTimeout(r, 20));
}

test('du, lsi with push dates, prune --dry-run and gc --dry-run say the same of a bucket as of a file system', async (t) => {
  const s3 = await startS3Server();
  cleanups.push(() => s3.stop());
  await s3.createBucket(BUCKET);
  const [fs, bucket] = await Promise.all([
    upRegistry(cleanups, s3, { filesystem: true }),
    upRegistry(cleanups, s3, { bucket: BUCKET, prefix: PREFIX }),
  ]);
  const both = (push: (host: string) => Promise<void>) => Promise.all([push(fs.host), push(bucket.host)]);

  // Three tags of app (each pushed in its own second, for prune's order), an image shared by
  // two repositories, a two-platform index, and an untagged manifest for gc.
  const images: BuiltManifest[] = [1, 2, 3].map(() => buildRandomImage({ layers: 2, layerSize: 3000 }));
  for (const [i, m] of images.entries()) {
    await both((h) => pushImageManifest(h, 'team/app', `v${i + 1}`, m));
    await nextSecond();
  }
  await both((h) => pushImageManifest(h, 'team/copy', 'v1', images[0]!));
  await both((h) => pushIndex(h, 'multi', 'latest', buildArchy()));
  const untagged = buildRandomImage({ layers: 1, layerSize: 2000 });
  await both((h) => pushImageManifest(h, 'team/app', untagged.digest, untagged));

  const outputs = async (r: StartedRegistry) => ({
    du: json(t, await r.jindr('du', '--grace', '0', '--format', 'json'), 'du'),
    lsi: json(t, await r.jindr('lsi', '--sort', 'pushed', '--format', 'json'), 'lsi'),
    prune: json(t, await r.jindr('prune', '--keep', '1', '--grace', '0', '--dry-run', '--format', 'json'), 'prune --dry-run'),
    gc: json(t, await r.jindr('gc', '--grace', '0', '--dry-run', '--format', 'json'), 'gc --dry-run'),
  });
  const [onFiles, onBucket] = [await outputs(fs), await outputs(bucket)];
  t.deepEqual(same(onBucket, bucket.host), same(onFiles, fs.host));
  // Not two empty answers: what each must hold.
  const text = JSON.stringify(onBucket);
  for (const m of [...images, untagged]) t.true(text.includes(m.digest), `${m.digest} in the outputs`);
  t.regex(JSON.stringify(onBucket.prune), /"v1"/);
  // Push times: each tag has one on both, within the same minute.
  const pushed = (rows: unknown[]) =>
    new Map((rows as { repository: string; tag: string; pushed?: string }[]).map((r) => [`${r.repository}:${r.tag}`, r.pushed]));
  const [files, objects] = [pushed(onFiles.lsi), pushed(onBucket.lsi)];
  t.is(objects.size, 5);
  for (const [tag, when] of files) {
    t.truthy(objects.get(tag), `${tag} has a push time on S3`);
    t.true(Math.abs(Date.parse(objects.get(tag)!) - Date.parse(when!)) < 60_000, `${tag}: ${objects.get(tag)} and ${when}`);
  }

  // The listing comes page after page: two keys a page gives what one page gives.
  const location = { bucket: BUCKET, endpoint: s3.endpoint, region: 'us-east-1', credentials: s3.credentials };
  const whole = await listObjects(location, `${PREFIX}/docker/registry/v2/`);
  const paged = await listObjects(location, `${PREFIX}/docker/registry/v2/`, { pageSize: 2 });
  t.true(whole.objects.length > 20);
  t.deepEqual(paged.objects, whole.objects);
});
