// The fixtures build what they claim: tar lists the archives, configs name their layers.
// That real tools agree (skopeo reads the digests back, the engine runs each platform)
// is checked end to end in test/e2e/fixtures.test.ts.
import test from 'ava';
import { gunzipSync } from 'node:zlib';
import { buildArchy, buildRandomImage, sha256, tar } from './images.ts';
import { run } from './run.ts';

test('the ustar writer makes archives tar itself lists', async (t) => {
  const archive = tar([
    { name: 'bin/', type: 'dir' },
    { name: 'bin/hello', type: 'file', mode: 0o755, data: Buffer.from('hi\n') },
    { name: 'bin/link', type: 'symlink', linkname: 'hello' },
  ]);
  const listed = await run('tar', ['-tvf', '-'], { input: archive });
  t.is(listed.code, 0, listed.stderr);
  t.regex(listed.stdout, /^drwxr-xr-x root\/root\s+0 .* bin\/$/m);
  t.regex(listed.stdout, /^-rwxr-xr-x root\/root\s+3 .* bin\/hello$/m);
  t.regex(listed.stdout, /^lrwxrwxrwx root\/root\s+0 .* bin\/link -> hello$/m);
});

test('archy is built once per format; its layers hold busybox for their platform', (t) => {
  const oci = buildArchy('oci');
  t.is(buildArchy('oci'), oci);
  t.not(buildArchy('docker').digest, oci.digest);
  t.deepEqual(
    oci.manifests.map((m) => m.platform.architecture),
    ['amd64', 'arm64'],
  );
  for (const m of oci.manifests) {
    const layer = gunzipSync(m.layers[0]!.bytes);
    const config = JSON.parse(m.config.bytes.toString()) as { rootfs: { diff_ids: string[] }; architecture: string };
    t.deepEqual(config.rootfs.diff_ids, [sha256(layer)]);
    t.is(config.architecture, m.platform.architecture);
  }
  const random = buildRandomImage({ layers: 4 });
  t.is(random.layers.length, 4);
  t.is(new Set(random.layers.map((l) => l.digest)).size, 4);
});
