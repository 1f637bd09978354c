// The strict tar reader and the writer save uses: what one writes the other (and GNU tar)
// reads back; a corrupt header, a cut archive and unknown entry types are refused.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import test from 'ava';
import { readTar, TarError, TarWriter, type TarEntry } from '../../src/registry/tar.ts';
import { tar as helperTar } from '../helpers/images.ts';

async function write(fn: (w: TarWriter) => Promise<void>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const w = new TarWriter(out);
  await fn(w);
  out.end();
  return Buffer.concat(chunks);
}

async function read(bytes: Buffer, chunk = 777): Promise<Array<TarEntry & { data: string }>> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) pieces.push(bytes.subarray(i, i + chunk));
  const entries: Array<TarEntry & { data: string }> = [];
  await readTar(Readable.from(pieces), async (entry, data) => {
    const parts: Buffer[] = [];
    for await (const p of data) parts.push(p);
    entries.push({ ...entry, data: Buffer.concat(parts).toString() });
  });
  return entries;
}

const long = `blobs/${'d'.repeat(120)}/file`;

test('what the writer writes, the reader reads back, long names (PAX) included, in pieces of any size', async (t) => {
  const bytes = await write(async (w) => {
    await w.file('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
    await w.directory('blobs');
    await w.stream(long, 5, Readable.from([Buffer.from('he'), Buffer.from('llo')]));
    await w.file('empty', Buffer.alloc(0));
    await w.end();
  });
  t.is(bytes.length % 512, 0);
  for (const chunk of [1, 511, 512, 513, 100_000]) {
    const entries = await read(bytes, chunk);
    t.deepEqual(
      entries.map((e) => [e.name, e.type, e.size, e.data]),
      [
        ['oci-layout', 'file', 30, '{"imageLayoutVersion":"1.0.0"}'],
        ['blobs/', 'directory', 0, ''],
        [long, 'file', 5, 'hello'],
        ['empty', 'file', 0, ''],
      ],
    );
  }
  // Offsets point at the data in the archive.
  const entries = await read(bytes);
  const e = entries.find((x) => x.name === long)!;
  t.is(bytes.subarray(e.offset, e.offset + 5).toString(), 'hello');
});

test('GNU tar reads what the writer writes, and the reader reads what GNU tar writes (long names, links)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-tar-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bytes = await write(async (w) => {
    await w.file(long.replaceAll('/', '_'), Buffer.from('x'));
    await w.end();
  });
  writeFileSync(join(dir, 'ours.tar'), bytes);
  t.is(execFileSync('tar', ['-tf', join(dir, 'ours.tar')]).toString(), `${long.replaceAll('/', '_')}\n`);
  execFileSync('sh', [
    '-c',
    `cd ${dir} && mkdir -p src && echo hi > src/${'n'.repeat(150)} && ln -s ${'n'.repeat(150)} src/link && tar --format=gnu -cf gnu.tar src && tar --format=pax -cf pax.tar src`,
  ]);
  for (const file of ['gnu.tar', 'pax.tar']) {
    const entries = await read(readFileSync(join(dir, file)));
    t.deepEqual(
      entries
        .filter((e) => e.type !== 'directory')
        .map((e) => [e.name, e.type, e.data || e.linkname])
        .sort(),
      [
        ['src/link', 'symlink', 'n'.repeat(150)],
        [`src/${'n'.repeat(150)}`, 'file', 'hi\n'],
      ],
      file,
    );
  }
});

const one = helperTar([{ name: 'a', type: 'file', data: Buffer.from('hello world') }]);

test('a corrupt header is refused (checksum)', async (t) => {
  const bad = Buffer.from(one);
  bad[0] = 'b'.charCodeAt(0);
  const err = await t.throwsAsync(read(bad), { instanceOf: TarError });
  t.regex(err.message, /checksum/);
});

test('an archive cut anywhere is refused as truncated: in a header, in the data, before the end-of-archive blocks', async (t) => {
  for (const at of [100, 512, 515, one.length - 1024]) {
    await t.throwsAsync(read(one.subarray(0, at)), { instanceOf: TarError, message: /truncated/ }, String(at));
  }
});

test('an entry type save and load have no use for (a device) is refused', async (t) => {
  const bad = Buffer.from(one);
  bad.write('3', 156, 'ascii');
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : bad[i]!;
  bad.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  await t.throwsAsync(read(bad), { instanceOf: TarError, message: /unsupported type/ });
});
