// `up --storage s3://BUCKET/PREFIX` against a real S3 implementation (moto's server, with
// authentication on; test/helpers/s3.ts): refusals before any
// container, images over 10 MiB in several layers pushed and pulled back (multipart writes,
// a resumable chunked upload, listings and moves in the bucket), the secret nowhere but in
// its 0600 file, two registries on one bucket serving the same images at once, the
// commands that work through the API, rmr removing the repository's objects, and stop collecting first.
import ava, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2e, freePort } from '../helpers/engine.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { pushArchy, pushRandomImage, sha256 } from '../helpers/images.ts';
import { docker, dockerOk, errorLine, jsonLines, makeDockerConfig, type RunResult, jindr as jindrAlone } from '../helpers/run.ts';
import { registryPort } from '../helpers/s3-registries.ts';
import { motoAvailable, startS3Server, type S3Server } from '../helpers/s3.ts';

const cleanups = cleanupsAfterAll();
const test = motoAvailable() ? e2e : (e2e.skip as typeof e2e);
const BUCKET = 'jindr-images';
let s3: S3Server | undefined;
/** Moto with authentication on, for the refusal of wrong credentials (test/helpers/s3.ts says why the registries use the other). */
let s3auth: S3Server | undefined;
if (motoAvailable()) {
  ava.before(async () => {
    [s3, s3auth] = await Promise.all([startS3Server(), startS3Server({ auth: true })]);
    cleanups.push(() => s3!.stop());
    cleanups.push(() => s3auth!.stop());
    await Promise.all([s3.createBucket(BUCKET), s3auth.createBucket(BUCKET)]);
  });
}

interface Plugin {
  env: NodeJS.ProcessEnv;
  jindr(...args: string[]): Promise<RunResult>;
}

