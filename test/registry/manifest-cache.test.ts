// The listing's cache: a second listing asks each known tag with a HEAD and fetches only
// what it has not seen; a tag that moved, a tag deleted, a damaged cache file and a
// client without a cache directory all still give the right rows. A small registry
// speaking the distribution protocol (tags, manifests GET/HEAD, blobs) records requests.
import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registryCacheFile } from '../../src/registry/cache-file.ts';
import { RegistryClient } from '../../src/registry/client.ts';
import { listImages } from '../../src/registry/images.ts';
import { MEDIA } from '../../src/registry/manifest.ts';

const sha = (b: Buffer): string => 'sha256:' + createHash('sha256').update(b).digest('hex');

function image(arch: string): { manifest: Buffer; config: Buffer } {
  const config = Buffer.from(JSON.stringify({ os: 'linux', architecture: arch, rootfs: { type: 'layers', diff_ids: [] } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [],
    }),
  );
  return { manifest, config };
}

function index(children: Buffer[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociIndex,
      manifests: children.map((c, i) => ({
        mediaType: MEDIA.ociManifest,
        digest: sha(c),
        size: c.length,
        platform: { os: 'linux', architecture: `arch${i}` },
      })),
    }),
  );
}

/** A registry of one repository, x, whose tags point at manifests by digest; records every request. */
async function registry(t: { teardown(fn: () => unknown): void }) {
  const manifests = new Map<string, Buffer>();
  const blobs = new Map<string, Buffer>();
  const tags = new Map<string, string>();
  const log: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    log.push(`${req.method} ${url.pathname}`);
    if (url.pathname === '/v2/x/tags/list') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ name: 'x', tags: [...tags.keys()] }));
    }
    const m = /^\/v2\/x\/(manifests|blobs)\/(.+)$/.exec(url.pathname);
    const digest = m?.[1] === 'manifests' ? (tags.get(m[2]!) ?? m[2]!) : m?.[2];
    const body = m?.[1] === 'manifests' ? manifests.get(digest!) : blobs.get(digest!);
    if (!body) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'unknown' }] }));
    }
    const type = m?.[1] === 'manifests' ? (JSON.parse(body.toString()) as { mediaType: string }).mediaType : 'application/octet-stream';
    res.writeHead(200, { 'content-type': type, 'docker-content-digest': digest!, 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const cacheDir = mkdtempSync(join(tmpdir(), 'jindr-manifest-cache-'));
  const clients: RegistryClient[] = [];
  t.teardown(async () => {
    await Promise.all(clients.map((c) => c.close()));
    server.closeAllConnections();
    server.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });
  const put = (tag: string, img: { manifest: Buffer; config?: Buffer }) => {
    manifests.set(sha(img.manifest), img.manifest);
    if (img.config) blobs.set(sha(img.config), img.config);
    tags.set(tag, sha(img.manifest));
  };
  /** Lists with a fresh client (a new process, as far as the cache knows); the requests it made. */
  const list = async (options: { cache?: boolean } = {}) => {
    const client = new RegistryClient(host, { retries: 0, ...(options.cache === false ? {} : { cacheDir }) });
    clients.push(client);
    log.length = 0;
    const rows = await listImages(client, ['x']);
    return { rows: rows.map((r) => `${r.tag} ${r.digest.slice(7, 15)} ${r.platforms.join(',')} ${r.size}`), requests: [...log].sort() };
  };
  return { host, cacheDir, put, tags, manifests, list };
}

test('a second listing HEADs each tag and fetches nothing it has seen', async (t) => {
  const reg = await registry(t);
  const arm = image('arm64');
  const amd = image('amd64');
  reg.put('a', arm);
  reg.put('b', amd);
  reg.put('both', { manifest: index([arm.manifest, amd.manifest]) });
  const first = await reg.list();
  t.deepEqual(first.requests.filter((r) => r.startsWith('GET /v2/x/manifests/')).length, 3, 'one GET per tag, by tag');
  t.is(first.requests.filter((r) => r.startsWith('GET /v2/x/blobs/')).length, 2);
  t.false(first.requests.some((r) => r.startsWith('HEAD')));

  const file = registryCacheFile(reg.cacheDir, 'manifests', reg.host);
  const written = statSync(file).mtimeMs;
  const second = await reg.list();
  t.deepEqual(second.rows, first.rows);
  t.deepEqual(second.requests, ['GET /v2/x/tags/list', 'HEAD /v2/x/manifests/a', 'HEAD /v2/x/manifests/b', 'HEAD /v2/x/manifests/both']);
  // Nothing new: the file is left as it was.
  t.is(statSync(file).mtimeMs, written);
  t.deepEqual(readdirSync(join(reg.cacheDir, 'manifests')), [file.split('/').at(-1)]);
});

test('a tag that moved costs its new manifest and config; a new tag one GET; a deleted tag is gone', async (t) => {
  const reg = await registry(t);
  reg.put('a', image('arm64'));
  reg.put('b', image('amd64'));
  await reg.list();
  const moved = image('riscv64');
  reg.put('a', moved);
  reg.put('c', image('s390x'));
  reg.tags.delete('b');
  const again = await reg.list();
  t.deepEqual(
    again.rows.map((r) => r.split(' ').slice(0, 3).join(' ')),
    [`a ${sha(moved.manifest).slice(7, 15)} linux/riscv64`, `c ${again.rows[1]!.split(' ')[1]} linux/s390x`],
  );
  t.deepEqual(
    again.requests,
    [
      'GET /v2/x/blobs/' + sha(moved.config),
      'GET /v2/x/blobs/' + (JSON.parse(reg.manifests.get(reg.tags.get('c')!)!.toString()) as { config: { digest: string } }).config.digest,
      `GET /v2/x/manifests/${sha(moved.manifest)}`,
      'GET /v2/x/manifests/c',
      'GET /v2/x/tags/list',
      'HEAD /v2/x/manifests/a',
    ].sort(),
  );
});

test('a damaged cache file costs requests, never a wrong row; without a cache directory nothing is kept', async (t) => {
  const reg = await registry(t);
  reg.put('a', image('arm64'));
  const first = await reg.list();
  const file = registryCacheFile(reg.cacheDir, 'manifests', reg.host);
  const stored = JSON.parse(readFileSync(file, 'utf8')) as { m: Record<string, [number, string, string]>; c: Record<string, string[]> };
  // The kept manifest altered (its key still the old digest), the config table gone.
  for (const entry of Object.values(stored.m)) entry[2] = entry[2].replace('amd64', 'arm64').replace('"layers":[]', '"layers": []');
  stored.c = {};
  writeFileSync(file, JSON.stringify(stored));
  const second = await reg.list();
  t.deepEqual(second.rows, first.rows);
  t.true(second.requests.includes(`GET /v2/x/manifests/${reg.tags.get('a')}`), 'refetched by digest');
  writeFileSync(file, '{"v":1,"m":');
  t.deepEqual((await reg.list()).rows, first.rows);

  const plain = await reg.list({ cache: false });
  t.deepEqual(plain.rows, first.rows);
  t.false(plain.requests.some((r) => r.startsWith('HEAD')));
});
