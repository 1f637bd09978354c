// gc while a push is under way, on registries made by `docker jindr up` through the real
// docker CLI: gc collects old garbage (so it really stops and restarts the registry), and
// keeps what the push has sent, which no manifest references yet (the grace period); the
// push completes across the restart: `docker jindr cp` starts a broken upload again in a
// fresh session, `docker push` (the Docker daemon) retries by itself. Then the image is
// whole: digests checked by the registry API, skopeo and a docker pull.
// And the grace period does not make gc a no-op: with --grace 0 it frees what is unreferenced.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { e2e, registryImages, startTestRegistry, waitForRegistry } from '../helpers/engine.ts';
import { MEDIA_TYPES, pushRandomImage, pushUntaggedManifest, sha256 } from '../helpers/images.ts';
import { docker, dockerOk, run } from '../helpers/run.ts';
import { startThrottleProxy } from '../fakes/throttle-proxy.ts';
import { forgetConnections, startJindrRegistry } from '../helpers/jindr-registry.ts';
import type { GcReport } from '../../src/gc/gc-run.ts';

/** What gc --format json prints. */
type GcJson = Pick<GcReport, 'manifests' | 'repositories' | 'blobs' | 'bytesFreed' | 'grace' | 'keptYoung'>;

const v2 = (data: string) => join(data, 'docker/registry/v2');
const blobFile = (data: string, digest: string) => join(v2(data), 'blobs/sha256', digest.slice(7, 9), digest.slice(7), 'data');

/** Every file and directory under dir, dated `seconds` ago: what was there is old garbage now. */
function backdate(dir: string, seconds: number): void {
  const when = Date.now() / 1000 - seconds;
  for (const entry of readdirSync(dir, { recursive: true })) utimesSync(join(dir, String(entry)), when, when);
}

/** The largest upload in progress in the registry's storage (bytes). */
function largestUpload(data: string): number {
  const repos = join(v2(data), 'repositories');
  if (!existsSync(repos)) return 0;
  let largest = 0;
  let entries: unknown[];
  try {
    entries = readdirSync(repos, { recursive: true });
  } catch {
    return 0; // an upload directory went while it was read (the upload finished): look again
  }
  for (const entry of entries) {
    const path = String(entry);
    if (/(^|\/)_uploads\/[^/]+\/data$/.test(path)) {
      try {
        largest = Math.max(largest, statSync(join(repos, path)).size);
      } catch {
        // finished meanwhile
      }
    }
  }
  return largest;
}

async function until(what: string, condition: () => boolean | Promise<boolean>, exited: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (exited()) throw new Error(`it ended before ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A registry made by `docker jindr up`, holding old garbage (an untagged image from two hours ago). */
async function setup(t: ExecutionContext, image: string) {
  const { host, data, env, jindr } = await startJindrRegistry(t, image, { timeoutMs: 180_000 });
  await waitForRegistry(`http://${host}/v2/`);
  const garbage = await pushUntaggedManifest(host, 'old', { layerSize: 100_000 });
  backdate(data, 2 * 3600);
  const gc = async (...args: string[]): Promise<GcJson> => {
    const result = await jindr('gc', '--format', 'json', ...args);
    await forgetConnections();
    if (result.code !== 0) throw new Error(`docker jindr gc failed (${result.code}): ${result.stderr}`);
    return JSON.parse(result.stdout) as GcJson;
  };
  return { host, data, env, jindr, gc, garbage };
}

async function servedDigest(host: string, repo: string, reference: string): Promise<string> {
  const accept = [MEDIA_TYPES.oci.manifest, MEDIA_TYPES.docker.manifest].join(', ');
  const response = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, { headers: { accept } });
  if (response.status !== 200) throw new Error(`${host}/${repo}:${reference}: HTTP ${response.status}`);
  return sha256(Buffer.from(await response.arrayBuffer()));
}

async function blobDigest(host: string, repo: string, digest: string): Promise<string> {
  const response = await fetch(`http://${host}/v2/${repo}/blobs/${digest}`);
  if (response.status !== 200) throw new Error(`${host}/${repo}@${digest}: HTTP ${response.status}`);
  return (
    'sha256:' +
    createHash('sha256')
      .update(Buffer.from(await response.arrayBuffer()))
      .digest('hex')
  );
}

