// `gc` (the executable on its own) against real registry containers
// (both images): what must go goes, what any tag still needs stays and still pulls.
import type { ExecutionContext } from 'ava';
import { e2e, registryImages, startTestRegistry, waitForRegistry, type TestRegistry } from '../helpers/engine.ts';
import { MEDIA_TYPES, pushArchy, pushImageManifest, pushRandomImage, pushUntaggedManifest, sha256 } from '../helpers/images.ts';
import { pushReferrer } from '../helpers/jindr-registry.ts';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, dockerOk, jindr, makeDockerConfig, pluginBinary, removePulledImages } from '../helpers/run.ts';
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from 'undici';

/**
 * After a registry restarts, fetch's kept-alive sockets (to docker-proxy) are dead: the next
 * request on one fails with "other side closed". Start a new pool.
 */
async function forgetConnections(): Promise<void> {
  const old = getGlobalDispatcher();
  setGlobalDispatcher(new Agent());
  await old.destroy().catch(() => {});
}

const ACCEPT = [...Object.values(MEDIA_TYPES.oci), ...Object.values(MEDIA_TYPES.docker)].join(', ');

async function status(url: string, method = 'GET'): Promise<number> {
  const res = await fetch(url, { method, headers: { accept: ACCEPT } });
  await res.arrayBuffer();
  return res.status;
}

const manifestStatus = (host: string, repo: string, ref: string) => status(`http://${host}/v2/${repo}/manifests/${ref}`);
const blobStatus = (host: string, repo: string, digest: string) => status(`http://${host}/v2/${repo}/blobs/${digest}`);

async function catalog(host: string): Promise<string[]> {
  const res = await fetch(`http://${host}/v2/_catalog`);
  return ((await res.json()) as { repositories: string[] }).repositories;
}

/** Is the blob's data file in the registry's storage (not just answered for)? */
async function blobInStorage(reg: TestRegistry, digest: string): Promise<boolean> {
  const hex = digest.slice('sha256:'.length);
  const path = `/var/lib/registry/docker/registry/v2/blobs/sha256/${hex.slice(0, 2)}/${hex}/data`;
  const running = (await dockerOk(['inspect', '-f', '{{.State.Running}}', reg.name])).trim() === 'true';
  const test = ['sh', '-c', 'test -e "$1"', 'sh', path];
  const result = running
    ? await docker(['exec', reg.name, ...test])
    : await docker([
        'run',
        '--rm',
        '--volumes-from',
        reg.name,
        '--network',
        'none',
        '--entrypoint',
        test[0]!,
        'registry:2',
        ...test.slice(1),
      ]);
  if (result.code !== 0 && result.code !== 1) throw new Error(`cannot look into ${reg.name}'s storage: ${result.stderr}`);
  return result.code === 0;
}

interface GcJson {
  dryRun: boolean;
  manifests: { repository: string; digest: string }[];
  repositories: string[];
  blobs: number;
  bytesFreed: number;
  warnings: string[];
}

/**
 * gc with no grace period (these tests push their garbage just before collecting it;
 * gc-inflight tests the grace), and --force: these registries are plain `docker run`
 * containers, not made by `docker jindr up` (gc-foreign tests the refusal).
 */
