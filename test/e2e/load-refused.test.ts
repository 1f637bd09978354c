// Bad archives are refused by load before anything is pushed (dist/docker-jindr against a
// real registry): a truncated tar, a blob whose content does not match its digest, paths
// leading out of the archive (../x, an absolute path, a symbolic or hard link pointing
// out), a missing blob. Each: exit 1, one line, and the registry's catalog stays empty (an
// upload session alone would list the repository there).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2e, startTestRegistry, type TestRegistry } from '../helpers/engine.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { buildRandomImage, tar, type TarEntry } from '../helpers/images.ts';
import { jindr } from '../helpers/run.ts';

const cleanups = cleanupsAfterAll();
let shared: TestRegistry | undefined;

async function registry(): Promise<TestRegistry> {
  if (!shared) {
    shared = await startTestRegistry();
    const r = shared;
    cleanups.push(() => r.remove());
  }
  return shared;
}

const image = buildRandomImage({ layers: 2, layerSize: 4096 });
const blobEntry = (digest: string, data: Buffer): TarEntry => ({ name: `blobs/sha256/${digest.slice(7)}`, type: 'file', data });

/** A good OCI layout of `image`, named app:v1, with its entries changed by edit. */
function layout(edit: (entries: TarEntry[]) => TarEntry[] = (e) => e): Buffer {
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: image.mediaType,
        digest: image.digest,
        size: image.size,
        annotations: { 'org.opencontainers.image.ref.name': 'example.com/app:v1' },
      },
    ],
  };
  const entries: TarEntry[] = [
    { name: 'oci-layout', type: 'file', data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
    { name: 'index.json', type: 'file', data: Buffer.from(JSON.stringify(index)) },
    { name: 'blobs/', type: 'dir' },
    { name: 'blobs/sha256/', type: 'dir' },
    blobEntry(image.digest, image.bytes),
    blobEntry(image.config.digest, image.config.bytes),
    ...image.layers.map((l) => blobEntry(l.digest, l.bytes)),
  ];
  return tar(edit(entries));
}

/** A tar's header typeflag changed (the helper writes no hard links), checksum recomputed. */
function asHardLink(archive: Buffer, name: string): Buffer {
  const out = Buffer.from(archive);
  for (let at = 0; at < out.length; at += 512) {
    if (
      out
        .subarray(at, at + 100)
        .toString('utf8')
        .replace(/\0.*$/s, '') !== name
    )
      continue;
    out.write('1', at + 156, 'ascii');
    out.fill(0x20, at + 148, at + 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += out[at + i]!;
    out.write(sum.toString(8).padStart(6, '0') + '\0 ', at + 148, 'ascii');
    return out;
  }
  throw new Error(`no entry ${name}`);
}

const good = layout();
const layer = image.layers[0]!;
const cases: Array<[string, Buffer, RegExp]> = [
  ['a truncated archive', good.subarray(0, Math.floor(good.length / 2)), /truncated/],
  [
    'a blob whose content does not match its digest',
    layout((e) => e.map((x) => (x.name.endsWith(layer.digest.slice(7)) ? { ...x, data: Buffer.from(layer.bytes).fill(7, 100, 110) } : x))),
    new RegExp(`blob ${layer.digest} does not match its content`),
  ],
  ['a path with ..', layout((e) => [...e, { name: 'blobs/../../x', type: 'file', data: Buffer.from('x') }]), /path leading out of it/],
  ['an absolute path', layout((e) => [...e, { name: '/tmp/x', type: 'file', data: Buffer.from('x') }]), /absolute path/],
  [
    'a symbolic link pointing out',
    layout((e) => [...e, { name: 'blobs/sha256/evil', type: 'symlink', linkname: '../../../etc/passwd' }]),
    /link "blobs\/sha256\/evil" pointing out of it/,
  ],
  [
    'a symbolic link to an absolute path',
    layout((e) => [...e, { name: 'evil', type: 'symlink', linkname: '/etc/passwd' }]),
    /link "evil" to an absolute path/,
  ],
  [
    'a hard link pointing out',
    asHardLink(
      layout((e) => [...e, { name: 'evil', type: 'symlink', linkname: '../outside' }]),
      'evil',
    ),
    /link "evil" pointing out of it/,
  ],
  [
    'a missing blob',
    layout((e) => e.filter((x) => !x.name.endsWith(layer.digest.slice(7)))),
    new RegExp(`blob ${layer.digest} is missing`),
  ],
  ['not a tar at all', Buffer.from('hello, this is not a tar file'.repeat(40)), /corrupt header|not ustar|truncated/],
];

for (const [what, bytes, message] of cases) {
  e2e(`load refuses ${what} before pushing anything, in one line`, async (t) => {
    const r = await registry();
    const dir = cleanups.tempDir('jindr-load-bad-');
    const file = join(dir, 'bad.tar');
    writeFileSync(file, bytes);
    const result = await jindr(['-r', r.host, 'load', file]);
    t.is(result.code, 1, result.stderr);
    t.is(result.stdout, '');
    t.is(result.stderr.trim().split('\n').length, 1, result.stderr);
    t.regex(result.stderr, /^docker-jindr: /);
    t.regex(result.stderr, message);
    const catalog = (await (await fetch(`http://${r.host}/v2/_catalog`)).json()) as { repositories: string[] };
    t.deepEqual(catalog.repositories, [], 'nothing pushed');
  });
}

e2e('the good archive those are made from loads (the cases above fail for their one fault)', async (t) => {
  const r = await startTestRegistry();
  cleanups.push(() => r.remove());
  const dir = cleanups.tempDir('jindr-load-good-');
  const file = join(dir, 'good.tar');
  writeFileSync(file, good);
  const result = await jindr(['-r', r.host, 'load', file]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, new RegExp(`${r.host}/app:v1 +${image.digest}`));
});
