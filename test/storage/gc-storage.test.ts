import test from 'ava';
import { createHash } from 'node:crypto';
import { blobPath, parseListing, readManifests, storageOf, storageRoot, type Exec } from '../../src/storage/gc-storage.ts';

// Output of the listing script as a registry:3 container printed it (nested repositories a and a/b).
const listing = `R ./archy/_manifests
R ./a/b/_manifests
R ./a/_manifests
R ./empty/_manifests
T ./archy/_manifests/tags/latest/current/link sha256:c0
T ./archy/_manifests/tags/v1.0_rc-1/current/link sha256:c0
T ./a/b/_manifests/tags/v1/current/link sha256:6e
T ./a/_manifests/tags/v1/current/link sha256:2f
V ./archy/_manifests/revisions/sha256/2b/link
V ./archy/_manifests/revisions/sha256/c0/link
V ./a/b/_manifests/revisions/sha256/6e/link
V ./a/_manifests/revisions/sha256/2f/link
-rw-r--r--    1 0        0             1173 Nov 23 11:47 blobs/sha256/00/000739/data
-rw-r--r--    1 0        0          1014406 Nov 23 11:47 blobs/sha256/02/029ab1/data
-rw-r--r--. 1 1000 1000 316 Jan  1  2024 blobs/sha512/05/0519/data
`;

test('parseListing: repositories (nested and empty), tags, revisions and blob sizes', (t) => {
  const { repositories, blobs } = parseListing(listing);
  t.deepEqual(
    repositories.map((r) => ({ name: r.name, tags: Object.fromEntries(r.tags), manifests: r.manifests })),
    [
      { name: 'a', tags: { v1: 'sha256:2f' }, manifests: ['sha256:2f'] },
      { name: 'a/b', tags: { v1: 'sha256:6e' }, manifests: ['sha256:6e'] },
      { name: 'archy', tags: { latest: 'sha256:c0', 'v1.0_rc-1': 'sha256:c0' }, manifests: ['sha256:2b', 'sha256:c0'] },
      { name: 'empty', tags: {}, manifests: [] },
    ],
  );
  t.deepEqual(Object.fromEntries(blobs), { 'sha256:000739': 1173, 'sha256:029ab1': 1014406, 'sha512:0519': 316 });
});

test('parseListing: an empty storage', (t) => {
  t.deepEqual(parseListing(''), { repositories: [], blobs: new Map() });
});

test('storageRoot: the env override, else /var/lib/registry', (t) => {
  t.is(storageRoot(['PATH=/bin']), '/var/lib/registry');
  t.is(storageRoot(['REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY=/data/']), '/data');
  t.is(storageRoot(['REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY=']), '/var/lib/registry');
});

test('blobPath', (t) => {
  t.is(blobPath('sha256:abcdef'), 'blobs/sha256/ab/abcdef/data');
});

const sha = (s: string) => 'sha256:' + createHash('sha256').update(s).digest('hex');

test('readManifests splits cat output by the listed sizes and checks digests', async (t) => {
  const a = '{"schemaVersion":2,"layers":[{"digest":"sha256:11"}]}';
  const b = '{"schemaVersion":2}';
  const forged = '{"evil":1}';
  const files: Record<string, string> = { [blobPath(sha(a))]: a, [blobPath(sha(b))]: b, [blobPath(sha('x'))]: forged };
  const exec: Exec = async (cmd) => {
    t.is(cmd[4], '/var/lib/registry/docker/registry/v2');
    return { exitCode: 0, stdout: Buffer.from(cmd.slice(5).map((p) => files[p]!).join('')), stderr: '' };
  };
  const sizes = new Map([[sha(a), a.length], [sha(b), b.length], [sha('x'), forged.length]]);
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
