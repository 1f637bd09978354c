// Removing repositories' storage (rmr): the shell script run on a real directory tree with
// this machine's sh, and removeRepositoryStorage against a fake engine.
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { removeRepositories } from '../../src/storage/storage-remove.ts';
import type { Exec } from '../../src/server/container-exec.ts';
import { checkRepositoryRemoval, removeRepositoryStorage } from '../../src/storage/remove-repository.ts';
import { fakeExec, registryDetails } from '../fakes/engine.ts';

const localExec: Exec = (cmd) =>
  new Promise((resolve) => {
    execFile(cmd[0]!, cmd.slice(1), { encoding: 'buffer' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ exitCode: code, stdout, stderr: stderr.toString() });
    });
  });

function storageTree(t: { teardown(fn: () => void): void }, repos: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'jindr-storage-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  for (const r of repos) {
    const dir = join(root, 'docker/registry/v2/repositories', r);
    mkdirSync(join(dir, '_manifests/tags/latest/current'), { recursive: true });
    writeFileSync(join(dir, '_manifests/tags/latest/current/link'), 'sha256:00');
    mkdirSync(join(dir, '_layers/sha256/00'), { recursive: true });
  }
  mkdirSync(join(root, 'docker/registry/v2/blobs/sha256/00/00'), { recursive: true });
  writeFileSync(join(root, 'docker/registry/v2/blobs/sha256/00/00/data'), 'x');
  return root;
}

const repoDir = (root: string, r: string): string => join(root, 'docker/registry/v2/repositories', r);

test('removeRepositories removes a repository, keeps a nested one and the blobs', async (t) => {
  const root = storageTree(t, ['team', 'team/app', 'solo/deep']);
  await removeRepositories(localExec, root, ['team', 'solo/deep', 'missing']);
  t.false(existsSync(join(repoDir(root, 'team'), '_manifests')));
  t.false(existsSync(join(repoDir(root, 'team'), '_layers')));
  t.true(existsSync(join(repoDir(root, 'team/app'), '_manifests/tags/latest/current/link')), 'the nested repository stays');
  t.false(existsSync(repoDir(root, 'solo')), 'emptied parent directories go');
  t.true(existsSync(join(root, 'docker/registry/v2/repositories')));
  t.true(existsSync(join(root, 'docker/registry/v2/blobs/sha256/00/00/data')), 'blobs are left for the blob collection');
});

test('removeRepositories on a storage with no repositories directory does nothing', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'jindr-storage-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  await t.notThrowsAsync(removeRepositories(localExec, root, ['app']));
});

test('removeRepositories refuses a name that is not a repository name before removing anything', async (t) => {
  const root = storageTree(t, ['app', 'x']);
  for (const bad of ['../x', 'app/..', '', '/app', 'a*', 'a b', 'App']) {
    await t.throwsAsync(removeRepositories(localExec, root, ['app', bad]), { message: /not a repository name/ }, JSON.stringify(bad));
  }
  t.true(existsSync(join(repoDir(root, 'app'), '_manifests')), 'nothing was removed');
});

// A fake engine with one running registry container, whose exec answers from `answer`.
function fakeEngine(
  config: string,
  answer: (cmd: string[]) => { exitCode: number; stdout?: string; stderr?: string },
  options: { foreign?: boolean } = {},
) {
  const calls = { execs: [] as string[][], restarts: 0 };
  const details = registryDetails({ image: 'registry:2', env: ['REGISTRY_STORAGE_DELETE_ENABLED=true'] });
  if (options.foreign) {
    details.Config.Labels = {} as typeof details.Config.Labels;
    details.Name = '/plain-registry';
  }
  const container = {
    inspect: async () => details,
    restart: async () => {
      calls.restarts += 1;
    },
    exec: async (options: { Cmd: string[] }) => {
      calls.execs.push(options.Cmd);
      const result = options.Cmd[0] === 'cat' ? { exitCode: 0, stdout: config } : answer(options.Cmd);
      return fakeExec(result);
    },
  };
  const docker = {
    listContainers: async () => [
      {
        Id: 'abc',
        Image: 'registry:2',
        Labels: details.Config.Labels,
        Command: '/entrypoint.sh /etc/docker/registry/config.yml',
        Names: [details.Name],
        Status: 'Up',
      },
    ],
    getContainer: () => container,
  } as unknown as Docker;
  return { docker, calls };
}

