// `npm run bench -- copy-memory --old PATH [--rounds 4] [--image registry:2]`: peak memory
// (max RSS from /usr/bin/time) and CPU of copying an image of one 1 GiB layer between two
// local registries, with this build (dist/docker-jindr) and another (PATH, e.g. one built
// without src/registry/chunk-garbage.ts), taking turns first; each copy into a fresh
// destination registry with a fresh cache directory, next to the same build's `ls` (what a
// command that copies nothing peaks at). One line per copy, then the medians.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { median, option, startRegistry } from '../common.ts';
import { pushBlobStream, randomStream } from '../../test/helpers/stream-push.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const builds = { new: join(root, 'dist/docker-jindr'), old: resolve(option(argv, 'old', '')) };
const ROUNDS = Number(option(argv, 'rounds', '4'));
const IMAGE = option(argv, 'image', 'registry:2');
for (const [which, file] of Object.entries(builds)) {
  if (!existsSync(file)) {
    console.error(`${which} build missing: ${file} (npm run build; --old PATH names the other one)`);
    process.exit(1);
  }
}

/** Max RSS (MiB), CPU (user + system, s) and wall-clock (s) of one run of file with args. */
function measure(file: string, args: string[]): { rssMiB: number; cpuS: number; wallS: number } {
  const timeFile = join(tmpdir(), `jindr-bench-copy-memory-${process.pid}`);
  const cache = mkdtempSync(join(tmpdir(), 'jindr-bench-copy-memory-cache-'));
  try {
    execFileSync('/usr/bin/time', ['-o', timeFile, '-f', '%M %U %S %e', file, ...args], {
      stdio: 'ignore',
      env: { ...process.env, XDG_CACHE_HOME: cache },
    });
    const [kib, user, sys, wall] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
    return { rssMiB: Math.round(kib! / 1024), cpuS: +(user! + sys!).toFixed(2), wallS: wall! };
  } finally {
    rmSync(cache, { recursive: true, force: true });
    rmSync(timeFile, { force: true });
  }
}

const containers: string[] = [];
async function registry(tag: string): Promise<{ host: string; name: string }> {
  const { port, name } = await startRegistry(IMAGE, `jindr-bench-copy-memory-${tag}`);
  containers.push(name);
  return { host: `127.0.0.1:${port}`, name };
}

const rows: Record<string, Array<{ overLsMiB: number; rssMiB: number; cpuS: number }>> = { new: [], old: [] };
const startLoad = loadavg()[0]!.toFixed(2);
try {
  const src = await registry('src');
  const layer = await pushBlobStream(src.host, 'big', randomStream(1 << 30), 'application/vnd.oci.image.layer.v1.tar');
  const config = await pushBlobStream(
    src.host,
    'big',
    Readable.from([
      Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } })),
    ]),
    'application/vnd.oci.image.config.v1+json',
  );
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [layer] });
  const put = await fetch(`http://${src.host}/v2/big/manifests/v1`, {
    method: 'PUT',
    body: manifest,
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  if (put.status !== 201) throw new Error(`manifest: ${put.status}`);
  for (let round = 0; round < ROUNDS; round++) {
    for (const which of round % 2 ? (['old', 'new'] as const) : (['new', 'old'] as const)) {
      const dst = await registry(`dst-${round}-${which}`);
      const ls = measure(builds[which], ['-r', src.host, 'ls']);
      const cp = measure(builds[which], ['-r', src.host, 'cp', '-q', 'big:v1', '--to', `${dst.host}/big:v1`]);
      rows[which]!.push({ overLsMiB: cp.rssMiB - ls.rssMiB, rssMiB: cp.rssMiB, cpuS: cp.cpuS });
      console.log(
        `round ${round + 1} ${which}: max RSS ${cp.rssMiB} MiB (ls ${ls.rssMiB} MiB, +${cp.rssMiB - ls.rssMiB}), CPU ${cp.cpuS} s, ${cp.wallS} s`,
      );
      execFileSync('docker', ['rm', '-f', '-v', dst.name], { stdio: 'ignore' });
      containers.splice(containers.indexOf(dst.name), 1);
    }
  }
} finally {
  for (const name of containers) execFileSync('docker', ['rm', '-f', '-v', name], { stdio: 'ignore' });
}
console.log(`copy of one 1 GiB layer, ${IMAGE}, ${ROUNDS} rounds, load ${startLoad} -> ${loadavg()[0]!.toFixed(2)}; medians:`);
for (const [which, r] of Object.entries(rows)) {
  console.log(
    `${which}: max RSS ${median(r.map((x) => x.rssMiB))} MiB (+${median(r.map((x) => x.overLsMiB))} MiB over ls), CPU ${median(r.map((x) => x.cpuS))} s`,
  );
}
