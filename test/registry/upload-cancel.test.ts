// A copy that is interrupted or fails cancels the upload sessions it opened at the
// destination (DELETE at the session's last location), within a short bound, without
// hiding why it stopped. The destination is the in-process registry keeping sessions as
// distribution does (uploadState: a DELETE at a location older than the data is refused and
// the session stays), so cutting a PATCH instead of ending it would leave the session there.
// Against a real registry container and a real Ctrl-C: test/e2e/copy-interrupt.test.ts.
import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { InterruptedError, RegistryError } from '../../src/errors.ts';
import { DigestMismatchError } from '../../src/registry/blobs.ts';
import { RegistryClient } from '../../src/registry/client.ts';
import { copyImages, type CopyEvents } from '../../src/registry/copy.ts';
import { CANCEL_MS } from '../../src/registry/upload.ts';
import { startOciRegistry, type OciRegistry } from '../fakes/oci-registry.ts';
import { buildRandomImage, type BuiltManifest } from '../helpers/images.ts';

interface Ends {
  src: OciRegistry;
  dst: OciRegistry;
  image: BuiltManifest;
  /** The one layer (the blob the faults aim at). */
  layer: string;
  controller: AbortController;
  copy(events?: CopyEvents): Promise<unknown>;
}

async function ends(t: ExecutionContext, layerSize = 1_000_000): Promise<Ends> {
  const src = await startOciRegistry();
  const dst = await startOciRegistry({ uploadState: true });
  t.teardown(src.close);
  t.teardown(dst.close);
  const image = buildRandomImage({ layers: 1, layerSize });
  src.store.pushImage('app', 'v1', image);
  const controller = new AbortController();
  // As a command makes them: Ctrl-C aborts every request of both clients.
  const client = (fake: OciRegistry) => {
    const c = new RegistryClient(fake.host, { retries: 1, signal: controller.signal });
    t.teardown(() => c.close());
    return c;
  };
  const [from, to] = [
    { client: client(src), repository: 'app' },
    { client: client(dst), repository: 'app' },
  ];
  return {
    src,
    dst,
    image,
    layer: image.layers[0]!.digest,
    controller,
    copy: (events) => copyImages(from, to, [{ source: 'v1', tag: 'v1' }], { signal: controller.signal, events, attempts: 1 }),
  };
}

const requests = (fake: OciRegistry, method: string) => fake.log.filter((r) => r.method === method && r.path.includes('/blobs/uploads/'));

/** Nothing of the copy at the destination: no session, no tag, the layer not committed. */
function nothingLeft(t: ExecutionContext, e: Ends): void {
  t.is(e.dst.store.uploads.size, 0, 'no upload session left');
  t.is(e.dst.store.manifest('app', 'v1'), undefined);
  t.is(e.dst.store.blob('app', e.layer), undefined);
  t.true(
    requests(e.dst, 'DELETE').every((r) => r.status === 204),
    e.dst.requests().join('\n'),
  );
}

test('Ctrl-C after the POST, before any byte: the session is cancelled', async (t) => {
  const e = await ends(t);
  e.src.faults.add({ method: 'GET', path: e.layer, stall: true });
  const copying = e.copy();
  // The layer is asked of the source once its session is open.
  await e.src.arrived((r) => r.method === 'GET' && r.path.endsWith(e.layer));
  e.controller.abort(new InterruptedError());
  await t.throwsAsync(copying, { instanceOf: InterruptedError });
  // The layer's session, and the config's if its copy was not done yet.
  t.true(requests(e.dst, 'DELETE').length >= 1);
  nothingLeft(t, e);
});