async function gc(env: NodeJS.ProcessEnv, host: string, ...extra: string[]): Promise<GcJson> {
  const result = await jindr(['-r', host, 'gc', '--grace', '0', '--force', '--format', 'json', ...extra], { env });
  await forgetConnections();
  if (result.code !== 0) throw new Error(`docker jindr gc failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as GcJson;
}

// Most registries here are published from a bridge, as `docker run -p` makes them; one test
// below runs one on the host's network.
const BRIDGE = 'bridge';

/** A test registry and a DOCKER_CONFIG with the plugin; both go afterwards, with any image pulled from the registry. */
async function setup(t: ExecutionContext, image: string): Promise<{ reg: TestRegistry; cfg: ReturnType<typeof makeDockerConfig> }> {
  const reg = await startTestRegistry({ image, network: BRIDGE });
  const cfg = makeDockerConfig();
  t.teardown(async () => {
    await removePulledImages(reg.host);
    await reg.remove();
    cfg.cleanup();
  });
  return { reg, cfg };
}

const startedAt = async (name: string) => (await dockerOk(['inspect', '-f', '{{.State.StartedAt}}', name])).trim();

for (const image of registryImages) {
  e2e(
    `${image}: gc removes an untagged leftover and emptied repositories (API delete, rmi), keeps every platform and referrer`,
    async (t) => {
      const { reg, cfg } = await setup(t, image);
      const { host } = reg;
      const archy = await pushArchy(host);
      const list = await pushArchy(host, { repo: 'archylist', format: 'docker' });
      const amd = archy.manifests[0]!;
      const arm = archy.manifests[1]!;
      const leftover = await pushUntaggedManifest(host, 'archy', { layerSize: 4096 });
      const sigOfChild = await pushReferrer(host, 'archy', arm);
      const sigOfIndex = await pushReferrer(host, 'archy', archy);
      const sigOfSig = await pushReferrer(host, 'archy', sigOfIndex);
      const sigOfLeftover = await pushReferrer(host, 'archy', leftover);
      const gone = await pushRandomImage(host, 'gone', 'only');
      t.is(await status(`http://${host}/v2/gone/manifests/${gone.digest}`, 'DELETE'), 202);
      await pushRandomImage(host, 'gone2', 'only');
      const rmi = await jindr(['-r', host, 'rmi', 'gone2:only'], { env: cfg.env });
      t.is(rmi.code, 0, rmi.stderr);
      await forgetConnections();
      for (const repo of ['gone', 'gone2']) t.true((await catalog(host)).includes(repo), `emptied ${repo} stays in the catalog until gc`);
      const leftoverLayer = leftover.layers[0]!;
      t.true(await blobInStorage(reg, leftoverLayer.digest));
      const before = await startedAt(reg.name);

      const report = await gc(cfg.env, host);

      t.false(report.dryRun);
      t.deepEqual(
        report.manifests
          .filter((m) => m.repository === 'archy')
          .map((m) => `${m.repository}@${m.digest}`)
          .sort(),
        [`archy@${leftover.digest}`, `archy@${sigOfLeftover.digest}`].sort(), // DELETE already removed gone@digest
      );
      t.deepEqual(
        report.manifests.filter((m) => !['archy', 'gone2'].includes(m.repository)),
        [],
      );
      t.deepEqual(report.repositories, ['gone', 'gone2']);
      t.true(report.blobs >= 4, `blobs removed: ${report.blobs}`); // leftover, its config and layer, gone's manifest...
      t.true(report.bytesFreed > leftoverLayer.size, `bytes freed: ${report.bytesFreed}`);
      t.deepEqual(report.warnings, []);
      t.not(await startedAt(reg.name), before, 'the registry was restarted');

      t.is(await manifestStatus(host, 'archy', leftover.digest), 404);
      t.is(await manifestStatus(host, 'archy', sigOfLeftover.digest), 404);
      t.false(await blobInStorage(reg, leftoverLayer.digest), "the leftover's layer is gone from storage");
      t.is(await blobStatus(host, 'archy', leftoverLayer.digest), 404);
      for (const m of [archy, amd, arm, sigOfChild, sigOfIndex, sigOfSig]) {
        t.is(await manifestStatus(host, 'archy', m.digest), 200, `archy@${m.digest} must stay`);
      }
      for (const m of [list, ...list.manifests]) t.is(await manifestStatus(host, 'archylist', m.digest), 200);
      t.deepEqual((await catalog(host)).sort(), ['archy', 'archylist']);

      for (const ref of [archy.reference, list.reference]) {
        for (const platform of ['linux/arm64', 'linux/amd64']) {
          const pull = await docker(['pull', '--platform', platform, ref]);
          t.is(pull.code, 0, `docker pull --platform ${platform} ${ref}: ${pull.stderr}`);
        }
      }
      const arch = await docker(['run', '--rm', '--platform', 'linux/arm64', archy.reference]);
      t.is(arch.stdout.trim(), 'aarch64', arch.stderr);

      // The registry forgot the deleted blobs: pushing the leftover again uploads its layer
      // (no "layer already exists"), and it can be read back whole.
      t.is(await status(`http://${host}/v2/archy/blobs/${leftoverLayer.digest}`, 'HEAD'), 404);
      await pushImageManifest(host, 'archy', 'again', leftover);
      const res = await fetch(`http://${host}/v2/archy/blobs/${leftoverLayer.digest}`);
      t.is(sha256(Buffer.from(await res.arrayBuffer())), leftoverLayer.digest);
      t.is(await manifestStatus(host, 'archy', 'again'), 200);
    },
  );

  e2e(`${image}: gc --dry-run removes nothing, does not restart, and predicts what gc then removes`, async (t) => {
    const { reg, cfg } = await setup(t, image);
    const { host } = reg;
    await pushArchy(host);
    const leftover = await pushUntaggedManifest(host, 'archy', { layers: 2 });
    const before = await startedAt(reg.name);

    const dry = await gc(cfg.env, host, '--dry-run');
    t.true(dry.dryRun);
    t.deepEqual(dry.manifests, [{ repository: 'archy', digest: leftover.digest }]);
    t.is(dry.blobs, 4); // the manifest, its config, two layers
    t.is(await startedAt(reg.name), before, 'a dry run against a running registry does not restart it');
    t.is(await manifestStatus(host, 'archy', leftover.digest), 200);
    for (const l of leftover.layers) t.true(await blobInStorage(reg, l.digest));

    const real = await gc(cfg.env, host);
    t.deepEqual({ ...real, dryRun: true }, dry, 'the dry run predicted exactly what gc removed');
    t.is(await manifestStatus(host, 'archy', leftover.digest), 404);
  });

  e2e(`${image}: gc on a stopped registry collects and leaves it stopped`, async (t) => {
    const { reg, cfg } = await setup(t, image);
    const { host } = reg;
    const archy = await pushArchy(host);
    const leftover = await pushUntaggedManifest(host, 'archy');
    await dockerOk(['stop', reg.name]);

    const report = await gc(cfg.env, host);
    t.deepEqual(
      report.manifests.map((m) => m.digest),
      [leftover.digest],
    );
    t.true(report.bytesFreed > 0);
    t.is((await dockerOk(['inspect', '-f', '{{.State.Running}}', reg.name])).trim(), 'false');
    t.false(await blobInStorage(reg, leftover.layers[0]!.digest));
    t.deepEqual((await dockerOk(['ps', '-a', '--filter', `label=jindr.gc-for=${reg.name}`, '-q'])).trim(), '', 'no helper container left');

    await dockerOk(['start', reg.name]);
    await forgetConnections();
    await waitForRegistry(`http://${host}/v2/`);
    for (const m of [archy, ...archy.manifests]) t.is(await manifestStatus(host, 'archy', m.digest), 200);
  });
}

