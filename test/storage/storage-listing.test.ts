import test from 'ava';
import { createHash } from 'node:crypto';
import { parseListing, readManifests } from '../../src/storage/storage-listing.ts';
import { blobPath } from '../../src/storage/storage-layout.ts';
import { storageOf, storageRoot } from '../../src/storage/storage-root.ts';
import type { Exec } from '../../src/server/container-exec.ts';

// Output of the listing script as a registry:3 container printed it (nested repositories a and a/b).
const listing = `N 1796028205
R ./archy/_manifests
R ./a/b/_manifests
R ./a/_manifests
R ./empty/_manifests
T ./archy/_manifests/tags/latest/current/link sha256:c000000000000000000000000000000000000000000000000000000000000000
T ./archy/_manifests/tags/v1.0_rc-1/current/link sha256:c000000000000000000000000000000000000000000000000000000000000000
T ./a/b/_manifests/tags/v1/current/link sha256:6e00000000000000000000000000000000000000000000000000000000000000
T ./a/_manifests/tags/v1/current/link sha256:2f00000000000000000000000000000000000000000000000000000000000000
V 1796000001 ./archy/_manifests/revisions/sha256/2b00000000000000000000000000000000000000000000000000000000000000/link
V 1796000002 ./archy/_manifests/revisions/sha256/c000000000000000000000000000000000000000000000000000000000000000/link
V 1796000003 ./a/b/_manifests/revisions/sha256/6e00000000000000000000000000000000000000000000000000000000000000/link
V 1796000004 ./a/_manifests/revisions/sha256/2f00000000000000000000000000000000000000000000000000000000000000/link
L 1796000005 ./a/b/_layers/sha256/0007390000000000000000000000000000000000000000000000000000000000/link
L 1796000006 ./archy/_layers/sha256/029ab10000000000000000000000000000000000000000000000000000000000/link
U 10 1796000007 ./a/b/_uploads/0f3e0000-1111-2222-3333-444444444444/startedat
U 20 1796000009 ./a/b/_uploads/0f3e0000-1111-2222-3333-444444444444/data
U 30 1796000008 ./a/b/_uploads/0f3e0000-1111-2222-3333-444444444444/hashstates/sha256/0
U 40 1796000010 ./new/_uploads/77aa0000-1111-2222-3333-444444444444/startedat
B 1173 1796000011 blobs/sha256/00/0007390000000000000000000000000000000000000000000000000000000000/data
B 1014406 1796000012 blobs/sha256/02/029ab10000000000000000000000000000000000000000000000000000000000/data
B 316 1796000013 blobs/sha512/05/05190000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000/data
`;

test('parseListing: repositories (nested and empty), tags, revisions and blob sizes', (t) => {
  const { repositories, blobs, times } = parseListing(listing);
  t.deepEqual(
    repositories.map((r) => ({ name: r.name, tags: Object.fromEntries(r.tags), manifests: r.manifests })),
    [
      {
        name: 'a',
        tags: { v1: 'sha256:2f00000000000000000000000000000000000000000000000000000000000000' },
        manifests: ['sha256:2f00000000000000000000000000000000000000000000000000000000000000'],
      },
      {
        name: 'a/b',
        tags: { v1: 'sha256:6e00000000000000000000000000000000000000000000000000000000000000' },
        manifests: ['sha256:6e00000000000000000000000000000000000000000000000000000000000000'],
      },
      {
        name: 'archy',
        tags: {
          latest: 'sha256:c000000000000000000000000000000000000000000000000000000000000000',
          'v1.0_rc-1': 'sha256:c000000000000000000000000000000000000000000000000000000000000000',
        },
        manifests: [
          'sha256:2b00000000000000000000000000000000000000000000000000000000000000',
          'sha256:c000000000000000000000000000000000000000000000000000000000000000',
        ],
      },
      { name: 'empty', tags: {}, manifests: [] },
    ],
  );
  t.deepEqual(Object.fromEntries(blobs), {
    'sha256:0007390000000000000000000000000000000000000000000000000000000000': 1173,
    'sha256:029ab10000000000000000000000000000000000000000000000000000000000': 1014406,
    'sha512:05190000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000': 316,
  });
  t.is(times.now, 1796028205);
  t.deepEqual(Object.fromEntries(times.blobs), {
    'sha256:0007390000000000000000000000000000000000000000000000000000000000': 1796000011,
    'sha256:029ab10000000000000000000000000000000000000000000000000000000000': 1796000012,
    'sha512:05190000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000': 1796000013,
  });
  t.deepEqual(Object.fromEntries(times.revisions), {
    'archy@sha256:2b00000000000000000000000000000000000000000000000000000000000000': 1796000001,
    'archy@sha256:c000000000000000000000000000000000000000000000000000000000000000': 1796000002,
    'a/b@sha256:6e00000000000000000000000000000000000000000000000000000000000000': 1796000003,
    'a@sha256:2f00000000000000000000000000000000000000000000000000000000000000': 1796000004,
  });
  t.deepEqual(Object.fromEntries(times.layers), {
    'a/b@sha256:0007390000000000000000000000000000000000000000000000000000000000': 1796000005,
    'archy@sha256:029ab10000000000000000000000000000000000000000000000000000000000': 1796000006,
  });
  t.deepEqual(Object.fromEntries(times.uploads), { 'a/b': 1796000009, new: 1796000010 }, 'the newest file of any upload, per repository');
});

