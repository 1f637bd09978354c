// A mirror's storage read and pruned through the registry API's requests, over a real
// directory laid out as distribution writes it, with the same shell commands run here
// instead of in the mirror's container.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MirrorView } from '../../src/mirror/mirror-view.ts';
import type { Exec } from '../../src/server/container-exec.ts';
import { listImages } from '../../src/registry/images.ts';
import { listRepositories } from '../../src/registry/catalog.ts';
import { removeImages } from '../../src/registry/remove-images.ts';
import { parseReference } from '../../src/registry/reference.ts';
import { RegistryApiError } from '../../src/registry/errors.ts';
import { NotFoundError } from '../../src/errors.ts';

const sha = (b: Buffer | string): string => 'sha256:' + createHash('sha256').update(b).digest('hex');
const localExec: Exec = async (cmd) => {
  const r = spawnSync(cmd[0]!, cmd.slice(1));
  return { exitCode: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
};

function storage(t: { teardown(fn: () => void): void }) {
  const root = mkdtempSync(join(tmpdir(), 'jindr-mirror-view-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const v2 = join(root, 'docker/registry/v2');
  const put = (path: string, data: string | Buffer): void => {
    mkdirSync(dirname(join(v2, path)), { recursive: true });
    writeFileSync(join(v2, path), data);
  };
  const blob = (data: string): string => {
    const d = sha(data);
    put(`blobs/sha256/${d.slice(7, 9)}/${d.slice(7)}/data`, data);
    return d;
  };
  const repoDir = (repo: string): string => `repositories/${repo}/_manifests`;
  const manifest = (repo: string, arch: string, tags: string[]): string => {
    const config = blob(JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 80 },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(`layer ${arch}`), size: 1000 }],
    });
    const d = blob(body);
    put(`${repoDir(repo)}/revisions/sha256/${d.slice(7)}/link`, d);
    for (const tag of tags) {
      put(`${repoDir(repo)}/tags/${tag}/current/link`, d);
      put(`${repoDir(repo)}/tags/${tag}/index/sha256/${d.slice(7)}/link`, d);
    }
    return d;
  };
  return { root, v2, manifest, view: (exec: Exec = localExec) => new MirrorView('localhost:5002', exec, root) };
}

test('what the storage holds, as lsi and ls see it: repositories, tags, platforms, digests', async (t) => {
  const s = storage(t);
  const amd = s.manifest('library/busybox', 'amd64', ['latest', 'stable']);
  const arm = s.manifest('team/app', 'arm64', ['v1']);
  const view = s.view();
  t.deepEqual(await listRepositories(view), ['library/busybox', 'team/app']);
  const rows = await listImages(view, undefined);
  t.deepEqual(
    rows.map((r) => [r.repository, r.tag, r.digest, r.platforms.join()]),
    [
      ['library/busybox', 'latest', amd, 'linux/amd64'],
      ['library/busybox', 'stable', amd, 'linux/amd64'],
      ['team/app', 'v1', arm, 'linux/arm64'],
    ],
  );
  const head = await view.request({ method: 'HEAD', path: '/v2/library/busybox/manifests/latest' });
  t.is(head.headers['docker-content-digest'], amd);
  t.is(head.body.length, 0);
});

test('unknown names are 404s with the registry error codes; writes are refused', async (t) => {
  const s = storage(t);
  s.manifest('library/busybox', 'amd64', ['latest']);
  const view = s.view();
  t.is((await view.request({ path: '/v2/nope/tags/list', accept: [404] })).status, 404);
  const missing = await t.throwsAsync(listImages(view, ['library/busybox', 'nope']), { instanceOf: NotFoundError });
  t.regex(missing.message, /localhost:5002\/nope/);
  const err = await t.throwsAsync(view.request({ method: 'PUT', path: '/v2/library/busybox/manifests/x' }), {
    instanceOf: RegistryApiError,
  });
  t.deepEqual(err.codes, ['UNSUPPORTED']);
  t.is((await view.request({ path: `/v2/library/busybox/blobs/${sha('not there')}`, accept: [404] })).status, 404);
});

test('rmi: a tag alone goes (as registry 3.x deletes tags); by digest the manifest and its tags go', async (t) => {
  const s = storage(t);
  const amd = s.manifest('library/busybox', 'amd64', ['latest', 'stable']);
  const other = s.manifest('library/busybox', 'arm64', ['arm']);
  const view = s.view();
  const untagged = await removeImages(view, [parseReference('library/busybox:stable', 'localhost:5002')], { force: false });
  t.like(untagged[0], { action: 'untagged', tag: 'stable', digest: amd });
  t.false(existsSync(join(s.v2, 'repositories/library/busybox/_manifests/tags/stable')));
  t.true(existsSync(join(s.v2, `repositories/library/busybox/_manifests/revisions/sha256/${amd.slice(7)}/link`)));
  t.deepEqual(
    (await listImages(view, undefined)).map((r) => r.tag),
    ['arm', 'latest'],
  );

  const deleted = await removeImages(view, [parseReference(`library/busybox@${other}`, 'localhost:5002')], { force: true });
  t.like(deleted[0], { action: 'deleted', digest: other, alsoRemovedTags: ['arm'] });
  t.false(existsSync(join(s.v2, `repositories/library/busybox/_manifests/revisions/sha256/${other.slice(7)}`)));
  t.false(existsSync(join(s.v2, 'repositories/library/busybox/_manifests/tags/arm')));
  t.deepEqual(
    (await listImages(view, undefined)).map((r) => r.tag),
    ['latest'],
  );
  // The blobs stay for gc.
  t.true(existsSync(join(s.v2, `blobs/sha256/${other.slice(7, 9)}/${other.slice(7)}/data`)));
});

test('blobs asked for at once are read in one exec; one gone since the listing is a 404, the others are served whole', async (t) => {
  const s = storage(t);
  const digests = ['amd64', 'arm64', 'riscv64'].map((arch, i) => s.manifest(`app${i}`, arch, ['v1']));
  const calls: string[][] = [];
  const view = s.view((cmd) => (calls.push([...cmd]), localExec(cmd)));
  await view.listing();
  calls.length = 0;
  const get = (i: number) => view.request({ path: `/v2/app${i}/manifests/${digests[i]}`, accept: [404] });
  const all = await Promise.all([0, 1, 2].map(get));
  t.deepEqual(
    all.map((r) => sha(r.body)),
    digests,
  );
  t.is(calls.length, 1, 'one exec for three manifests');
  unlinkSync(join(s.v2, `blobs/sha256/${digests[1]!.slice(7, 9)}/${digests[1]!.slice(7)}/data`));
  const again = await Promise.all([0, 1, 2].map(get));
  t.deepEqual(
    again.map((r) => r.status),
    [200, 404, 200],
  );
  t.is(sha(again[2]!.body), digests[2]!);
});
