// push over ssh against a real sshd on this machine (test/helpers/sshd.ts) whose sessions
// reach this machine's engine: the "remote" engine is this one. The real ssh binary, the
// real registry container on the "remote", the real engine pulling from it. What the
// remote received is checked from outside the plugin: `docker image inspect` (the digest),
// the volume's blob files (nothing written by a second push), no container left behind.
import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2e, freePort, startTestRegistry, type TestRegistry } from '../helpers/engine.ts';
import { blobsOf, pushArchy, pushRandomImage } from '../helpers/images.ts';
import { docker, dockerOk, errorLine, jindr, jsonLines, pluginBinary, runActingOnce, tinyImage, type RunResult } from '../helpers/run.ts';
import { aliasHome, defaultHome, keygen, startSshd, tempDir, type Sshd } from '../helpers/sshd.ts';

const VOLUME = 'jindr-push';
const LABEL = 'jindr.push';

interface PushRow {
  image: string;
  host: string;
  source: 'registry' | 'engine';
  digest: string;
  blobs: { sent: number; present: number };
  layers: { pulled: number; present: number };
}

// The volume push keeps is this machine's: removed at the end when the tests made it.
const volumeBefore = (await docker(['volume', 'inspect', VOLUME])).code === 0;
test.after.always(async () => {
  if (!volumeBefore) await docker(['volume', 'rm', VOLUME]);
});

async function registry(t: ExecutionContext): Promise<TestRegistry> {
  const r = await startTestRegistry({ image: 'registry:3' });
  t.teardown(() => r.remove());
  return r;
}