// The hazard itself, on 2.8 where it was reproduced: the registry's own
// `garbage-collect --delete-untagged` deletes the children of a tagged index. The same
// check after jindr's gc (above) passes, so that check can fail.
e2e('registry:2: raw garbage-collect --delete-untagged breaks a tagged index; jindr gc keeps what it would delete', async (t) => {
  const raw = await startTestRegistry({ image: 'registry:2' });
  const ours = await startTestRegistry({ image: 'registry:2', network: BRIDGE });
  const cfg = makeDockerConfig();
  t.teardown(async () => {
    await raw.remove();
    await ours.remove();
    cfg.cleanup();
  });
  const children = async (host: string) => {
    const archy = await pushArchy(host);
    return archy.manifests.map((m) => m.digest).sort();
  };
  const rawChildren = await children(raw.host);
  const ourChildren = await children(ours.host);

  // What --delete-untagged would delete here: exactly the per-platform manifests.
  const dry = await dockerOk([
    'exec',
    raw.name,
    'registry',
    'garbage-collect',
    '--dry-run',
    '--delete-untagged',
    '/etc/docker/registry/config.yml',
  ]);
  const eligible = [...dry.matchAll(/manifest eligible for deletion: (sha256:[0-9a-f]+)/g)].map((m) => m[1]!).sort();
  t.deepEqual(eligible, rawChildren);

  await dockerOk(['stop', raw.name]);
  await dockerOk([
    'run',
    '--rm',
    '--volumes-from',
    raw.name,
    'registry:2',
    'garbage-collect',
    '--delete-untagged',
    '/etc/docker/registry/config.yml',
  ]);
  await dockerOk(['start', raw.name]);
  await forgetConnections();
  await waitForRegistry(`http://${raw.host}/v2/`);
  t.is(await manifestStatus(raw.host, 'archy', 'latest'), 200);
  for (const c of rawChildren) t.is(await manifestStatus(raw.host, 'archy', c), 404, 'the hazard: a child of a tagged index is gone');

  const report = await gc(cfg.env, ours.host);
  t.deepEqual(report.manifests, []);
  for (const c of ourChildren) t.is(await manifestStatus(ours.host, 'archy', c), 200);
});

// A registry run with `docker run --network host` publishes no port: it is found by the address
// it listens on (REGISTRY_HTTP_ADDR), and collected like a published one.
e2e("a registry on the host's network: du and gc find it by the address it listens on; gc collects, the image stays whole", async (t) => {
  const reg = await startTestRegistry({ image: 'registry:2' });
  const cfg = makeDockerConfig();
  t.teardown(async () => {
    await reg.remove();
    cfg.cleanup();
  });
  t.is((await dockerOk(['inspect', '-f', '{{.HostConfig.NetworkMode}}', reg.name])).trim(), 'host');
  const archy = await pushArchy(reg.host);
  const leftover = await pushUntaggedManifest(reg.host, 'archy', { layerSize: 4096 });
  const du = await jindr(['-r', reg.host, 'du'], { env: cfg.env });
  t.is(du.code, 0, du.stderr);
  t.regex(du.stdout, /archy/);
  const report = await gc(cfg.env, reg.host);
  t.deepEqual(report.manifests, [{ repository: 'archy', digest: leftover.digest }]);
  t.true(report.blobs >= 2, JSON.stringify(report));
  t.is(await manifestStatus(reg.host, 'archy', leftover.digest), 404);
  for (const m of [archy, ...archy.manifests]) t.is(await manifestStatus(reg.host, 'archy', m.digest), 200);
});

