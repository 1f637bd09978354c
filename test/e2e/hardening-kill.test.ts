// The registry container is killed (docker kill) in the middle of a copy of a
// multi-layer image with --jobs 1: the source while a blob streams out of it, or the
// destination while one streams in. The copy fails with one line naming the registry
// that went away and leaves no tag; once the registry is started again, the same
// command finishes the copy with identical digests.
import { createHash } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import { e2e, registryImages, startTestRegistry, waitForRegistry, type TestRegistry } from '../helpers/engine.ts';
import { MEDIA_TYPES, pushRandomImage } from '../helpers/images.ts';
import { dockerOk, jindr, pluginBinary, runActingOnce } from '../helpers/run.ts';
import { startThrottleProxy } from '../fakes/throttle-proxy.ts';

async function registry(t: ExecutionContext, image: string): Promise<TestRegistry> {
  const r = await startTestRegistry({ image });
  t.teardown(() => r.remove());
  return r;
}

async function restart(r: TestRegistry): Promise<void> {
  await dockerOk(['start', r.name]);
  await waitForRegistry(`http://127.0.0.1:${r.port}/v2/`);
}

async function tags(host: string, repo: string): Promise<string[]> {
  const response = await fetch(`http://${host}/v2/${repo}/tags/list`);
  if (response.status === 404) return [];
  return ((await response.json()) as { tags: string[] | null }).tags ?? [];
}

/** The digest of the manifest the destination serves for repo:tag, computed from its bytes. */
async function servedDigest(host: string, repo: string, tag: string): Promise<string> {
  const response = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, { headers: { accept: MEDIA_TYPES.oci.manifest } });
  if (response.status !== 200) throw new Error(`${host}/${repo}:${tag}: HTTP ${response.status}`);
  return (
    'sha256:' +
    createHash('sha256')
      .update(Buffer.from(await response.arrayBuffer()))
      .digest('hex')
  );
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

const hostPattern = (host: string): string => host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

for (const victimSide of ['source', 'destination'] as const) {
  for (const image of victimSide === 'source' ? registryImages : (['registry:3'] as const)) {
    e2e(
      `${image}: the ${victimSide} registry is killed mid-copy: one line, no tag; after a restart the same copy completes with identical digests`,
      async (t) => {
        const src = await registry(t, image);
        const dst = await registry(t, image);
        const img = await pushRandomImage(src.host, 'big', 'v1', { layers: 3, layerSize: 4_000_000 });
        // Uploads at 2 MB/s through a proxy: each 4 MB layer streams for about 2 s, out of the source and into the destination.
        const proxy = await startThrottleProxy(dst.port, 2_000_000);
        t.teardown(() => proxy.close());
        const victim = victimSide === 'source' ? src : dst;
        const args = ['-r', src.host, 'cp', '-j', '1', 'big:v1', proxy.host];
        // Killed once the first blob has arrived, i.e. with the next one under way; the uploads
        // are held meanwhile, so the copy cannot end first, however long the kill takes.
        const kill = async () => {
          proxy.hold();
          await dockerOk(['kill', victim.name]);
          proxy.unthrottle();
        };
        const { code, stderr, acted } = await runActingOnce(pluginBinary, args, /: copied \(/, () => void kill());
        t.true(acted, stderr);
        t.is(code, 1, stderr);
        const ours = stderr.split('\n').filter((l) => l.startsWith('docker-jindr:'));
        t.is(ours.length, 1, stderr);
        t.log(ours[0]);
        t.is(stderr.trimEnd().split('\n').at(-1), ours[0]);
        t.notRegex(stderr, /\n\s+at /);
        // The line names the registry that went away (the destination is reached through the proxy).
        const named = victimSide === 'source' ? src.host : proxy.host;
        t.regex(
          ours[0] ?? '',
          new RegExp(
            `^docker-jindr: (no registry answers on ${hostPattern(named)} |${hostPattern(named)} (closed the connection|answered 503))`,
          ),
        );
        if (victimSide === 'destination') await restart(dst);
        t.deepEqual(await tags(dst.host, 'big'), [], 'no tag after the failed copy');
        if (victimSide === 'source') await restart(src);

        const again = await jindr(['-r', src.host, 'cp', '-j', '1', 'big:v1', dst.host], { timeoutMs: 120_000 });
        t.is(again.code, 0, again.stderr);
        t.deepEqual(await tags(dst.host, 'big'), ['v1']);
        t.is(await servedDigest(dst.host, 'big', 'v1'), img.digest);
        for (const blob of [img.config, ...img.layers]) t.is(await blobDigest(dst.host, 'big', blob.digest), blob.digest);
      },
    );
  }
}
