// Ctrl-C in the middle of a copy, through the real executable, between real registry
// containers: the copy is stopped while a blob is going into the destination (its bytes
// already in the session's data file), exits with 130, and leaves no upload session in the
// destination's storage (the sessions are cancelled, not left for the weekly purge).
// Three 40 MB layers, one at a time, read through a proxy in front of the source that holds
// the answers once 10 MB have gone through: the copy then surely waits inside the first
// layer (at full speed, a busy machine's look at the destination could come after the copy
// ended, and did in CI). Not a slow proxy at the destination: the megabytes a slow link holds
// in its buffers when the signal comes must reach the registry before the PATCH ends, and
// at 2 MB/s they take longer than the 1.5 s a stopping copy gives them; the session then
// stays, for gc.
// Before this was fixed, the same run left one session per blob (4, up to 40 MB each).
import type { ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { e2e, registryImages, startTestRegistry, type TestRegistry } from '../helpers/engine.ts';
import { pushRandomImage } from '../helpers/images.ts';
import { docker, jindr, pluginBinary } from '../helpers/run.ts';
import { startThrottleProxy } from '../fakes/throttle-proxy.ts';

const REPOSITORIES = '/var/lib/registry/docker/registry/v2/repositories';

/** Every file under the registry's upload sessions, with its size: "SIZE PATH". */
async function uploadFiles(r: TestRegistry): Promise<string[]> {
  // Before the first push there is no repositories directory: find says so, and finds nothing.
  const { stdout } = await docker([
    'exec',
    r.name,
    'find',
    REPOSITORIES,
    '-path',
    '*/_uploads/*',
    '-type',
    'f',
    '-exec',
    'stat',
    '-c',
    '%s %n',
    '{}',
    '+',
  ]);
  return stdout.split('\n').filter((l) => l !== '');
}

/**
 * The upload sessions the registry still has: those with data or a start time. A DELETE on
 * 2.8.2 removes both, but the registry's own closing of the cancelled upload writes its
 * empty hash state again (hashstates/sha256/0, 108 bytes): a remnant without data, which the
 * registry no longer knows as a session, left out here.
 */
async function sessions(r: TestRegistry): Promise<string[]> {
  return (await uploadFiles(r)).filter((l) => /\/(data|startedat)$/.test(l));
}

async function registry(t: ExecutionContext, image: string): Promise<TestRegistry> {
  const r = await startTestRegistry({ image });
  t.teardown(() => r.remove());
  return r;
}

for (const [image, signal] of [
  [registryImages[1], 'SIGINT'],
  [registryImages[0], 'SIGTERM'],
] as const) {
  e2e(`${image}: ${signal} while a blob streams into the destination: exit 130, no upload session left there`, async (t) => {
    const src = await registry(t, image);
    const dst = await registry(t, image);
    await pushRandomImage(src.host, 'big', 'v1', { layers: 3, layerSize: 40_000_000 });
    const source = await startThrottleProxy(src.port, Infinity, { responses: true, holdAfter: 10_000_000 });
    t.teardown(() => source.close());
    // The held source may stay silent for longer than the 30 s a registry may by default.
    const env = { ...process.env, JINDR_TIMEOUT_MS: '600000' };
    const child = spawn(pluginBinary, ['-r', source.host, 'cp', '-j', '1', 'big:v1', dst.host], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    let ended = false;
    void exit.then(() => (ended = true));
    // The condition: the source holds its answers, and a session at the destination has bytes
    // in its data file.
    for (;;) {
      if (ended) break;
      if (!source.held()) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      const found = await sessions(dst);
      if (found.some((l) => l.endsWith('/data') && Number(l.split(' ')[0]) > 0)) break;
    }
    t.false(ended, `the copy ended before a blob was under way: ${stderr}`);
    child.kill(signal);
    const code = await exit;
    t.is(code, 130, stderr);
    t.notRegex(stderr, /^\s+at /m, 'no stack trace');
    t.notRegex(stderr, /^docker-jindr:/m, 'nothing to report: the user asked for it');
    t.deepEqual(await sessions(dst), [], 'no upload session left at the destination');
    const remnants = await uploadFiles(dst);
    t.true(
      remnants.every((l) => /^\d{1,3} \S+\/hashstates\/sha256\/0$/.test(l)),
      remnants.join('\n'),
    );
    const tags = await fetch(`http://${dst.host}/v2/big/tags/list`);
    t.true(tags.status === 404 || ((await tags.json()) as { tags: string[] | null }).tags === null, 'no tag');
    // And the same copy, run again, completes.
    const again = await jindr(['-r', src.host, 'cp', '-q', 'big:v1', dst.host], { timeoutMs: 120_000 });
    t.is(again.code, 0, again.stderr);
    t.deepEqual(await sessions(dst), []);
  });
}