/** The plugin with its own DOCKER_CONFIG and secrets directory, and the moto user's key in AWS_*. */
function plugin(credentials = s3!.credentials): Plugin {
  const cfg = makeDockerConfig();
  cleanups.push(() => cfg.cleanup());
  const env: NodeJS.ProcessEnv = {
    ...cfg.env,
    XDG_CONFIG_HOME: cleanups.tempDir('jindr-s3-xdg-'),
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  return { env, jindr: (...args) => jindrAlone(args, { env }) };
}

async function containersFor(host: string, port: number): Promise<string[]> {
  const byLabel = (await dockerOk(['ps', '-aq', '--filter', `label=jindr.registry=${host}`])).split('\n').filter(Boolean);
  const byName = (await dockerOk(['ps', '-aq', '--filter', `name=^jindr-${port}$`])).split('\n').filter(Boolean);
  return [...new Set([...byLabel, ...byName])];
}

function ok(t: ExecutionContext, r: RunResult, what: string): string {
  t.is(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout;
}

test('a missing bucket, refused credentials and an unreachable endpoint: one line each, no container', async (t) => {
  const { port, host } = await registryPort(cleanups);
  const p = plugin();
  const missing = await p.jindr('-r', host, 'up', '--storage', 's3://no-such-bucket/x', '--s3-endpoint', s3!.endpoint);
  t.regex(errorLine(t, missing), /the bucket no-such-bucket does not exist at http:\/\/.*: create it first/);

  const wrong = plugin({ ...s3auth!.credentials, secretAccessKey: 'not-the-secret-0123456789' });
  const refused = await wrong.jindr('-r', host, 'up', '--storage', `s3://${BUCKET}`, '--s3-endpoint', s3auth!.endpoint);
  const line = errorLine(t, refused);
  t.regex(line, /refused your AWS credentials for s3:\/\/jindr-images \(SignatureDoesNotMatch/);
  t.false(line.includes('not-the-secret'), 'the secret is not said');

  const closed = await freePort();
  const endpoint = s3!.endpoint.replace(/:\d+$/, `:${closed}`);
  const unreachable = await p.jindr('-r', host, 'up', '--storage', `s3://${BUCKET}/x`, '--s3-endpoint', endpoint);
  t.regex(errorLine(t, unreachable), /cannot reach the S3 endpoint http:\/\/[\d.]+:\d+ \(ECONNREFUSED\): check --s3-endpoint/);

  const bad = await p.jindr('-r', host, 'up', '--storage', 's3://Bad_Bucket', '--s3-endpoint', s3!.endpoint);
  t.regex(errorLine(t, bad), /is not a bucket name/);
  const both = await p.jindr('-r', host, 'up', '--storage', `s3://${BUCKET}`, '-d', '/tmp/x');
  t.regex(errorLine(t, both), /-d\/--data and --storage exclude each other/);
  t.deepEqual(await containersFor(host, port), [], 'no container was made');

  // The same store takes the right key: the refusal above was the key's.
  const right = plugin(s3auth!.credentials);
  t.is((await right.jindr('-r', host, 'up', '--storage', `s3://${BUCKET}`, '--s3-endpoint', s3auth!.endpoint)).code, 0);
});

test('two registries on one bucket: images over 10 MiB pushed, pulled back, seen by both at once; the key only in its 0600 file', async (t) => {
  const a = await registryPort(cleanups);
  const b = await registryPort(cleanups);
  const p = plugin();
  const storage = `s3://${BUCKET}/team`;
  const upA = await p.jindr('-r', a.host, 'up', '--storage', storage, '--s3-endpoint', s3!.endpoint);
  t.is(ok(t, upA, 'up A').trim(), `registry created and started as jindr-${a.port} on ${a.host} (registry:3, data in ${storage})`);
  const upB = await p.jindr('-r', b.host, 'up', '--storage', storage, '--s3-endpoint', s3!.endpoint, '--image', 'registry:2');
  ok(t, upB, 'up B');

  // Two layers of 11 MiB: more than the driver's 10 MiB chunk, so each is a multipart upload.
  const image = await pushRandomImage(a.host, 'team/big', '1', { layers: 2, layerSize: 11 * 1024 * 1024 });
  t.true(image.layers.every((l) => l.size > 10 * 1024 * 1024));
  const keys = await s3!.listKeys(BUCKET, 'team/');
  for (const l of image.layers)
    t.true(keys.includes(`team/docker/registry/v2/blobs/sha256/${l.digest.slice(7, 9)}/${l.digest.slice(7)}/data`));

  // The other registry serves it at once; docker pulls it from there and pushes it back to A under another name.
  t.regex(ok(t, await p.jindr('-r', b.host, 'lsi', 'team/big'), 'lsi on B'), new RegExp(`team/big\\s+1\\s+${image.digest.slice(7, 19)}`));
  await dockerOk(['pull', `${b.host}/team/big:1`]);
  await dockerOk(['tag', `${b.host}/team/big:1`, `${a.host}/team/again:1`]);
  await dockerOk(['push', `${a.host}/team/again:1`]);
  cleanups.push(() => docker(['rmi', `${a.host}/team/again:1`]));
  await dockerOk(['rmi', `${b.host}/team/big:1`]);
  await dockerOk(['pull', `${b.host}/team/again:1`]);
  t.regex(await dockerOk(['image', 'inspect', '--format', '{{len .RootFS.Layers}}', `${b.host}/team/again:1`]), /^2\s*$/);

  // A resumable chunked upload on B: two PATCHes, the status between, the last bytes with the PUT; read back from A.
  const blob = randomBytes(13 * 1024 * 1024);
  const digest = sha256(blob);
  const start = await fetch(`http://${b.host}/v2/team/chunks/blobs/uploads/`, { method: 'POST' });
  t.is(start.status, 202);
  let location = new URL(start.headers.get('location')!, `http://${b.host}/`);
  for (const [from, to] of [
    [0, 6_000_000],
    [6_000_000, 12_000_000],
  ] as const) {
    const patch = await fetch(location, {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${from}-${to - 1}` },
      body: new Uint8Array(blob.subarray(from, to)),
    });
    t.is(patch.status, 202);
    location = new URL(patch.headers.get('location')!, `http://${b.host}/`);
    const status = await fetch(location);
    t.is(status.headers.get('range'), `0-${to - 1}`);
  }
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: new Uint8Array(blob.subarray(12_000_000)),
  });
  t.is(put.status, 201);
  const back = Buffer.from(await (await fetch(`http://${a.host}/v2/team/chunks/blobs/${digest}`)).arrayBuffer());
  t.is(sha256(back), digest, 'A serves what was uploaded through B');

  // Both list the same repositories.
  const lsA = ok(t, await p.jindr('-r', a.host, 'ls'), 'ls A').replaceAll(a.host, 'HOST');
  const lsB = ok(t, await p.jindr('-r', b.host, 'ls'), 'ls B').replaceAll(b.host, 'HOST');
  t.is(lsA, lsB);
  t.regex(lsA, /HOST\/team\/again/);

  // info and stat name the bucket; no size is made up.
  const infoRun = await p.jindr('info', '--format', 'json');
  const info = jsonLines<{ registry: string; storageArea: string; size: number | null }>(ok(t, infoRun, 'info')).find(
    (r) => r.registry === a.host,
  );
  const statRun = await p.jindr('-r', a.host, 'stat');
  t.regex(ok(t, statRun, 'stat'), new RegExp(`data in ${storage.replaceAll('/', '\\/')}`));
  t.deepEqual(info && { storageArea: info.storageArea, size: info.size }, { storageArea: storage, size: null });

  // The key: in a 0600 file mounted read-only, nowhere else.
  const secret = s3!.credentials.secretAccessKey;
  for (const { port } of [a, b]) {
    const name = `jindr-${port}`;
    const inspect = await dockerOk(['inspect', name]);
    t.false(inspect.includes(secret), 'not in docker inspect (env, command, labels)');
    const logs = await docker(['logs', name]);
    t.false((logs.stdout + logs.stderr).includes(secret), 'not in its logs');
    const mounts = JSON.parse(await dockerOk(['inspect', '--format', '{{json .Mounts}}', name])) as {
      Type: string;
      Source: string;
      Destination: string;
      RW: boolean;
    }[];
    // The one bind mount: the configuration, over the image's own file (the image's volume for /var/lib/registry stays unused).
    t.false(
      mounts.some((m) => m.Type === 'volume'),
      'no volume made',
    );
    const binds = mounts.filter((m) => m.Type === 'bind');
    t.deepEqual(
      binds.map((m) => [m.Destination, m.RW]),
      [[port === a.port ? '/etc/distribution/config.yml' : '/etc/docker/registry/config.yml', false]],
    );
    t.is(statSync(binds[0]!.Source).mode & 0o777, 0o600);
    t.true(readFileSync(binds[0]!.Source, 'utf8').includes(secret), 'the file holds the key');
  }
  for (const r of [upA, upB, infoRun, statRun]) t.false((r.stdout + r.stderr).includes(secret), 'not in the output');

  // Commands through the API on S3 storage: inspect, cp to the other name, rmi.
  const inspected = ok(t, await p.jindr('-r', a.host, 'inspect', '--format', 'json', 'team/big:1'), 'inspect');
  t.true(inspected.includes(image.digest), inspected);
  ok(t, await p.jindr('-r', a.host, 'cp', 'team/big:1', '--to', `${a.host}/team/copy:1`), 'cp');
  t.regex(ok(t, await p.jindr('-r', b.host, 'lsi', 'team/copy'), 'lsi copy on B'), /team\/copy\s+1/);
  ok(t, await p.jindr('-r', b.host, 'rmi', '-f', 'team/copy:1'), 'rmi on B');
  // Gone for A too, at once: the tag's manifest link is gone from the shared bucket.
  const tags = await fetch(`http://${a.host}/v2/team/copy/tags/list`);
  const listed = tags.status === 200 ? ((await tags.json()) as { tags: string[] | null }).tags : null;
  t.deepEqual(listed ?? [], []);

  // gc --dry-run reads the bucket and removes nothing (gc and prune remove: s3-gc.test.ts).
  const before = (await s3!.listKeys(BUCKET, 'team/')).sort();
  ok(t, await p.jindr('-r', a.host, 'gc', '--dry-run'), 'gc --dry-run');
  t.deepEqual((await s3!.listKeys(BUCKET, 'team/')).sort(), before, 'nothing in the bucket was removed');
  t.is((await dockerOk(['inspect', '--format', '{{.State.Running}}', `jindr-${a.port}`])).trim(), 'true', 'A was not stopped');
});

test('AWS_PROFILE from the credentials file; du from the bucket, index, rmr, stop and start on S3 storage', async (t) => {
  const { port, host } = await registryPort(cleanups);
  const p = plugin();
  delete p.env.AWS_ACCESS_KEY_ID;
  delete p.env.AWS_SECRET_ACCESS_KEY;
  const dir = cleanups.tempDir('jindr-s3-aws-');
  const profileSecret = `profile-secret-${port}`;
  writeFileSync(
    join(dir, 'credentials'),
    `[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = default-secret\n\n[team]\naws_access_key_id = AKIATEAM\naws_secret_access_key = ${profileSecret}\n`,
  );
  Object.assign(p.env, {
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_PROFILE: 'team',
  });
  const storage = `s3://${BUCKET}/profile`;
  const up = await p.jindr('-r', host, 'up', '--storage', storage, '--s3-endpoint', s3!.endpoint);
  ok(t, up, 'up');
  const name = `jindr-${port}`;
  const file = (JSON.parse(await dockerOk(['inspect', '--format', '{{json .Mounts}}', name])) as { Type: string; Source: string }[]).find(
    (m) => m.Type === 'bind',
  )!.Source;
  const config = readFileSync(file, 'utf8');
  t.true(config.includes('accesskey: "AKIATEAM"') && config.includes(profileSecret), "the profile's key, not the default one");

  const image = await pushRandomImage(host, 'p/one', '1', { layers: 2, layerSize: 4096 });
  await pushRandomImage(host, 'p/two', '1', { layers: 1, layerSize: 4096 });
  const du = await p.jindr('-r', host, 'du', '--format', 'json');
  const usage = jsonLines<{ repository?: string; size?: number }>(ok(t, du, 'du'));
  t.true(usage.length > 0);
  t.notRegex(du.stderr, /not yet on S3 storage/, 'du reads the bucket');
  t.true(JSON.stringify(usage).includes(String(image.layers[0]!.size + image.layers[1]!.size + image.config.size + image.size)));

  // index: a two-platform image made from the platforms of archy, pushed by digest.
  const archy = await pushArchy(host, { repo: 'p/archy' });
  const children = archy.manifests.map((m) => `p/archy@${m.digest}`);
  ok(t, await p.jindr('-r', host, 'index', 'create', 'p/multi', ...children), 'index create');
  t.regex(ok(t, await p.jindr('-r', host, 'lsi', 'p/multi'), 'lsi p/multi'), /linux\/amd64,\s*linux\/arm64|linux\/arm64,\s*linux\/amd64/);

  // rmr: the manifests go through the API, then the repository's objects inside gc's window (lock, read-only); the blobs stay for gc.
  const repoKeys = async (repo: string) => (await s3!.listKeys(BUCKET, `profile/docker/registry/v2/repositories/${repo}/`)).length;
  t.true((await repoKeys('p/two')) > 0);
  const blobs = (await s3!.listKeys(BUCKET, 'profile/docker/registry/v2/blobs/')).sort();
  const rmr = await p.jindr('-r', host, 'rmr', '-f', 'p/two');
  ok(t, rmr, 'rmr');
  t.regex(rmr.stderr, /making jindr-\d+ read-only while objects are removed/);
  t.regex(rmr.stderr, /removed the repositories' storage in jindr-\d+/);
  t.is(await repoKeys('p/two'), 0, "no object of p/two's is left");
  t.true((await repoKeys('p/one')) > 0, 'p/one keeps its objects');
  t.deepEqual((await s3!.listKeys(BUCKET, 'profile/docker/registry/v2/blobs/')).sort(), blobs, 'the blobs stay for gc');
  const catalog = (await (await fetch(`http://${host}/v2/_catalog`)).json()) as { repositories: string[] };
  t.false(catalog.repositories.includes('p/two'), catalog.repositories.join(' '));

  // stop says it collected nothing; start again serves the same images from the bucket.
  const stop = await p.jindr('-r', host, 'stop');
  ok(t, stop, 'stop');
  t.notRegex(stop.stderr, /not yet on S3 storage/, 'stop collects on S3 storage too');
  t.regex(stop.stdout, new RegExp(`data in ${storage.replaceAll('/', '\\/')}`));
  ok(t, await p.jindr('-r', host, 'up'), 'up again');
  t.regex(ok(t, await p.jindr('-r', host, 'lsi', 'p/one'), 'lsi'), new RegExp(`p/one\\s+1\\s+${image.digest.slice(7, 19)}`));
  for (const r of [up, du, rmr, stop]) t.false((r.stdout + r.stderr).includes(profileSecret));
});
