// bench/copy: copying an image of 8 incompressible 32 MiB layers between two local
// registries (two containers on loopback) with
//   jindr   dist/docker-jindr cp (process start included, default --jobs 4)
//   skopeo  skopeo copy --all (plain HTTP on both sides)
//   floor   curl: every blob streamed GET | PUT (`curl -T -`, no disk, no buffering),
//           4 at a time and 1 at a time (the better one is the floor), then the manifest
// once into fresh repositories ("cold"), again into the same ones ("warm": every blob
// already there), and into a second repository of the same destination ("mount": jindr
// remembers where it put each blob, skopeo too, and both ask the registry to mount them
// instead of sending them again), and jindr's peak memory (max RSS from /usr/bin/time)
// copying this image and an image of one 1 GiB layer, next to `docker-jindr ls`'s.
// Wall-clock and CPU (user + system, children included) medians of --runs runs; the order
// of the cold copies rotates between runs; each run has a fresh destination registry and
// jindr a fresh cache directory.
//
//   npm run build && npm run bench -- copy [--runs 5] [--image registry:2] [--json] [--no-big]
// Needs a Docker engine with the registry image, skopeo, curl and /usr/bin/time.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { median, option, startRegistry } from '../common.ts';
import { pushBlobStream, randomStream } from '../../test/helpers/stream-push.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const binary = join(root, 'dist/docker-jindr');
const argv = process.argv.slice(2);
const opt = (name: string, fallback: string): string => option(argv, name, fallback);
const RUNS = Number(opt('runs', '5'));
const IMAGE = opt('image', 'registry:2');
const LAYERS = 8;
const LAYER_MIB = 32;
const JOBS = 4;
const json = argv.includes('--json');
const big = !argv.includes('--no-big');
const log = (m: string) => {
  if (!json) console.error(m);
};

for (const [what, ok] of [
  ['dist/docker-jindr (npm run build)', existsSync(binary)],
  ['skopeo', spawnSync('skopeo', ['--version']).status === 0],
  ['curl', spawnSync('curl', ['--version']).status === 0],
  ['/usr/bin/time', existsSync('/usr/bin/time')],
] as const) {
  if (!ok) {
    console.error(`${what} is missing`);
    process.exit(1);
  }
}

const sha256 = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

interface Timing {
  ms: number;
  /** user + system CPU of the command and its children (from /usr/bin/time). */
  cpuMs: number;
  stderr: string;
}

let timeFileCounter = 0;

/** jindr's environment: a cache directory of its own (set per run). */
let jindrEnv: NodeJS.ProcessEnv = process.env;

/** Runs a command to its end under /usr/bin/time; wall-clock and CPU ms; rejects on failure. */
function timed(file: string, args: string[]): Promise<Timing> {
  const timeFile = join(tmpdir(), `jindr-bench-copy-${process.pid}-${timeFileCounter++}`);
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%U %S', file, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: jindrEnv,
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const [user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
      rmSync(timeFile, { force: true });
      if (code !== 0) reject(new Error(`${file} ${args.join(' ')} failed (${code}): ${stderr.slice(-500)}`));
      else resolve({ ms, cpuMs: ((user ?? 0) + (sys ?? 0)) * 1000, stderr });
    });
  });
}

async function registry(tag: string): Promise<{ host: string; name: string }> {
  const { port, name } = await startRegistry(IMAGE, `jindr-bench-copy-${tag}`);
  return { host: `127.0.0.1:${port}`, name };
}

interface Desc {
  mediaType: string;
  digest: string;
  size: number;
}

async function pushImage(host: string, repo: string, tag: string, layers: Desc[]): Promise<Desc> {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) } }),
  );
  const configDesc = await pushBlobStream(host, repo, Readable.from([config]), 'application/vnd.oci.image.config.v1+json');
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: configDesc, layers }),
  );
  const put = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    body: new Uint8Array(manifest),
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  if (put.status !== 201) throw new Error(`manifest: ${put.status}`);
  return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(manifest), size: manifest.length };
}