e2e('gc refuses while a helper of another collection exists, and touches nothing', async (t) => {
  const { reg, cfg } = await setup(t, 'registry:3');
  const stray = `${reg.name}-gc-stray`;
  t.teardown(async () => {
    await docker(['rm', '-f', '-v', stray]);
  });
  const leftover = await pushUntaggedManifest(reg.host, 'archy');
  await dockerOk(['create', '--name', stray, '--label', `jindr.gc-for=${reg.name}`, 'registry:3']);
  const before = await startedAt(reg.name);
  const result = await jindr(['-r', reg.host, 'gc', '--grace', '0', '--force'], { env: cfg.env });
  t.is(result.code, 1);
  t.regex(result.stderr, new RegExp(`another garbage collection is at work on ${reg.name}.*docker rm -f ${stray}`));
  t.is(await startedAt(reg.name), before);
  t.is(await manifestStatus(reg.host, 'archy', leftover.digest), 200);
});

e2e('Ctrl-C during gc: no further removal starts, the registry is started again, exit 130', async (t) => {
  const reg = await startTestRegistry({ image: 'registry:3', network: BRIDGE });
  t.teardown(() => reg.remove());
  const archy = await pushArchy(reg.host);
  const leftover = await pushUntaggedManifest(reg.host, 'archy');
  const child = spawn(pluginBinary, ['-r', reg.host, 'gc', '--grace', '0', '--force'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.includes('stopping')) child.kill('SIGINT');
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.is(code, 130, stderr);
  t.regex(stderr, /starting .* again/);
  t.is((await dockerOk(['inspect', '-f', '{{.State.Running}}', reg.name])).trim(), 'true');
  t.deepEqual((await dockerOk(['ps', '-a', '--filter', `label=jindr.gc-for=${reg.name}`, '-q'])).trim(), '');
  await forgetConnections();
  // Started again, the registry takes a moment to listen (the interrupted gc does not wait
  // for it to answer): wait, then check. Whether the removal had started when the signal
  // came depends on timing; either way the registry answers, and the tagged image is whole.
  await waitForRegistry(`http://${reg.host}/v2/`);
  t.true([200, 404].includes(await manifestStatus(reg.host, 'archy', leftover.digest)));
  for (const m of [archy, ...archy.manifests]) t.is(await manifestStatus(reg.host, 'archy', m.digest), 200);
});

e2e('gc with nothing to collect leaves a running registry alone', async (t) => {
  const { reg, cfg } = await setup(t, 'registry:3');
  await pushArchy(reg.host);
  const leftover = await pushUntaggedManifest(reg.host, 'archy');
  t.is((await gc(cfg.env, reg.host)).manifests.length, 1);
  const before = await startedAt(reg.name);
  const again = await gc(cfg.env, reg.host);
  t.deepEqual(
    { manifests: again.manifests, repositories: again.repositories, blobs: again.blobs, bytesFreed: again.bytesFreed },
    { manifests: [], repositories: [], blobs: 0, bytesFreed: 0 },
  );
  t.is(await startedAt(reg.name), before, 'not restarted');
  t.is(await manifestStatus(reg.host, 'archy', leftover.digest), 404);
});

e2e('gc follows a storage root set by env, and refuses storage that is not in a volume', async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'jindr-gc-root-'));
  const mounted = await startTestRegistry({
    image: 'registry:2',
    env: { REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: '/data' },
    volumes: { [data]: '/data' },
    network: BRIDGE,
  });
  const inside = await startTestRegistry({
    image: 'registry:2',
    env: { REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: '/inside' },
    network: BRIDGE,
  });
  const cfg = makeDockerConfig();
  t.teardown(async () => {
    await mounted.remove();
    await inside.remove();
    rmSync(data, { recursive: true, force: true });
    cfg.cleanup();
  });
  const leftover = await pushUntaggedManifest(mounted.host, 'archy');
  const report = await gc(cfg.env, mounted.host);
  t.deepEqual(
    report.manifests.map((m) => m.digest),
    [leftover.digest],
  );
  const hex = leftover.layers[0]!.digest.slice('sha256:'.length);
  t.false(existsSync(join(data, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex)));

  await pushUntaggedManifest(inside.host, 'archy');
  const before = await startedAt(inside.name);
  const refused = await jindr(['-r', inside.host, 'gc', '--grace', '0', '--force'], { env: cfg.env });
  t.is(refused.code, 1);
  t.regex(refused.stderr, /its storage \/inside is inside the container, not in a volume or bind mount/);
  t.is(await startedAt(inside.name), before);
});
