// gc on S3 storage shared by two registries (registry:3 and registry:2 on one bucket and
// prefix, moto's server; test/helpers/s3.ts): the records up
// writes; the lock object (a second gc refuses in one line); a recorded registry on another
// engine (refused, --force goes on); a gc killed mid-way (both registries left read-only: a
// push fails on each; up ends one's, the next gc takes the lock over and ends the other's);
// the keys removed: exactly the untagged image's and the old upload's, with a multi-platform
// index, a referrer and a tagged image kept, pulled back with skopeo from both; Ctrl-C (both
// read-write again, the lock released). And prune on S3, inside the same window.
import ava, { type ExecutionContext } from 'ava';
import { e2e } from '../helpers/engine.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import {
  artifactManifest,
  blobsOf,
  EMPTY_JSON,
  pushArchy,
  pushBlob,
  pushManifestBytes,
  pushRandomImage,
  pushUntaggedManifest,
  sha256,
} from '../helpers/images.ts';
import { docker, dockerOk, errorLine, makeDockerConfig, run, type RunResult, jindr as jindrAlone } from '../helpers/run.ts';
import { registryPort } from '../helpers/s3-registries.ts';
import { motoAvailable, startS3Server, type S3Server } from '../helpers/s3.ts';
import { waitFor } from '../helpers/wait.ts';
import { deleteObject, getObject, putObject } from '../../src/aws/s3-objects.ts';

const cleanups = cleanupsAfterAll();
const test = motoAvailable() ? e2e : (e2e.skip as typeof e2e);
const BUCKET = 'jindr-gc';
const PREFIX = 'shared';
const V2 = `${PREFIX}/docker/registry/v2/`;
let s3: S3Server | undefined;
if (motoAvailable()) {
  ava.before(async () => {
    s3 = await startS3Server();
    cleanups.push(() => s3!.stop());
    await s3.createBucket(BUCKET);
  });
}

const location = () => ({ bucket: BUCKET, endpoint: s3!.endpoint, region: 'us-east-1', credentials: s3!.credentials });

function plugin() {
  const cfg = makeDockerConfig();
  cleanups.push(() => cfg.cleanup());
  const env: NodeJS.ProcessEnv = {
    ...cfg.env,
    XDG_CONFIG_HOME: cleanups.tempDir('jindr-s3gc-xdg-'),
    AWS_ACCESS_KEY_ID: s3!.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3!.credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  return { env, jindr: (...args: string[]) => jindrAlone(args, { env }) };
}

function ok(t: ExecutionContext, r: RunResult, what: string): string {
  t.is(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout + r.stderr;
}

const keys = async (): Promise<Set<string>> =>
  new Set((await s3!.listKeys(BUCKET, `${PREFIX}/`)).filter((k) => !k.includes('/docker-jindr/')));
const blobKey = (digest: string): string => `${V2}blobs/sha256/${digest.slice(7, 9)}/${digest.slice(7)}/data`;
const readOnly = async (port: number): Promise<boolean> =>
  (await docker(['inspect', '--format', '{{json .Config.Env}}', `jindr-${port}`])).stdout.includes('REGISTRY_STORAGE_MAINTENANCE=');
/** A blob upload starts (202) on a read-write registry; a read-only one refuses it (405). */
const startUpload = async (host: string, repo: string): Promise<Response> =>
  fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });

