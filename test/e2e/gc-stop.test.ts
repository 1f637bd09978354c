// `docker jindr stop` collects garbage before it stops the registry; `stop -G` does not.
// Registries made by `docker jindr start` through the real docker CLI, data in a temp dir.
import type { ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { e2e, registryImages, waitForRegistry } from '../helpers/engine.ts';
import { pushArchy, pushUntaggedManifest } from '../helpers/images.ts';
import { forgetConnections, startJindrRegistry } from '../helpers/jindr-registry.ts';
import { docker, dockerOk } from '../helpers/run.ts';

const v2 = (data: string) => join(data, 'docker/registry/v2');
const revision = (data: string, repo: string, digest: string) =>
  join(v2(data), 'repositories', repo, '_manifests/revisions/sha256', digest.slice('sha256:'.length));
const blob = (data: string, digest: string) => {
  const hex = digest.slice('sha256:'.length);
  return join(v2(data), 'blobs/sha256', hex.slice(0, 2), hex, 'data');
};

/** A registry made by `docker jindr start` that nothing was pushed to. */
async function upEmpty(t: ExecutionContext, image: string) {
  const reg = await startJindrRegistry(t, image);
  const jindr = async (...args: string[]) => {
    const result = await reg.jindr(...args);
    await forgetConnections();
    if (result.code !== 0) throw new Error(`docker jindr ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
    return result;
  };
  const start = () => jindr('start', '-d', reg.data, '--image', image);
  await waitForRegistry(`http://${reg.host}/v2/`);
  return { host: reg.host, data: reg.data, jindr, start };
}

async function setup(t: ExecutionContext, image: string) {
  const { host, data, jindr, start } = await upEmpty(t, image);
  const archy = await pushArchy(host);
  const leftover = await pushUntaggedManifest(host, 'archy', { layerSize: 4096 });
  return { host, data, jindr, start, archy, leftover };
}

async function running(host: string): Promise<boolean> {
  const out = await dockerOk(['ps', '-q', '--filter', `label=jindr.registry=${host}`]);
  return out.trim() !== '';
}

for (const image of registryImages) {
  e2e(`${image}: stop collects garbage first, and the registry starts again whole`, async (t) => {
    const { host, data, jindr, start, archy, leftover } = await setup(t, image);
    const layer = leftover.layers[0]!.digest;
    t.true(existsSync(revision(data, 'archy', leftover.digest)));
    t.true(existsSync(blob(data, layer)));

    const stopped = await jindr('stop', '--grace', '0');
    t.regex(stopped.stdout + stopped.stderr, /removed untagged manifest archy@sha256:/);
    t.false(await running(host));
    t.false(existsSync(revision(data, 'archy', leftover.digest)), 'the leftover manifest is gone');
    t.false(existsSync(blob(data, layer)), "the leftover's layer is gone");
    for (const m of [archy, ...archy.manifests]) t.true(existsSync(revision(data, 'archy', m.digest)), `${m.digest} stays`);

    await start();
    await waitForRegistry(`http://${host}/v2/`);
    t.is((await fetch(`http://${host}/v2/archy/manifests/${leftover.digest}`, { method: 'HEAD' })).status, 404);
    for (const platform of ['linux/arm64', 'linux/amd64']) {
      const pull = await docker(['pull', '--platform', platform, archy.reference]);
      t.is(pull.code, 0, pull.stderr);
    }
    // Nothing left to collect: stop says it stopped, and nothing of "0 manifest(s), 0 repository(ies)".
    const again = await jindr('stop');
    t.regex(again.stdout, /^registry stopped: /);
    t.notRegex(again.stderr, /garbage collected|\b0 (manifest|repositor|blob)/);
  });

  e2e(`${image}: stop keeps what was pushed within the grace period (default 1h)`, async (t) => {
    const { host, data, jindr, leftover } = await setup(t, image);
    const stopped = await jindr('stop');
    t.regex(stopped.stderr, /kept 1 untagged manifest\(s\) and 0 unreferenced blob\(s\) \(.*\) written within the last 1h \(--grace\)/);
    t.false(await running(host));
    t.true(existsSync(revision(data, 'archy', leftover.digest)));
    t.true(existsSync(blob(data, leftover.layers[0]!.digest)));
  });

  e2e(`${image}: gc and stop on a registry nothing was ever pushed to: nothing to collect, exit 0`, async (t) => {
    const { host, jindr } = await upEmpty(t, image);
    const port = host.split(':')[1];
    const live = await jindr('gc');
    t.is(live.stdout, `nothing to collect in jindr-${port}\n`);
    t.is(live.stderr, '');
    await jindr('stop', '-G');
    // Stopped: the collection runs in a helper container, where the registry's own
    // garbage-collect used to fail ("Path not found: /docker/registry/v2/repositories").
    const stopped = await jindr('gc', '--grace', '0');
    t.is(stopped.stdout, `nothing to collect in jindr-${port}\n`);
    t.is(stopped.stderr, '');
    t.is((await dockerOk(['ps', '-aq', '--filter', `label=jindr.gc-for=jindr-${port}`])).trim(), '', 'no helper left');
    await jindr('start');
    const stop = await jindr('stop', '--grace', '0');
    t.notRegex(stop.stderr, /garbage collection failed/);
    t.false(await running(host));
  });

  e2e(`${image}: stop -G stops without collecting`, async (t) => {
    const { host, data, jindr, leftover } = await setup(t, image);
    await jindr('stop', '-G');
    t.false(await running(host));
    t.true(existsSync(revision(data, 'archy', leftover.digest)));
    t.true(existsSync(blob(data, leftover.layers[0]!.digest)));
  });
}
