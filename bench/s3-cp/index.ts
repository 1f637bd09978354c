// Cold `cp` of a 256 MiB image (4 random layers of 64 MiB) into a registry docker-jindr
// runs on S3 storage (moto's server, as in the tests: test/helpers/s3.ts) against one on a
// data directory, in one run: the same source registry, the same image, fresh destination
// repositories. Prints both wall times and their ratio (--json: as JSON).
// `npm run bench -- s3-cp [--image registry:3] [--json]` (after `npm run build`).
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, option, startRegistry } from '../common.ts';
import { startS3Server } from '../../test/helpers/s3.ts';
import { pluginBinary } from '../../test/helpers/run.ts';

const argv = process.argv.slice(2);
const IMAGE = option(argv, 'image', 'registry:3');
const LAYERS = 4;
const LAYER_BYTES = 64 * 2 ** 20;
const sha256 = (b: Buffer): string => 'sha256:' + createHash('sha256').update(b).digest('hex');

async function putBlob(host: string, repo: string, bytes: Buffer): Promise<{ digest: string; size: number }> {
  const digest = sha256(bytes);
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  const location = new URL(start.headers.get('location')!, `http://${host}/`);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: new Uint8Array(bytes),
  });
  if (put.status !== 201) throw new Error(`blob upload: HTTP ${put.status}`);
  return { digest, size: bytes.length };
}

/** The source image: random layers (stored, never compressible) under bench:v1. */
async function pushSource(host: string): Promise<void> {
  const layers = [];
  for (let i = 0; i < LAYERS; i++) layers.push(await putBlob(host, 'bench', randomBytes(LAYER_BYTES)));
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) } }),
  );
  const c = await putBlob(host, 'bench', config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...c },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...l })),
  });
  const put = await fetch(`http://${host}/v2/bench/manifests/v1`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    body: manifest,
  });
  if (put.status !== 201) throw new Error(`manifest: HTTP ${put.status}`);
}

function jindr(env: NodeJS.ProcessEnv, args: string[]): Promise<{ ms: number; code: number | null; stderr: string }> {
  const t0 = performance.now();
  const child = spawn(pluginBinary, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ ms: performance.now() - t0, code, stderr })));
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'jindr-bench-s3-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_CONFIG_HOME: join(work, 'config'),
    XDG_CACHE_HOME: join(work, 'cache'),
    AWS_ACCESS_KEY_ID: 'AKIAJINDRBENCH000000',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_REGION: 'us-east-1',
  };
  delete env.AWS_PROFILE;
  const containers: string[] = [];
  const s3 = await startS3Server();
  try {
    await s3.createBucket('bench');
    const src = await startRegistry('registry:2', 'jindr-bench-s3-src');
    containers.push(src.name);
    const srcHost = `127.0.0.1:${src.port}`;
    await pushSource(srcHost);
    const fsHost = `localhost:${await freePort()}`;
    const s3Host = `localhost:${await freePort()}`;
    for (const [host, args] of [
      [fsHost, ['-d', join(work, 'data')]],
      [s3Host, ['--storage', 's3://bench/run', '--s3-endpoint', s3.endpoint]],
    ] as const) {
      const up = await jindr(env, ['-r', host, 'up', '--image', IMAGE, ...args]);
      if (up.code !== 0) throw new Error(`up ${host}: ${up.stderr}`);
      containers.push(`jindr-${host.split(':')[1]}`);
    }
    const times: Record<string, number> = {};
    for (const [what, host] of [
      ['filesystem', fsHost],
      ['s3', s3Host],
    ] as const) {
      const r = await jindr(env, ['-r', srcHost, 'cp', '-q', 'bench:v1', '--to', `${host}/bench:v1`]);
      if (r.code !== 0) throw new Error(`cp to ${what}: ${r.stderr}`);
      times[what] = Math.round(r.ms);
    }
    const result = {
      image: IMAGE,
      bytes: LAYERS * LAYER_BYTES,
      coldMs: times,
      s3OverFilesystem: +(times.s3! / times.filesystem!).toFixed(2),
      s3MiBPerSecond: +((LAYERS * LAYER_BYTES) / 2 ** 20 / (times.s3! / 1000)).toFixed(0),
    };
    if (argv.includes('--json')) console.log(JSON.stringify(result));
    else
      console.log(
        `cold cp of 256 MiB (${IMAGE}): filesystem ${times.filesystem} ms, S3 (moto) ${times.s3} ms: S3 / filesystem ${result.s3OverFilesystem}x (${result.s3MiBPerSecond} MiB/s)`,
      );
  } finally {
    if (containers.length > 0) spawnSync('docker', ['rm', '-f', '-v', ...containers], { stdio: 'ignore' });
    await s3.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