/** Random bytes as a stream (only jindr copies the big layer: no tool looks inside). */
/** The floor: curl streams every blob GET | PUT, `parallel` at a time, then PUTs the manifest. */
async function curlCopy(src: string, dst: string, repo: string, blobs: Desc[], manifest: Buffer, parallel: number): Promise<Timing> {
  const start = process.hrtime.bigint();
  let cpuMs = 0;
  const queue = [...blobs];
  const worker = async () => {
    for (let b = queue.shift(); b; b = queue.shift()) {
      const post = await fetch(`http://${dst}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
      const location = new URL(post.headers.get('location')!, `http://${dst}/`);
      location.searchParams.set('digest', b.digest);
      const script = `curl -sSf 'http://${src}/v2/bench/blobs/${b.digest}' | curl -sSf -o /dev/null -T - -H 'Content-Type: application/octet-stream' '${location.href}'`;
      cpuMs += (await timed('sh', ['-c', script])).cpuMs;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  cpuMs += (
    await timed('curl', [
      '-sSf',
      '-o',
      '/dev/null',
      '-X',
      'PUT',
      '-H',
      'Content-Type: application/vnd.oci.image.manifest.v1+json',
      '--data-binary',
      manifest.toString(),
      `http://${dst}/v2/${repo}/manifests/v1`,
    ])
  ).cpuMs;
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, cpuMs, stderr: '' };
}

/** The floor when every blob is there: one HEAD per blob, then the manifest PUT (curl). */
async function curlWarm(dst: string, repo: string, blobs: Desc[], manifest: Buffer): Promise<Timing> {
  const start = process.hrtime.bigint();
  const heads = await timed('curl', [
    '-sSf',
    '-o',
    '/dev/null',
    ...blobs.flatMap((b) => ['-I', `http://${dst}/v2/${repo}/blobs/${b.digest}`]),
  ]);
  const put = await timed('curl', [
    '-sSf',
    '-o',
    '/dev/null',
    '-X',
    'PUT',
    '-H',
    'Content-Type: application/vnd.oci.image.manifest.v1+json',
    '--data-binary',
    manifest.toString(),
    `http://${dst}/v2/${repo}/manifests/v1`,
  ]);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, cpuMs: heads.cpuMs + put.cpuMs, stderr: '' };
}

async function maxRssKiB(args: string[]): Promise<number> {
  const timeFile = join(tmpdir(), `jindr-bench-copy-rss-${process.pid}`);
  execFileSync('/usr/bin/time', ['-o', timeFile, '-f', '%M', binary, ...args], { stdio: 'ignore', env: jindrEnv });
  const kib = Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1));
  rmSync(timeFile, { force: true });
  if (!Number.isFinite(kib)) throw new Error('no max RSS');
  return kib;
}