test('parseListing: an empty storage', (t) => {
  const empty = parseListing('N 5\n');
  t.deepEqual(empty.repositories, []);
  t.deepEqual(empty.blobs, new Map());
  t.is(empty.times.now, 5);
});

test('storageRoot: the env override, else /var/lib/registry', (t) => {
  t.is(storageRoot(['PATH=/bin']), '/var/lib/registry');
  t.is(storageRoot(['REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY=/data/']), '/data');
  t.is(storageRoot(['REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY=']), '/var/lib/registry');
});

test('blobPath', (t) => {
  t.is(blobPath(`sha256:ab${'c'.repeat(62)}`), `blobs/sha256/ab/ab${'c'.repeat(62)}/data`);
  t.throws(() => blobPath('sha256:abcdef'), { message: /not a digest/ });
});

const sha = (s: string) => 'sha256:' + createHash('sha256').update(s).digest('hex');

test('readManifests splits cat output by the listed sizes and checks digests', async (t) => {
  const a = '{"schemaVersion":2,"layers":[{"digest":"sha256:11"}]}';
  const b = '{"schemaVersion":2}';
  const forged = '{"evil":1}';
  const files: Record<string, string> = { [blobPath(sha(a))]: a, [blobPath(sha(b))]: b, [blobPath(sha('x'))]: forged };
  const exec: Exec = async (cmd) => {
    t.is(cmd[4], '/var/lib/registry/docker/registry/v2');
    return {
      exitCode: 0,
      stdout: Buffer.from(
        cmd
          .slice(5)
          .map((p) => files[p]!)
          .join(''),
      ),
      stderr: '',
    };
  };
  const sizes = new Map([
    [sha(a), a.length],
    [sha(b), b.length],
    [sha('x'), forged.length],
  ]);
  const got = await readManifests(exec, '/var/lib/registry', [sha(a), sha(b), sha('x'), sha('gone')], sizes);
  t.deepEqual(got.get(sha(a)), { kind: 'ok', references: ['sha256:11'], subject: undefined });
  t.deepEqual(got.get(sha(b)), { kind: 'ok', references: [], subject: undefined });
  t.deepEqual(got.get(sha('x')), { kind: 'invalid', reason: 'content does not match its digest' });
  t.deepEqual(got.get(sha('gone')), { kind: 'missing' });
});

test('readManifests refuses output that does not add up', async (t) => {
  const exec: Exec = async () => ({ exitCode: 0, stdout: Buffer.from('{}extra'), stderr: '' });
  await t.throwsAsync(readManifests(exec, '/r', [sha('{}')], new Map([[sha('{}'), 2]])), { message: /changed while it was read/ });
});

const defaultConfig = `version: 0.1
log:
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /var/lib/registry
  delete:
    enabled: true
http:
  addr: :5000
`;

test('storageOf: filesystem root from the config file, env overrides it', (t) => {
  t.deepEqual(storageOf(defaultConfig, []), { driver: 'filesystem', root: '/var/lib/registry' });
  t.deepEqual(storageOf(defaultConfig.replace('/var/lib/registry', '"/data/reg" # here'), []), { driver: 'filesystem', root: '/data/reg' });
  t.deepEqual(storageOf(defaultConfig, ['REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY=/env']), { driver: 'filesystem', root: '/env' });
  t.deepEqual(storageOf('', []), { driver: 'filesystem', root: '/var/lib/registry' });
});

test('storageOf: other drivers are named, from the file or REGISTRY_STORAGE', (t) => {
  const s3 = 'storage:\n  cache:\n    blobdescriptor: inmemory\n  s3:\n    region: us-east-1\n    bucket: b\nhttp:\n  addr: :5000\n';
  t.is(storageOf(s3, []).driver, 's3');
  t.is(storageOf(defaultConfig, ['REGISTRY_STORAGE=gcs']).driver, 'gcs');
  t.is(storageOf('storage:\n  inmemory:\n', []).driver, 'inmemory');
});