const config = (storage: string): string => `version: 0.1\nstorage:\n${storage}http:\n  addr: :5000\n`;

test('removeRepositoryStorage restarts the registry even when the removal fails half-way', async (t) => {
  const { docker, calls } = fakeEngine(config('  filesystem:\n    rootdirectory: /var/lib/registry\n'), () => ({
    exitCode: 1,
    stderr: 'rm: cannot remove: Read-only file system\n',
  }));
  await t.throwsAsync(removeRepositoryStorage(docker, 'localhost:5001', ['app'], { local: false }), { message: /Read-only file system/ });
  t.is(calls.restarts, 1, 'the registry forgets its blob cache');
});

test('removeRepositoryStorage works in the root directory of the registry config, then restarts it', async (t) => {
  const { docker, calls } = fakeEngine(config('  filesystem:\n    rootdirectory: /data\n'), () => ({ exitCode: 0 }));
  t.deepEqual(await removeRepositoryStorage(docker, 'localhost:5001', ['app'], { local: false }), {
    removed: true,
    restarted: true,
    container: 'jindr-5001',
    leftAlone: [],
  });
  const script = calls.execs.find((c) => c[0] === 'sh');
  t.deepEqual(script?.slice(3), ['sh', '/data', 'repo:docker/registry/v2/repositories/app']);
  t.is(calls.restarts, 1);
});

test('removeRepositoryStorage leaves a registry on another storage driver alone', async (t) => {
  const { docker, calls } = fakeEngine(config('  s3:\n    bucket: b\n'), () => ({ exitCode: 0 }));
  t.deepEqual(await removeRepositoryStorage(docker, 'localhost:5001', ['app'], { local: false }), {
    removed: false,
    reason: 'jindr-5001 keeps its data in the s3 storage driver',
  });
  t.false(calls.execs.some((c) => c[0] === 'sh'));
  t.is(calls.restarts, 0);
});

test('a registry container docker jindr did not create: rmr refuses before anything, unless --force', async (t) => {
  const { docker, calls } = fakeEngine(config('  filesystem:\n    rootdirectory: /var/lib/registry\n'), () => ({ exitCode: 0 }), {
    foreign: true,
  });
  const engine = async () => ({ docker });
  const message =
    'the registry container plain-registry was not created by docker jindr: rmr would delete in its storage and restart it; run rmr --force to do it anyway';
  await t.throwsAsync(checkRepositoryRemoval(engine, 'localhost:5001', false), { message });
  await t.notThrowsAsync(checkRepositoryRemoval(engine, 'localhost:5001', true));
  await t.notThrowsAsync(checkRepositoryRemoval(engine, 'registry.example.com', false), 'not on this machine');
  await t.notThrowsAsync(
    checkRepositoryRemoval(async () => Promise.reject(new Error('no engine')), 'localhost:5001', false),
    'no engine to ask',
  );
  await t.throwsAsync(removeRepositoryStorage(docker, 'localhost:5001', ['app'], { local: false }), { message });
  t.deepEqual(calls, { execs: [], restarts: 0 }, 'nothing ran in it');
  t.like(await removeRepositoryStorage(docker, 'localhost:5001', ['app'], { local: false, force: true }), { removed: true });
  t.is(calls.restarts, 1);
});

test('a registry container of ours: nothing to refuse', async (t) => {
  const { docker } = fakeEngine(config('  filesystem:\n    rootdirectory: /var/lib/registry\n'), () => ({ exitCode: 0 }));
  await t.notThrowsAsync(checkRepositoryRemoval(async () => ({ docker }), 'localhost:5001', false));
});
