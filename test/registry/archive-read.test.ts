// load's first pass over an archive: links inside the archive resolve to the file they name
// (docker save before Docker 25 links a layer seen twice: ../<id>/layer.tar), every file is
// hashed with its data's offset noted; a dangling link, a name given twice and a gzip file
// are refused.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import test, { type ExecutionContext } from 'ava';
import { ArchiveError, readArchive, safeName } from '../../src/registry/archive-read.ts';
import { sha256, tar, type TarEntry } from '../helpers/images.ts';

function archive(t: ExecutionContext, bytes: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-archive-read-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a.tar'), bytes);
  return join(dir, 'a.tar');
}

const layer = Buffer.from('layer bytes');
const entries: TarEntry[] = [
  { name: 'abc/', type: 'dir' },
  { name: 'abc/layer.tar', type: 'file', data: layer },
  { name: 'def/', type: 'dir' },
  { name: 'def/layer.tar', type: 'symlink', linkname: '../abc/layer.tar' },
  { name: './ghi/layer.tar', type: 'symlink', linkname: '../def/layer.tar' },
  { name: 'manifest.json', type: 'file', data: Buffer.from('[]') },
];

test('links inside the archive resolve to their file, through other links; files are hashed and located', async (t) => {
  const file = archive(t, tar(entries));
  const contents = await readArchive(file);
  for (const name of ['abc/layer.tar', 'def/layer.tar', 'ghi/layer.tar']) {
    const f = contents.files.get(name)!;
    t.is(f.digest, sha256(layer), name);
    t.is(
      readFileSync(file)
        .subarray(f.offset, f.offset + f.size)
        .toString(),
      'layer bytes',
    );
  }
  t.is(contents.top.get('manifest.json')?.toString(), '[]');
});

test('a dangling link, a name given twice and a gzip-compressed archive are refused', async (t) => {
  await t.throwsAsync(readArchive(archive(t, tar([...entries, { name: 'x', type: 'symlink', linkname: 'nothing' }]))), {
    instanceOf: ArchiveError,
    message: /the link "x" points at nothing/,
  });
  await t.throwsAsync(readArchive(archive(t, tar([...entries, { name: 'abc/layer.tar', type: 'file', data: layer }]))), {
    instanceOf: ArchiveError,
    message: /holds "abc\/layer.tar" twice/,
  });
  await t.throwsAsync(readArchive(archive(t, gzipSync(tar(entries)))), {
    instanceOf: ArchiveError,
    message: /gzip-compressed: gunzip it first/,
  });
});

test('names: ./ and // are tidied; .., absolute and backslashed names are refused', (t) => {
  t.is(safeName('./blobs//sha256/./x'), 'blobs/sha256/x');
  for (const bad of ['../x', 'a/../../x', 'a/..', '/etc/passwd', 'C:/x', 'a\\..\\x']) t.throws(() => safeName(bad), undefined, bad);
});