test('Ctrl-C in the middle of the PATCH: it ends where it is, and the session at its new location is cancelled', async (t) => {
  const e = await ends(t);
  e.src.faults.add({ method: 'GET', path: e.layer, cut: 300_000, stall: true });
  let sent = 0;
  let flowing: () => void = () => {};
  const halfway = new Promise<void>((resolve) => (flowing = resolve));
  const copying = e.copy({
    blobBytes: (digest, n) => {
      if (digest !== e.layer) return;
      sent += n;
      if (sent >= 300_000) flowing();
    },
  });
  await halfway;
  await e.dst.arrived((r) => r.method === 'PATCH');
  const started = Date.now();
  e.controller.abort(new InterruptedError());
  await t.throwsAsync(copying, { instanceOf: InterruptedError });
  t.true(Date.now() - started < 2 * CANCEL_MS, `ended ${Date.now() - started} ms after Ctrl-C`);
  const patches = requests(e.dst, 'PATCH');
  t.true(patches.length >= 1 && patches.every((r) => r.status === 202), 'the PATCH was ended, not cut');
  // The PATCH ends with the bytes that reached the destination by then (up to the 300 000 the
  // source sent): its answer's location names that offset, the POST's named 0, and the fake
  // refuses a DELETE at any offset but the data's; so a 204 at a non-zero offset is that location.
  const deleted = requests(e.dst, 'DELETE').find((r) => r.path === patches[0]?.path);
  const offset = Number(new URLSearchParams(deleted?.query ?? '').get('_state'));
  t.true(
    deleted?.status === 204 && offset > 0 && offset <= 300_000,
    `the DELETE went to the location the PATCH answered (${deleted?.query})`,
  );
  nothingLeft(t, e);
});

test('a source that fails mid-stream: named as the cause, the session cancelled', async (t) => {
  const e = await ends(t);
  e.src.faults.add({ method: 'GET', path: e.layer, cut: 200_000 });
  const err = await t.throwsAsync(e.copy(), { instanceOf: RegistryError });
  t.true(err.message.includes(e.src.host), err.message);
  t.false(err.message.includes(e.dst.host), err.message);
  t.is(requests(e.dst, 'PUT').filter((r) => r.query.includes(e.layer)).length, 0, 'nothing committed');
  t.is(requests(e.dst, 'DELETE').length, 1);
  nothingLeft(t, e);
});

test('bytes that do not match their digest: refused, never committed, the session cancelled', async (t) => {
  const e = await ends(t);
  const size = e.image.layers[0]!.bytes.length;
  e.src.faults.add({ method: 'GET', path: e.layer, status: 200, body: randomBytes(size), contentType: 'application/octet-stream' });
  await t.throwsAsync(e.copy(), { instanceOf: DigestMismatchError, message: /arrived with content hashing to/ });
  t.is(requests(e.dst, 'PUT').filter((r) => r.query.includes(e.layer)).length, 0, 'nothing committed');
  nothingLeft(t, e);
});

const full = JSON.stringify({
  errors: [{ code: 'UNKNOWN', message: 'unknown error', detail: { Op: 'write', Path: '/var/lib/registry/x/data', Err: 28 } }],
});

test("a full destination: the error says which of the copy's own uploads were cancelled", async (t) => {
  const e = await ends(t);
  e.dst.faults.add({ method: 'PATCH', status: 500, body: full, contentType: 'application/json' });
  const err = await t.throwsAsync(e.copy(), { instanceOf: RegistryError });
  t.regex(
    err.message,
    /its storage is full \(no space left on device\): free some space there, then try again \(this copy cancelled its 2 unfinished uploads there\)$/,
  );
  t.notRegex(err.message, /\n/);
  nothingLeft(t, e);
});

test('a full destination that refuses the DELETE: the error points at gc for what stays', async (t) => {
  const e = await ends(t);
  e.dst.faults.add({ method: 'PATCH', status: 500, body: full, contentType: 'application/json' });
  e.dst.faults.add({ method: 'DELETE', status: 405, code: 'UNSUPPORTED' });
  const err = await t.throwsAsync(e.copy(), { instanceOf: RegistryError });
  t.regex(
    err.message,
    /free some space there, then try again \(this copy's 2 unfinished uploads stay there until the registry purges them, or `docker jindr gc --grace 0s` removes them from a registry docker-jindr runs\)$/,
  );
  t.is(e.dst.store.uploads.size, 2);
});

test('a DELETE that never answers does not hold Ctrl-C: the copy ends within the bound', async (t) => {
  const e = await ends(t);
  e.src.faults.add({ method: 'GET', path: e.layer, stall: true });
  e.dst.faults.add({ method: 'DELETE', stall: true });
  const copying = e.copy();
  await e.src.arrived((r) => r.method === 'GET' && r.path.endsWith(e.layer));
  const started = Date.now();
  e.controller.abort(new InterruptedError());
  await t.throwsAsync(copying, { instanceOf: InterruptedError });
  const took = Date.now() - started;
  t.true(took >= CANCEL_MS - 100 && took < 2 * CANCEL_MS + 1000, `ended ${took} ms after Ctrl-C`);
});