const src = await registry('src');
const registries = [src.name];
try {
  const t0 = Date.now();
  const layers: Desc[] = [];
  for (let i = 0; i < LAYERS; i++) {
    const data = gzipSync(randomBytes(LAYER_MIB << 20), { level: 1 });
    layers.push(await pushBlobStream(src.host, 'bench', Readable.from([data]), 'application/vnd.oci.image.layer.v1.tar+gzip'));
  }
  const manifestDesc = await pushImage(src.host, 'bench', 'v1', layers);
  const manifest = Buffer.from(
    await (await fetch(`http://${src.host}/v2/bench/manifests/v1`, { headers: { accept: manifestDesc.mediaType } })).arrayBuffer(),
  );
  if (sha256(manifest) !== manifestDesc.digest) throw new Error('manifest digest');
  const config = JSON.parse(manifest.toString()) as { config: Desc };
  const blobs = [config.config, ...layers];
  const totalBytes = blobs.reduce((n, b) => n + b.size, 0);
  log(
    `pushed ${LAYERS} x ${LAYER_MIB} MiB layers (${(totalBytes / 2 ** 20).toFixed(0)} MiB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );

  const cold: Record<string, Timing[]> = { jindr: [], skopeo: [], curl4: [], curl1: [] };
  const warm: Record<string, Timing[]> = { jindr: [], skopeo: [], curl: [] };
  const mount: Record<string, Timing[]> = { jindr: [], skopeo: [] };
  const cacheRoot = mkdtempSync(join(tmpdir(), 'jindr-bench-copy-cache-'));
  for (let run = 0; run < RUNS; run++) {
    jindrEnv = { ...process.env, XDG_CACHE_HOME: join(cacheRoot, `run${run}`) };
    // A fresh destination each run: skopeo remembers where it pushed blobs (its blob info
    // cache) and would mount them from an earlier run's repository.
    const dst = await registry(`dst${run}`);
    try {
      const ref = (tool: string) => `${dst.host}/${tool}:v1`;
      // The first copy into a registry writes new files, later ones find the content stored
      // already (distribution still receives every byte): rotate who goes first.
      const tasks: Array<[string, () => Promise<Timing>]> = [
        ['jindr', () => timed(binary, ['-r', src.host, 'cp', '-q', 'bench:v1', '--to', ref('jindr')])],
        [
          'skopeo',
          () =>
            timed('skopeo', [
              'copy',
              '-q',
              '--all',
              '--src-tls-verify=false',
              '--dest-tls-verify=false',
              `docker://${src.host}/bench:v1`,
              `docker://${ref('skopeo')}`,
            ]),
        ],
        ['curl4', () => curlCopy(src.host, dst.host, 'curl4', blobs, manifest, JOBS)],
        ['curl1', () => curlCopy(src.host, dst.host, 'curl1', blobs, manifest, 1)],
      ];
      for (let i = 0; i < tasks.length; i++) {
        const [tool, task] = tasks[(i + run) % tasks.length]!;
        cold[tool]!.push(await task());
      }
      // Warm, jindr and skopeo taking turns first.
      const warmTasks: Array<[string, () => Promise<Timing>]> = [
        ['jindr', () => timed(binary, ['-r', src.host, 'cp', '-q', 'bench:v1', '--to', ref('jindr')])],
        [
          'skopeo',
          () =>
            timed('skopeo', [
              'copy',
              '-q',
              '--all',
              '--src-tls-verify=false',
              '--dest-tls-verify=false',
              `docker://${src.host}/bench:v1`,
              `docker://${ref('skopeo')}`,
            ]),
        ],
      ];
      for (let i = 0; i < warmTasks.length; i++) {
        const [tool, task] = warmTasks[(i + run) % warmTasks.length]!;
        warm[tool]!.push(await task());
      }
      warm.curl!.push(await curlWarm(dst.host, 'curl4', blobs, manifest));
      // A second repository of the same destination: every blob is known to be there.
      mount.jindr!.push(await timed(binary, ['-r', src.host, 'cp', 'bench:v1', '--to', ref('jindr-mount')]));
      const said = /blobs: (\d+) copied \([^)]*\), (\d+) mounted/.exec(mount.jindr!.at(-1)!.stderr);
      if (!said || said[1] !== '0') throw new Error(`jindr did not mount every blob: ${mount.jindr!.at(-1)!.stderr.slice(-300)}`);
      mount.skopeo!.push(
        await timed('skopeo', [
          'copy',
          '-q',
          '--all',
          '--src-tls-verify=false',
          '--dest-tls-verify=false',
          `docker://${src.host}/bench:v1`,
          `docker://${ref('skopeo-mount')}`,
        ]),
      );
      // Every copy arrived whole: the destination's manifest digest is the source's.
      for (const repo of ['jindr', 'skopeo', 'curl4', 'curl1', 'jindr-mount', 'skopeo-mount']) {
        const got = await fetch(`http://${dst.host}/v2/${repo}/manifests/v1`, {
          method: 'HEAD',
          headers: { accept: manifestDesc.mediaType },
        });
        if (got.headers.get('docker-content-digest') !== manifestDesc.digest) throw new Error(`${repo}: the copy did not arrive`);
      }
    } finally {
      execFileSync('docker', ['rm', '-f', '-v', dst.name], { stdio: 'ignore' });
    }
    const last = (xs: Timing[]) => `${xs.at(-1)!.ms.toFixed(0)} ms`;
    log(
      `run ${run + 1}/${RUNS}: cold jindr ${last(cold.jindr!)}, skopeo ${last(cold.skopeo!)}, curl x4 ${last(cold.curl4!)}, curl x1 ${last(cold.curl1!)}; warm jindr ${last(warm.jindr!)}, skopeo ${last(warm.skopeo!)}; mount jindr ${last(mount.jindr!)}, skopeo ${last(mount.skopeo!)}`,
    );
  }
  rmSync(cacheRoot, { recursive: true, force: true });
  jindrEnv = { ...process.env, XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'jindr-bench-copy-cache-')) };

  const rss: Record<string, number> = {};
  const dst = await registry('rss');
  registries.push(dst.name);
  // What a command that copies nothing peaks at: the measure of the copy's own memory.
  rss.ls = median([
    await maxRssKiB(['-r', src.host, 'ls']),
    await maxRssKiB(['-r', src.host, 'ls']),
    await maxRssKiB(['-r', src.host, 'ls']),
  ]);
  rss.image256MiB = await maxRssKiB(['-r', src.host, 'cp', '-q', 'bench:v1', '--to', `${dst.host}/rss-small:v1`]);
  if (big) {
    const t1 = Date.now();
    const layer = await pushBlobStream(src.host, 'big', randomStream(1 << 30), 'application/vnd.oci.image.layer.v1.tar');
    await pushImage(src.host, 'big', 'v1', [layer]);
    log(`pushed one ${(layer.size / 2 ** 20).toFixed(0)} MiB layer in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    rss.layer1GiB = await maxRssKiB(['-r', src.host, 'cp', '-q', 'big:v1', '--to', `${dst.host}/rss-big:v1`]);
  }

  const wall = (xs: Timing[]) => Math.round(median(xs.map((x) => x.ms)));
  const cpu = (xs: Timing[]) => Math.round(median(xs.map((x) => x.cpuMs)));
  const table = (cases: Record<string, Timing[]>) =>
    Object.fromEntries(Object.entries(cases).map(([k, v]) => [k, { wallMs: wall(v), cpuMs: cpu(v) }]));
  const floor = Math.min(wall(cold.curl4!), wall(cold.curl1!));
  const result = {
    registry: IMAGE,
    cpus: cpus().length,
    loadAverage: loadavg()[0]!,
    runs: RUNS,
    layers: LAYERS,
    layerMiB: LAYER_MIB,
    totalMiB: +(totalBytes / 2 ** 20).toFixed(1),
    jobs: JOBS,
    cold: table(cold),
    warm: table(warm),
    mount: table(mount),
    ratios: {
      coldJindrOverFloor: +(wall(cold.jindr!) / floor).toFixed(2),
      coldJindrOverSkopeo: +(wall(cold.jindr!) / wall(cold.skopeo!)).toFixed(2),
      coldJindrCpuOverSkopeoCpu: +(cpu(cold.jindr!) / cpu(cold.skopeo!)).toFixed(2),
      warmJindrOverSkopeo: +(wall(warm.jindr!) / wall(warm.skopeo!)).toFixed(2),
      warmJindrOverCurl: +(wall(warm.jindr!) / wall(warm.curl!)).toFixed(2),
      mountJindrOverColdJindr: +(wall(mount.jindr!) / wall(cold.jindr!)).toFixed(2),
      mountSkopeoOverColdSkopeo: +(wall(mount.skopeo!) / wall(cold.skopeo!)).toFixed(2),
      ...(rss.layer1GiB !== undefined ? { rss1GiBLayerMinusLsMiB: +((rss.layer1GiB - rss.ls) / 1024).toFixed(0) } : {}),
    },
    jindrMiBPerSecond: +(totalBytes / 2 ** 20 / (wall(cold.jindr!) / 1000)).toFixed(0),
    maxRssMiB: Object.fromEntries(Object.entries(rss).map(([k, v]) => [k, +(v / 1024).toFixed(0)])),
  };
  if (json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const r = result;
    const row = (name: string, t: { wallMs: number; cpuMs: number }) => `${name} ${t.wallMs} ms (CPU ${t.cpuMs} ms)`;
    console.log(
      `copy of ${LAYERS} x ${LAYER_MIB} MiB incompressible layers, ${IMAGE} -> ${IMAGE}, ${r.cpus} CPUs, load ${r.loadAverage.toFixed(1)}, median of ${RUNS}`,
    );
    console.log(
      `cold: ${Object.entries(r.cold)
        .map(([k, v]) => row(k, v))
        .join('   ')}`,
    );
    console.log(
      `  jindr / floor ${r.ratios.coldJindrOverFloor}   jindr / skopeo ${r.ratios.coldJindrOverSkopeo} (CPU ${r.ratios.coldJindrCpuOverSkopeoCpu})   (${r.jindrMiBPerSecond} MiB/s)`,
    );
    console.log(
      `warm: ${Object.entries(r.warm)
        .map(([k, v]) => row(k, v))
        .join('   ')}`,
    );
    console.log(`  jindr / skopeo ${r.ratios.warmJindrOverSkopeo}   jindr / curl ${r.ratios.warmJindrOverCurl}`);
    console.log(
      `mount (a second repository): ${Object.entries(r.mount)
        .map(([k, v]) => row(k, v))
        .join('   ')}`,
    );
    console.log(
      `  jindr mount / jindr cold ${r.ratios.mountJindrOverColdJindr}   skopeo mount / skopeo cold ${r.ratios.mountSkopeoOverColdSkopeo}`,
    );
    console.log(
      `jindr max RSS: ${Object.entries(r.maxRssMiB)
        .map(([k, v]) => `${k} ${v} MiB`)
        .join(', ')}`,
    );
  }
} finally {
  execFileSync('docker', ['rm', '-f', '-v', ...registries], { stdio: 'ignore' });
}