async function skopeoDigest(ref: string): Promise<string> {
  const result = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);
  if (result.code !== 0) throw new Error(`skopeo inspect ${ref}: ${result.stderr}`);
  return sha256(Buffer.from(result.stdout, 'latin1'));
}

/** Starts a command through the docker CLI; resolves with its result, and says whether it has exited. */
function start(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn('docker', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let done = false;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const result = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      done = true;
      resolve({ code, stdout, stderr });
    }),
  );
  return { result, exited: () => done, kill: () => child.kill('SIGKILL') };
}

for (const image of registryImages) {
  e2e(`${image}: gc during a cp keeps what the copy has sent; the copy starts its uploads again and completes`, async (t) => {
    const { host, data, env, gc, garbage } = await setup(t, image);
    const src = await startTestRegistry({ image });
    t.teardown(() => src.remove());
    const img = await pushRandomImage(src.host, 'big', 'v1', { layers: 4, layerSize: 24_000_000 });
    // The source is read at 6 MB/s per blob: each 24 MB layer takes about 4 s.
    const slow = await startThrottleProxy(src.port, 6_000_000, { responses: true });
    t.teardown(() => slow.close());

    // Two blobs at a time: the first ones have arrived while the next ones are on their way.
    // The source is held while gc runs, which may take longer than the 30 s a registry may
    // stay silent by default.
    const cp = start(['jindr', '-r', slow.host, 'cp', '-j', '2', 'big:v1', host], { ...env, JINDR_TIMEOUT_MS: '600000' });
    t.teardown(() => cp.kill());
    // A blob of the image has arrived (unreferenced until the manifest comes) and others are on their way.
    const arrived = () => [img.config, ...img.layers].some((b) => existsSync(blobFile(data, b.digest)));
    await until('the copy was under way', () => arrived() && largestUpload(data) > 1_000_000, cp.exited).catch(async (err) => {
      throw new Error(`${String(err)}: ${JSON.stringify(await cp.result)}`);
    });
    // Held where it is: on a busy machine gc could otherwise take longer than the copy's rest
    // (it did in CI).
    slow.hold();
    const report = await gc();
    // gc was over before the copy: it stopped and restarted the registry under it.
    if (cp.exited()) t.fail(`the copy ended while gc ran: ${(await cp.result).stderr}`);
    // What the copy does from here on (its uploads started again) needs no slow or held source.
    slow.unthrottle();

    t.deepEqual(report.manifests, [{ repository: 'old', digest: garbage.digest }], 'the old garbage went');
    t.is(report.repositories.length, 1);
    t.is(report.blobs, 3, 'its manifest, config and layer; nothing of the copy');
    t.is(report.grace, '1h');
    t.true(report.keptYoung.blobs >= 1, `kept young: ${JSON.stringify(report.keptYoung)}`);
    t.false(existsSync(blobFile(data, garbage.layers[0]!.digest)));

    const copied = await cp.result;
    t.is(copied.code, 0, copied.stderr);
    t.regex(copied.stderr, /retrying \(/, 'the restart broke an upload, which started again');
    await forgetConnections();
    t.is(await servedDigest(host, 'big', 'v1'), img.digest);
    for (const blob of [img.config, ...img.layers]) t.is(await blobDigest(host, 'big', blob.digest), blob.digest);
    t.is(await skopeoDigest(`${host}/big:v1`), img.digest);
    const pull = await docker(['pull', `${host}/big:v1`], { timeoutMs: 180_000 });
    t.is(pull.code, 0, pull.stderr);
    t.regex(pull.stdout, new RegExp(`Digest: ${img.digest}`));
  });

  e2e(`${image}: gc during a docker push keeps what the push has sent; the daemon retries and the push completes`, async (t) => {
    const { host, data, env, gc, garbage } = await setup(t, image);
    // A 64 MB layer of random bytes (it does not compress), pushed through a proxy that takes it at 8 MB/s.
    const dir = mkdtempSync(join(tmpdir(), 'jindr-push-'));
    const proxy = await startThrottleProxy(Number(host.split(':')[1]), 8_000_000);
    const ref = `${proxy.host}/pushed:v1`;
    t.teardown(async () => {
      await proxy.close();
      await docker(['rmi', '-f', ref]);
      rmSync(dir, { recursive: true, force: true });
    });
    writeFileSync(join(dir, 'random.bin'), randomBytes(64_000_000));
    execFileSync('tar', ['-C', dir, '-cf', join(dir, 'layer.tar'), 'random.bin']);
    await dockerOk(['import', join(dir, 'layer.tar'), ref]);

    const push = start(['push', ref], env);
    t.teardown(() => push.kill());
    await until('the push was under way', () => largestUpload(data) > 4_000_000, push.exited);
    proxy.hold();
    const report = await gc();
    if (push.exited()) t.fail(`the push ended while gc ran: ${(await push.result).stdout}`);
    // The daemon's retries after the restart need no slow or held proxy.
    proxy.unthrottle();
    t.deepEqual(report.manifests, [{ repository: 'old', digest: garbage.digest }]);
    t.is(report.blobs, 3);

    const pushed = await push.result;
    t.is(pushed.code, 0, pushed.stderr + pushed.stdout);
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed.stdout)?.[1] ?? 'none';
    t.regex(digest, /^sha256:/, pushed.stdout);
    await forgetConnections();
    t.is(await servedDigest(host, 'pushed', 'v1'), digest);
    t.is(await skopeoDigest(`${host}/pushed:v1`), digest);
    const pull = await docker(['pull', `${host}/pushed@${digest}`], { timeoutMs: 180_000 });
    t.is(pull.code, 0, pull.stderr);
  });

  e2e(
    `${image}: the grace period keeps a fresh leftover; --grace 0 (or a shorter grace) frees it; a bad --grace is a usage error`,
    async (t) => {
      const { host, data, jindr, gc } = await setup(t, image);
      // Nothing in flight: the setup's old garbage goes with the default grace period.
      t.is((await gc()).blobs, 3);
      const fresh = await pushUntaggedManifest(host, 'fresh', { layers: 2 });
      const kept = await gc();
      t.deepEqual(kept.manifests, []);
      t.deepEqual(kept.repositories, []);
      t.is(kept.blobs, 0);
      t.deepEqual(kept.keptYoung, { manifests: 1, blobs: 0, bytes: 0 }, 'a young manifest keeps its blobs referenced');
      for (const b of [fresh, fresh.config, ...fresh.layers]) t.true(existsSync(blobFile(data, b.digest)));
      const table = await jindr('gc');
      t.is(table.code, 0, table.stderr);
      t.is(table.stdout, `nothing to collect in ${`jindr-${host.split(':')[1]}`}\n`);
      t.regex(table.stderr, /^kept 1 untagged manifest\(s\) and 0 unreferenced blob\(s\) \(0B\) written within the last 1h \(--grace\)/m);
      await forgetConnections();

      backdate(data, 45 * 60);
      t.is((await gc('--grace', '1h')).blobs, 0, '45 minutes old is within an hour');
      const shorter = await gc('--grace', '30m');
      t.deepEqual(shorter.manifests, [{ repository: 'fresh', digest: fresh.digest }]);
      t.is(shorter.blobs, 4);
      for (const b of [fresh, fresh.config, ...fresh.layers]) t.false(existsSync(blobFile(data, b.digest)));

      const again = await pushUntaggedManifest(host, 'again');
      const zero = await gc('--grace', '0');
      t.deepEqual(zero.manifests, [{ repository: 'again', digest: again.digest }]);
      t.deepEqual(zero.repositories, ['again']);
      t.is(zero.blobs, 3);
      t.is(zero.grace, '0s');

      for (const bad of ['10', '1x', '-1h', '']) {
        const refused = await jindr('gc', `--grace=${bad}`);
        t.is(refused.code, 2, refused.stderr);
        t.is(refused.stdout, '');
        t.regex(
          refused.stderr,
          /^docker-jindr: --grace needs a duration such as 30d, 12h, 90m or 1h30m \(units s, m, h, d, w\); got ".*"\n$/,
        );
      }
      const stop = await jindr('stop', '--grace', 'soon');
      t.is(stop.code, 2, stop.stderr);
      t.true((await dockerOk(['ps', '-q', '--filter', `label=jindr.registry=${host}`])).trim() !== '', 'a bad --grace stops nothing');
    },
  );
}
