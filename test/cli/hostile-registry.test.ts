// Whole commands against a hostile registry (the in-process fake's faults): each ends with
// one line naming the registry at fault (and the limit or the setting to change), exit
// code 1, no stack trace, in seconds. The minimum rate's window is shortened through the
// environment (JINDR_RATE_WINDOW_MS) so the tests wait seconds, not the default minute.
import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { closedHost, startOciRegistry, type FaultSpec, type OciRegistry } from '../fakes/oci-registry.ts';
import { buildManifest, tar } from '../helpers/images.ts';
import { dockerConfigEnv, jindrInProcess } from '../helpers/in-process.ts';

const small = buildManifest(
  'oci',
  { os: 'linux', architecture: 'amd64' },
  [tar([{ name: 'a.txt', type: 'file', data: Buffer.from('small\n') }])],
  ['/a.txt'],
);
// Big enough that a destination that stops reading fills the socket's buffers on both sides.
const big = buildManifest(
  'oci',
  { os: 'linux', architecture: 'amd64' },
  [tar([{ name: 'big.bin', type: 'file', data: randomBytes(24 * 1024 * 1024) }])],
  ['/big.bin'],
  0,
);

interface World {
  src: OciRegistry;
  dst: OciRegistry;
  env: NodeJS.ProcessEnv;
}

async function world(t: ExecutionContext, env: Record<string, string> = {}): Promise<World> {
  const [src, dst] = await Promise.all([startOciRegistry(), startOciRegistry()]);
  t.teardown(src.close);
  t.teardown(dst.close);
  src.store.pushImage('app', 'v1', small);
  src.store.pushImage('big', 'v1', big);
  const config = dockerConfigEnv();
  t.teardown(config.cleanup);
  return { src, dst, env: { ...config.env, ...env } };
}

async function fails(t: ExecutionContext, w: World, argv: string[], message: RegExp, withinMs: number): Promise<string> {
  const started = Date.now();
  const result = await jindrInProcess(argv, { env: w.env });
  const took = Date.now() - started;
  t.is(result.code, 1, result.stderr);
  t.regex(result.stderr, message);
  const lines = result.stderr.split('\n').filter((l) => l !== '' && !/^retrying|^ {2}/.test(l));
  t.is(lines.filter((l) => l.startsWith('docker-jindr: ')).length, 1, result.stderr);
  t.notRegex(result.stderr, /\n\s+at /, 'no stack trace');
  t.true(took < withinMs, `took ${took} ms`);
  return result.stderr;
}

const esc = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('inspect: a manifest announced as 2 GiB is refused naming the 4 MiB limit, memory bounded', async (t) => {
  const w = await world(t);
  w.src.faults.add({ method: 'GET', path: '/manifests/', flood: { announce: 2 ** 31 } });
  const before = process.memoryUsage().rss;
  await fails(
    t,
    w,
    ['-r', w.src.host, 'inspect', 'app:v1'],
    new RegExp(
      `^docker-jindr: ${esc(w.src.host)} sent a manifest larger than 4 MiB \\(the limit\\) for GET /v2/app/manifests/v1: not read\\n$`,
    ),
    10_000,
  );
  t.true(process.memoryUsage().rss - before < 64 * 1024 * 1024);
});

test('inspect: an answer with both Content-Length and Transfer-Encoding is refused as malformed', async (t) => {
  const w = await world(t);
  w.src.faults.add({
    method: 'GET',
    path: '/manifests/',
    raw: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  });
  await fails(
    t,
    w,
    ['-r', w.src.host, 'inspect', 'app:v1'],
    new RegExp(
      `^docker-jindr: request to ${esc(w.src.host)} failed: malformed HTTP answer: it has both Content-Length and Transfer-Encoding\\n$`,
    ),
    10_000,
  );
});

test('ls: an error answer whose body never ends is refused at 64 KiB', async (t) => {
  const w = await world(t);
  w.src.faults.add({ path: '/_catalog', status: 500, flood: { framing: 'close' } });
  await fails(t, w, ['-r', w.src.host, 'ls'], /sent an error answer \(500\) larger than 64 KiB \(the limit\)/, 15_000);
});

test('cp to a port where nothing listens fails at once with "no registry answers", not after retrying', async (t) => {
  const w = await world(t);
  const closed = await closedHost();
  await fails(
    t,
    w,
    ['-r', w.src.host, 'cp', 'app:v1', closed],
    new RegExp(`^docker-jindr: no registry answers on ${esc(closed)} \\(start one with`),
    5_000,
  );
});

test('cp from a source that stalls: the timeout names the source', async (t) => {
  const w = await world(t, { JINDR_TIMEOUT_MS: '500' });
  w.src.faults.add({ method: 'GET', path: '/manifests/', stall: true });
  await fails(
    t,
    w,
    ['-r', w.src.host, 'cp', 'app:v1', w.dst.host],
    new RegExp(`docker-jindr: ${esc(w.src.host)} did not answer within 0.5 s \\(JINDR_TIMEOUT_MS`),
    15_000,
  );
});

test('cp from a source dripping its manifest: ended by the minimum rate, naming the source and the settings', async (t) => {
  const w = await world(t, { JINDR_MIN_RATE: '100', JINDR_RATE_WINDOW_MS: '1000' });
  w.src.faults.add({ method: 'GET', path: '/manifests/', dripMs: 200 });
  await fails(
    t,
    w,
    ['-r', w.src.host, 'cp', 'app:v1', w.dst.host],
    new RegExp(`docker-jindr: ${esc(w.src.host)} sent too slowly: .*JINDR_MIN_RATE`),
    10_000,
  );
});

test('cp to a destination that stops reading the upload: the timeout and the retry lines name the destination, never the source', async (t) => {
  const w = await world(t, { JINDR_TIMEOUT_MS: '1500' });
  const fault: FaultSpec = { method: 'PUT', path: '/blobs/uploads/', unread: true };
  w.dst.faults.add(fault);
  const stderr = await fails(
    t,
    w,
    ['-r', w.src.host, 'cp', 'big:v1', w.dst.host],
    new RegExp(`docker-jindr: ${esc(w.dst.host)} did not answer within 1.5 s`),
    60_000,
  );
  t.notRegex(stderr, new RegExp(esc(w.src.host)), stderr);
});
