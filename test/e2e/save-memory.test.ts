// save and load never hold a layer in memory (dist/docker-jindr, real registries): an image
// of one 256 MiB layer is saved and loaded with a peak RSS (/usr/bin/time's max resident set)
// far below the layer's size (a command that holds it would peak above 256 MiB plus the
// ~75 MiB any command starts with). `-o -` writes the same archive to standard output. A
// save interrupted (SIGINT) half way leaves no file under the name asked for, nor its
// temporary one.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { e2e, startTestRegistry, type TestRegistry } from '../helpers/engine.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { pluginBinary, run } from '../helpers/run.ts';
import { pushBlobStream, randomStream } from '../helpers/stream-push.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();
const LAYER = 256 * 1024 * 1024;
const MiB = 1024 * 1024;

async function registry(): Promise<TestRegistry> {
  const r = await startTestRegistry();
  cleanups.push(() => r.remove());
  return r;
}

async function pushBig(host: string): Promise<string> {
  const layer = await pushBlobStream(host, 'big', randomStream(LAYER), 'application/vnd.oci.image.layer.v1.tar+gzip');
  const config = await pushBlobStream(
    host,
    'big',
    Readable.from([
      Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } })),
    ]),
    'application/vnd.oci.image.config.v1+json',
  );
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [layer] });
  const put = await fetch(`http://${host}/v2/big/manifests/v1`, {
    method: 'PUT',
    body: manifest,
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  if (put.status !== 201) throw new Error(`manifest: ${put.status}`);
  return 'sha256:' + createHash('sha256').update(manifest).digest('hex');
}

/** Runs the plugin under /usr/bin/time: its exit code and peak RSS in MiB. */
async function measured(args: string[], timeFile: string): Promise<{ code: number; stderr: string; rssMiB: number }> {
  const result = await run('/usr/bin/time', ['-o', timeFile, '-f', '%M', pluginBinary, ...args], { timeoutMs: 600_000 });
  const kib = Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1));
  return { code: result.code, stderr: result.stderr, rssMiB: Math.round(kib / 1024) };
}

e2e('save and load of a 256 MiB layer peak far below its size; -o - writes the same archive', async (t) => {
  const src = await registry();
  const dst = await registry();
  const digest = await pushBig(src.host);
  const dir = cleanups.tempDir('jindr-save-memory-');
  const file = join(dir, 'big.tar');

  const saved = await measured(['-r', src.host, 'save', 'big:v1', '-o', file], join(dir, 'time-save'));
  t.is(saved.code, 0, saved.stderr);
  t.log(`save: peak RSS ${saved.rssMiB} MiB for a ${LAYER / MiB} MiB layer`);
  t.true(saved.rssMiB < 160, `save peaked at ${saved.rssMiB} MiB`);
  t.true(statSync(file).size > LAYER);

  const loaded = await measured(['-r', dst.host, 'load', file], join(dir, 'time-load'));
  t.is(loaded.code, 0, loaded.stderr);
  t.log(`load: peak RSS ${loaded.rssMiB} MiB`);
  t.true(loaded.rssMiB < 160, `load peaked at ${loaded.rssMiB} MiB`);
  const raw = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${dst.host}/big:v1`]);
  t.is('sha256:' + createHash('sha256').update(raw.stdout).digest('hex'), digest);

  // The same bytes through standard output (a pipe).
  const piped = join(dir, 'piped.tar');
  const child = spawn(pluginBinary, ['-r', src.host, 'save', 'big:v1', '-o', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  await pipeline(child.stdout, createWriteStream(piped));
  t.is(await exited, 0);
  const hash = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
  t.is(hash(piped), hash(file), 'the same archive, byte for byte');
});

e2e('a save interrupted half way (SIGINT) leaves no archive and no temporary file', async (t) => {
  const src = await registry();
  await pushBig(src.host);
  const dir = cleanups.tempDir('jindr-save-interrupt-');
  const child = spawn(pluginBinary, ['-r', src.host, 'save', 'big:v1', '-o', join(dir, 'big.tar')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  // Wait until the temporary file holds part of the layer, then interrupt.
  const partial = (): boolean =>
    readdirSync(dir).some((f) => f.includes('.partial') && (statSync(join(dir, f), { throwIfNoEntry: false })?.size ?? 0) > 8 * MiB);
  await waitFor('the save to write part of the archive', partial, 120_000);
  child.kill('SIGINT');
  const code = await exited;
  t.not(code, 0, stderr);
  t.false(existsSync(join(dir, 'big.tar')));
  t.deepEqual(readdirSync(dir), [], 'the temporary file is gone too');
});