/** Every name the engine has for images of `repository` (as pushed and as pulled through 127.0.0.1:PORT), removed at the end. */
function forgetImages(t: ExecutionContext, repository: string): void {
  t.teardown(async () => {
    const list = await docker(['images', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}']);
    const refs = new Set<string>();
    for (const [repo, tag, digest] of list.stdout.split('\n').map((line) => line.split(' '))) {
      if (repo !== repository && !repo?.match(new RegExp(`^127\\.0\\.0\\.1:\\d+/${repository}$`))) continue;
      if (tag && tag !== '<none>') refs.add(`${repo}:${tag}`);
      if (digest && digest !== '<none>') refs.add(`${repo}@${digest}`);
    }
    if (refs.size) await docker(['rmi', ...refs]);
  });
}

async function pushContainers(): Promise<string[]> {
  const out = await dockerOk(['ps', '-a', '--filter', `label=${LABEL}`, '--format', '{{.Names}}']);
  return out.split('\n').filter((l) => l !== '');
}

function pushed(t: ExecutionContext, result: RunResult, what: string): PushRow {
  t.is(result.code, 0, `${what}: ${result.stderr}`);
  const rows = jsonLines<PushRow>(result.stdout);
  t.is(rows.length, 1, what);
  return rows[0]!;
}

async function repoDigests(image: string): Promise<string[]> {
  return JSON.parse(await dockerOk(['image', 'inspect', '--format', '{{json .RepoDigests}}', image])) as string[];
}

/** Blob files in the volume written after `marker` was: a second push must write none. */
async function blobsWrittenSince(marker: string): Promise<string[]> {
  const out = await dockerOk([
    'run',
    '--rm',
    '--entrypoint',
    'find',
    '-v',
    `${VOLUME}:/v`,
    'registry:3',
    '/v/docker/registry/v2/blobs',
    '-type',
    'f',
    '-newer',
    `/v/${marker}`,
  ]);
  return out.split('\n').filter((l) => l !== '');
}

async function touchMarker(t: ExecutionContext): Promise<string> {
  const marker = `.jindr-test-${randomBytes(4).toString('hex')}`;
  const run = (cmd: string) => dockerOk(['run', '--rm', '--entrypoint', 'sh', '-v', `${VOLUME}:/v`, 'registry:3', '-c', cmd]);
  await run(`touch /v/${marker}`);
  t.teardown(() => run(`rm -f /v/${marker}`));
  return marker;
}

function sshdHost(sshd: Sshd): string {
  return `ssh://root@127.0.0.1:${sshd.port}`;
}

e2e(
  'push: an image of the registry arrives in the remote engine with its tag and digest; a second push sends no blob and pulls no layer',
  async (t) => {
    const sshd = await startSshd(t);
    const r = await registry(t);
    const repository = `jtest/push-${randomBytes(4).toString('hex')}`;
    const image = await pushRandomImage(r.host, repository, 'v1', { layers: 3 });
    forgetImages(t, repository);
    const home = defaultHome(t, sshd, { DOCKER_CONFIG: tempDir(t, 'jindr-push-config-') });
    const push = (): Promise<RunResult> =>
      jindr(['-r', r.host, '--format', 'json', 'push', sshdHost(sshd), `${repository}:v1`], { env: home.env });

    const first = pushed(t, await push(), 'first push');
    t.like(first, {
      image: `${repository}:v1`,
      source: 'registry',
      digest: image.digest,
      blobs: { sent: 4, present: 0 },
      layers: { pulled: 3, present: 0 },
    });
    // The engine's own record: the digest it pulled, which is the registry's.
    const digests = await repoDigests(`${repository}:v1`);
    t.true(
      digests.some((d) => d.endsWith(`/${repository}@${image.digest}`)),
      `RepoDigests ${digests.join(' ')}`,
    );
    t.deepEqual(await pushContainers(), [], 'no registry container left');
    t.regex(sshd.log(), /Accepted publickey for root from 127\.0\.0\.1/, 'through our sshd');

    const marker = await touchMarker(t);
    const second = pushed(t, await push(), 'second push');
    t.like(second, { digest: image.digest, blobs: { sent: 0, present: 4 }, layers: { pulled: 0 } });
    t.deepEqual(await blobsWrittenSince(marker), [], 'the volume kept every blob: nothing written again');
    t.deepEqual(await pushContainers(), [], 'no registry container left after the second push');
  },
);

e2e(
  'push: a two-platform index goes whole to the host (every platform), its engine pulls its own; RepoDigests has the index digest',
  async (t) => {
    const sshd = await startSshd(t);
    const r = await registry(t);
    const repository = `jtest/push-archy-${randomBytes(4).toString('hex')}`;
    const index = await pushArchy(r.host, { repo: repository, tag: 'v1' });
    forgetImages(t, repository);
    const home = defaultHome(t, sshd, { DOCKER_CONFIG: tempDir(t, 'jindr-push-config-') });
    const result = await jindr(['-r', r.host, '--format', 'json', 'push', sshdHost(sshd), `${repository}:v1`], { env: home.env });
    const row = pushed(t, result, 'push');
    t.is(row.digest, index.digest);
    t.is(row.blobs.sent + row.blobs.present, blobsOf(index).length, "every platform's blobs");
    const digests = await repoDigests(`${repository}:v1`);
    t.true(
      digests.some((d) => d.endsWith(`/${repository}@${index.digest}`)),
      `RepoDigests ${digests.join(' ')}`,
    );
    // Every child manifest is in the host's storage, not only the engine's platform.
    const stored = await dockerOk([
      'run',
      '--rm',
      '--entrypoint',
      'ls',
      '-v',
      `${VOLUME}:/v`,
      'registry:3',
      `/v/docker/registry/v2/repositories/${repository}/_manifests/revisions/sha256`,
    ]);
    for (const m of index.manifests) t.true(stored.split('\n').includes(m.digest.slice('sha256:'.length)), `${m.digest} stored`);
    const arch = (await dockerOk(['image', 'inspect', '--format', '{{.Architecture}}', `${repository}:v1`])).trim();
    t.is(arch, (await dockerOk(['version', '--format', '{{.Server.Arch}}'])).trim(), "the engine's own platform");
  },
);

e2e('push: an image only the local engine has is pushed by the engine, through a Host alias of ~/.ssh/config', async (t) => {
  const sshd = await startSshd(t);
  // A registry host where nothing listens: the registry does not have it, the engine does.
  const repository = `jtest/push-engine-${randomBytes(4).toString('hex')}`;
  const ref = await tinyImage(t, `localhost:${await freePort()}`, repository);
  forgetImages(t, repository);
  const home = aliasHome(t, sshd, 'yes', { DOCKER_CONFIG: tempDir(t, 'jindr-push-config-') });
  writeFileSync(home.knownHosts, `${sshd.knownHostsLine}\n`);
  const push = (): Promise<RunResult> => jindr(['--format', 'json', 'push', 'ssh://myalias', ref], { env: home.env });

  const first = pushed(t, await push(), 'first push');
  // The "remote" engine is this one: it has the layer already, and pulls none.
  t.like(first, { image: ref, host: 'ssh://myalias', source: 'engine', blobs: { sent: 1, present: 0 }, layers: { pulled: 0 } });
  t.regex(first.digest, /^sha256:[a-f0-9]{64}$/);
  const digests = await repoDigests(ref);
  t.true(
    digests.some((d) => d.endsWith(`/${repository}@${first.digest}`)),
    `RepoDigests ${digests.join(' ')}`,
  );
  t.regex(sshd.log(), /Accepted publickey for root from 127\.0\.0\.1/, 'through our sshd');
  const marker = await touchMarker(t);
  const second = pushed(t, await push(), 'second push');
  t.like(second, { digest: first.digest, blobs: { sent: 0, present: 1 }, layers: { pulled: 0 } });
  t.deepEqual(await blobsWrittenSince(marker), [], 'the volume kept every blob: nothing written again');
  const records = (await repoDigests(ref)).filter((d) => d.includes(`/${repository}@`));
  t.is(records.length, 1, `one record of the digest, not one per push: ${records.join(' ')}`);
  t.true(records[0]?.endsWith(`@${first.digest}`));
  t.deepEqual(await pushContainers(), [], 'no registry container left');
});

/** One line, non-zero exit, and nothing left on the remote. */
async function assertFails(t: ExecutionContext, result: RunResult, said: RegExp, what: string): Promise<void> {
  const line = errorLine(t, result, undefined, what);
  t.log(line);
  t.regex(line, said, what);
  t.deepEqual(await pushContainers(), [], `${what}: no registry container left`);
}

e2e(
  'push: an unreachable host, a key the host refuses, a host without docker, no port forwarding, an image nowhere: one line each, nothing left',
  async (t) => {
    const sshd = await startSshd(t);
    const r = await registry(t);
    const repository = `jtest/push-${randomBytes(4).toString('hex')}`;
    await pushRandomImage(r.host, repository, 'v1', { layers: 1 });
    const home = defaultHome(t, sshd, { DOCKER_CONFIG: tempDir(t, 'jindr-push-config-') });
    const push = (host: string): Promise<RunResult> =>
      jindr(['-r', r.host, '--format', 'json', 'push', host, `${repository}:v1`], { env: home.env });

    const closed = await freePort();
    await assertFails(
      t,
      await push(`ssh://root@127.0.0.1:${closed}`),
      new RegExp(`ssh 127\\.0\\.0\\.1 failed: .*port ${closed}: Connection refused`),
      'unreachable',
    );

    const other = tempDir(t, 'jindr-push-other-');
    keygen(join(other, 'key'));
    home.write('id_ed25519', readFileSync(join(other, 'key'), 'utf8'));
    await assertFails(t, await push(sshdHost(sshd)), /Permission denied \(publickey\)/, 'refused key');
    home.write('id_ed25519', readFileSync(sshd.clientKey, 'utf8'));

    // Sessions of this sshd find no docker on their PATH.
    const bare = await startSshd(t, {
      config: ['ForceCommand env PATH=/nonexistent /bin/sh -c "$SSH_ORIGINAL_COMMAND"'],
      clientKey: sshd.clientKey,
    });
    home.write('known_hosts', `${sshd.knownHostsLine}\n${bare.knownHostsLine}\n`);
    await assertFails(t, await push(sshdHost(bare)), /docker: not found: is Docker installed on 127\.0\.0\.1/, 'no docker');
    // An sshd that runs commands (the engine answers) but forwards no port.
    const closedSshd = await startSshd(t, { config: ['AllowTcpForwarding no'], clientKey: sshd.clientKey });
    home.write('known_hosts', `${sshd.knownHostsLine}\n${bare.knownHostsLine}\n${closedSshd.knownHostsLine}\n`);
    await assertFails(
      t,
      await push(sshdHost(closedSshd)),
      /ssh 127\.0\.0\.1 refused to forward a port \(.*open failed.*\): push needs TCP forwarding/,
      'no forwarding',
    );
    // Neither in the registry nor in the engine: said before any ssh.
    const logins = sshd.log().match(/Accepted publickey/g)?.length ?? 0;
    const nowhere = await jindr(['-r', r.host, 'push', sshdHost(sshd), `${repository}:nope`], { env: home.env });
    await assertFails(
      t,
      nowhere,
      new RegExp(
        `${r.host}/${repository}:nope is not in the registry, and the local engine has no image "${repository}:nope": push or pull it first`,
      ),
      'nowhere',
    );
    t.is(sshd.log().match(/Accepted publickey/g)?.length ?? 0, logins, 'no ssh login for an image that is nowhere');
    t.is(pushed(t, await push(sshdHost(sshd)), 'the right key and a host with docker').digest.length, 71);
    forgetImages(t, repository);
  },
);

e2e('push: Ctrl-C while blobs go to the host: exit 130, the registry container removed from the host', async (t) => {
  const sshd = await startSshd(t);
  const r = await registry(t);
  const repository = `jtest/push-${randomBytes(4).toString('hex')}`;
  await pushRandomImage(r.host, repository, 'v1', { layers: 3, layerSize: 16 << 20 });
  forgetImages(t, repository);
  const home = defaultHome(t, sshd, { DOCKER_CONFIG: tempDir(t, 'jindr-push-config-') });
  const args = ['-r', r.host, 'push', '-j', '1', sshdHost(sshd), `${repository}:v1`];
  // The first blob done: the others are on their way (one at a time).
  const result = await runActingOnce(pluginBinary, args, /: copied \(/, (child) => child.kill('SIGINT'), home.env);
  t.true(result.acted, result.stderr);
  t.is(result.code, 130, result.stderr);
  t.deepEqual(await pushContainers(), [], 'no registry container left');
  t.is((await docker(['image', 'inspect', `${repository}:v1`])).code, 1, 'the host has no image by that name');
});