test('gc on a bucket two registries share: lock, read-only window, other engines, a killed gc, exactly the plan removed', async (t) => {
  const a = await registryPort(cleanups);
  const b = await registryPort(cleanups);
  const p = plugin();
  const storage = `s3://${BUCKET}/${PREFIX}`;
  ok(t, await p.jindr('-r', a.host, 'up', '--storage', storage, '--s3-endpoint', s3!.endpoint), 'up A');
  ok(t, await p.jindr('-r', b.host, 'up', '--storage', storage, '--s3-endpoint', s3!.endpoint, '--image', 'registry:2'), 'up B');
  const records = await s3!.listKeys(BUCKET, `${PREFIX}/docker-jindr/registries/`);
  t.is(records.length, 2, records.join(' '));
  const record = (await getObject(location(), records[0]!))!.toString();
  t.false(record.includes(s3!.credentials.secretAccessKey), 'no key in a record');

  // What stays: a two-platform index, a tagged image and its referrer (by digest only); what goes: an untagged image and an old upload.
  const archy = await pushArchy(a.host, { repo: 'multi' });
  const kept = await pushRandomImage(b.host, 'app', 'keep');
  await pushBlob(a.host, 'app', { digest: sha256(EMPTY_JSON), size: EMPTY_JSON.length, mediaType: 'application/json', bytes: EMPTY_JSON });
  const sig = artifactManifest('application/vnd.dev.cosign.artifact.sig.v1+json', kept);
  await pushManifestBytes(a.host, 'app', sig.digest, { ...sig, bytes: sig.bytes });
  const untagged = await pushUntaggedManifest(a.host, 'app');
  const upload = await startUpload(b.host, 'app');
  t.is(upload.status, 202);
  const uploadId = /\/blobs\/uploads\/([0-9a-f-]+)/.exec(upload.headers.get('location') ?? '')![1]!;

  // Within the grace period nothing goes.
  const before = await keys();
  ok(t, await p.jindr('-r', a.host, 'gc', '--grace', '1h'), 'gc --grace 1h');
  t.deepEqual(await keys(), before);

  // A lock held from another machine: refused in one line, naming its holder and the way out.
  const lockKey = `${PREFIX}/docker-jindr/gc.lock`;
  const holder = { host: 'build-7', pid: 4242, container: 'jindr-5000', since: new Date().toISOString() };
  await putObject(location(), lockKey, Buffer.from(JSON.stringify(holder)));
  t.regex(
    errorLine(t, await p.jindr('-r', a.host, 'gc', '--grace', '0'), 1, 'gc with the lock held'),
    /^docker-jindr: another gc is at work on s3:\/\/jindr-gc\/shared \(lock s3:\/\/jindr-gc\/shared\/docker-jindr\/gc.lock: pid 4242 on build-7, for jindr-5000, since .*\); if that gc was killed, delete s3:\/\/jindr-gc\/shared\/docker-jindr\/gc.lock and run gc again$/,
  );
  await deleteObject(location(), lockKey);

  // A registry recorded on another engine: refused, nothing changed; --force goes on past it (below).
  const elsewhere = {
    container: 'jindr-6000',
    registry: 'localhost:6000',
    engine: 'OTHER-ENGINE',
    endpoint: 'ssh://ci-2',
    since: holder.since,
  };
  await putObject(location(), `${PREFIX}/docker-jindr/registries/other.json`, Buffer.from(JSON.stringify(elsewhere)));
  t.regex(
    errorLine(t, await p.jindr('-r', a.host, 'gc', '--grace', '0'), 1, 'gc with a registry elsewhere'),
    /^docker-jindr: cannot make jindr-6000 \(localhost:6000 on ssh:\/\/ci-2\) read-only: it runs on another engine; stop it there, or give --force to go on while it may write to s3:\/\/\S+; if it is gone, delete its record s3:\/\/\S+\/docker-jindr\/registries\/other\.json$/,
  );
  t.deepEqual(await keys(), before);
  t.false(await readOnly(a.port));
  t.false(await readOnly(b.port));

  // A gc killed once both registries are read-only: they stay read-only (a push fails on each) until the next gc.
  const killed = p.jindr('-r', a.host, 'gc', '--grace', '0', '--force');
  await waitFor(
    'both registries read-only and serving',
    async () =>
      (await readOnly(a.port)) &&
      (await readOnly(b.port)) &&
      (await startUpload(b.host, 'x').then(
        (r) => r.status === 405,
        () => false,
      )),
    120_000,
  );
  const lock = JSON.parse((await getObject(location(), lockKey))!.toString()) as { pid: number };
  process.kill(lock.pid, 'SIGKILL');
  t.not((await killed).code, 0);
  for (const host of [a.host, b.host]) t.is((await startUpload(host, 'app')).status, 405, `${host} refuses a push while read-only`);
  // up ends B's read-only state (the lock's holder is gone); A stays read-only until the next gc.
  const upB = ok(t, await p.jindr('-r', b.host, 'up'), 'up B after the killed gc');
  t.regex(upB, new RegExp(`jindr-${b.port} was left read-only by a gc that did not finish: it is read-write again`));
  t.false(await readOnly(b.port));
  t.true(await readOnly(a.port));
  t.truthy(await getObject(location(), lockKey), "up leaves the killed gc's lock to the next gc");

  // The next gc takes the lock over, says what it found, and collects.
  const after = ok(t, await p.jindr('-r', a.host, 'gc', '--grace', '0', '--force'), 'gc after the killed one');
  t.regex(after, /a gc that did not finish left its lock/);
  t.regex(after, /jindr-\d+ was left read-only by a gc that did not finish/);
  t.false(await readOnly(a.port));
  t.false(await readOnly(b.port));
  t.is(await getObject(location(), lockKey), undefined, 'the lock is released');

  const keysAfter = await keys();
  const expected = [
    `${V2}repositories/app/_manifests/revisions/sha256/${untagged.digest.slice(7)}/link`,
    blobKey(untagged.digest),
    ...blobsOf(untagged).flatMap((x) => [blobKey(x.digest), `${V2}repositories/app/_layers/sha256/${x.digest.slice(7)}/link`]),
    ...[...before].filter((k) => k.startsWith(`${V2}repositories/app/_uploads/${uploadId}/`)),
  ].sort();
  t.deepEqual([...before].filter((k) => !keysAfter.has(k)).sort(), expected);
  t.deepEqual(
    [...keysAfter].filter((k) => !before.has(k)),
    [],
    'nothing new but what was kept',
  );

  // Both serve again: pushes work, and skopeo pulls what was kept from either.
  for (const host of [a.host, b.host]) t.is((await startUpload(host, 'app')).status, 202, `${host} takes pushes again`);
  for (const ref of [`${b.host}/multi:latest`, `${a.host}/app:keep`, `${b.host}/app@${sig.digest}`]) {
    const r = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);
    t.is(r.code, 0, `${ref}: ${r.stderr}`);
  }
  const index = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${a.host}/multi:latest`]);
  t.is(sha256(index.stdout), archy.digest);

  // Ctrl-C while both are read-only: the gc stops, and still makes both read-write and releases the lock.
  await pushUntaggedManifest(b.host, 'app');
  const interrupted = p.jindr('-r', a.host, 'gc', '--grace', '0', '--force');
  await waitFor('the lock and both registries read-only', async () => (await readOnly(a.port)) && (await readOnly(b.port)), 120_000);
  const { pid } = JSON.parse((await getObject(location(), lockKey))!.toString()) as { pid: number };
  process.kill(pid, 'SIGINT');
  const stopped = await interrupted;
  t.is(stopped.code, 130, stopped.stderr);
  t.regex(stopped.stderr, /making jindr-\d+ read-write again/);
  t.false(await readOnly(a.port));
  t.false(await readOnly(b.port));
  t.is(await getObject(location(), lockKey), undefined, 'the lock is released after Ctrl-C');
  await dockerOk(['inspect', `jindr-${a.port}`]);
});

/** prune --format json prints its report: the tags it removes (or would). */
const tagsIn = (r: RunResult): string[] => ((JSON.parse(r.stdout) as { tags: { tag: string }[] }).tags ?? []).map((x) => x.tag).sort();

test('prune on S3 storage: the tags the rules let go, inside the same lock and read-only window, then their objects', async (t) => {
  const a = await registryPort(cleanups);
  const p = plugin();
  const prefix = 'pruned';
  const v2 = `${prefix}/docker/registry/v2/`;
  ok(t, await p.jindr('-r', a.host, 'up', '--storage', `s3://${BUCKET}/${prefix}`, '--s3-endpoint', s3!.endpoint), 'up');
  const images = [];
  for (const tag of ['1', '2', '3']) images.push(await pushRandomImage(a.host, 'app', tag));
  const all = async () => new Set((await s3!.listKeys(BUCKET, `${prefix}/`)).filter((k) => !k.includes('/docker-jindr/')));
  const before = await all();

  const dry = await p.jindr('-r', a.host, 'prune', '--keep', '1', '--grace', '0', '--dry-run', '--format', 'json');
  t.is(dry.code, 0, dry.stderr);
  t.deepEqual(tagsIn(dry), ['1', '2']);
  t.deepEqual(await all(), before, 'a dry run removes nothing');
  const real = await p.jindr('-r', a.host, 'prune', '--keep', '1', '--grace', '0', '-f', '--format', 'json');
  t.is(real.code, 0, real.stderr);
  t.deepEqual(tagsIn(real), ['1', '2']);
  t.regex(real.stderr, /making jindr-\d+ read-only while objects are removed/);

  const after = await all();
  const expected = images
    .slice(0, 2)
    .flatMap((m) => [
      ...[...before].filter((k) => k.startsWith(`${v2}repositories/app/_manifests/tags/${m.reference.split(':').at(-1)}/`)),
      `${v2}repositories/app/_manifests/revisions/sha256/${m.digest.slice(7)}/link`,
      `${v2}blobs/sha256/${m.digest.slice(7, 9)}/${m.digest.slice(7)}/data`,
      ...blobsOf(m).flatMap((x) => [
        `${v2}blobs/sha256/${x.digest.slice(7, 9)}/${x.digest.slice(7)}/data`,
        `${v2}repositories/app/_layers/sha256/${x.digest.slice(7)}/link`,
      ]),
    ]);
  t.deepEqual([...before].filter((k) => !after.has(k)).sort(), expected.sort());
  const tags = (await (await fetch(`http://${a.host}/v2/app/tags/list`)).json()) as { tags: string[] };
  t.deepEqual(tags.tags, ['3']);
  const pulled = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${a.host}/app:3`]);
  t.is(sha256(pulled.stdout), images[2]!.digest);
  t.false(await readOnly(a.port));
});
