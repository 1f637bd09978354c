// Registry containers docker-jindr did not create (a plain `docker run -d -p
// 127.0.0.1:PORT:5000 registry:N`, no jindr labels): gc and rmr refuse to stop them, edit
// their storage or restart them, in one line naming the container, and touch nothing;
// `gc --dry-run` only reads and still works; with --force they do their work.
import { e2e, registryImages, startTestRegistry, type TestRegistry } from '../helpers/engine.ts';
import { pushArchy, pushUntaggedManifest } from '../helpers/images.ts';
import { docker, dockerOk, errorLine, makeDockerConfig, jindr as jindrAlone } from '../helpers/run.ts';
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from 'undici';

async function forgetConnections(): Promise<void> {
  const old = getGlobalDispatcher();
  setGlobalDispatcher(new Agent());
  await old.destroy().catch(() => {});
}

const status = async (url: string): Promise<number> => {
  const res = await fetch(url, {
    headers: { accept: 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json' },
  });
  await res.arrayBuffer();
  return res.status;
};

async function catalog(host: string): Promise<string[]> {
  return ((await (await fetch(`http://${host}/v2/_catalog`)).json()) as { repositories: string[] }).repositories;
}

/** Is the blob's data file in the registry's storage (not just answered for)? */
async function inStorage(reg: TestRegistry, digest: string): Promise<boolean> {
  const hex = digest.slice('sha256:'.length);
  const result = await docker([
    'exec',
    reg.name,
    'sh',
    '-c',
    'test -e "$1"',
    'sh',
    `/var/lib/registry/docker/registry/v2/blobs/sha256/${hex.slice(0, 2)}/${hex}/data`,
  ]);
  return result.code === 0;
}

const startedAt = async (name: string) => (await dockerOk(['inspect', '-f', '{{.State.StartedAt}}', name])).trim();

for (const image of registryImages) {
  e2e(`${image}: gc and rmr refuse a registry container docker jindr did not create, touch nothing, and work with --force`, async (t) => {
    // On a bridge: gc and rmr find a registry's container by its published port.
    const reg = await startTestRegistry({ image, network: 'bridge' });
    const cfg = makeDockerConfig();
    t.teardown(async () => {
      await reg.remove();
      cfg.cleanup();
    });
    t.is((await dockerOk(['inspect', '-f', '{{index .Config.Labels "jindr.registry"}}', reg.name])).trim(), '', 'no jindr label');
    const { host } = reg;
    const archy = await pushArchy(host);
    const leftover = await pushUntaggedManifest(host, 'archy');
    const layer = leftover.layers[0]!.digest;
    const before = await startedAt(reg.name);
    const jindr = (...args: string[]) => jindrAlone(['-r', host, ...args], { env: cfg.env });

    const gc = await jindr('gc', '--grace', '0');
    t.is(
      errorLine(t, gc, 1),
      `docker-jindr: the registry container ${reg.name} was not created by docker jindr: gc would stop it, edit its storage and start it again; run gc --force to do it anyway`,
    );
    const rmr = await jindr('rmr', 'archy');
    t.is(
      errorLine(t, rmr, 1),
      `docker-jindr: the registry container ${reg.name} was not created by docker jindr: rmr would delete in its storage and restart it; run rmr --force to do it anyway`,
    );

    t.is(await startedAt(reg.name), before, 'neither stopped nor restarted');
    t.is((await dockerOk(['ps', '-aq', '--filter', `label=jindr.gc-for=${reg.name}`])).trim(), '', 'no helper container');
    t.is(await status(`http://${host}/v2/archy/manifests/${leftover.digest}`), 200);
    t.true(await inStorage(reg, layer), "the leftover's layer is still in storage");
    for (const m of [archy, ...archy.manifests]) t.is(await status(`http://${host}/v2/archy/manifests/${m.digest}`), 200);
    t.is(await status(`http://${host}/v2/archy/manifests/latest`), 200);
    t.deepEqual(await catalog(host), ['archy']);

    // A dry run reads in place and changes nothing: allowed.
    const dry = await jindr('gc', '--dry-run', '--grace', '0', '--format', 'json');
    t.is(dry.code, 0, dry.stderr);
    t.deepEqual((JSON.parse(dry.stdout) as { manifests: unknown[] }).manifests, [{ repository: 'archy', digest: leftover.digest }]);
    t.is(await startedAt(reg.name), before);

    const forced = await jindr('gc', '--grace', '0', '--force', '--format', 'json');
    t.is(forced.code, 0, forced.stderr);
    await forgetConnections();
    t.deepEqual((JSON.parse(forced.stdout) as { manifests: unknown[] }).manifests, [{ repository: 'archy', digest: leftover.digest }]);
    t.not(await startedAt(reg.name), before, 'restarted');
    t.is(await status(`http://${host}/v2/archy/manifests/${leftover.digest}`), 404);
    t.false(await inStorage(reg, layer));
    t.is(await status(`http://${host}/v2/archy/manifests/latest`), 200);

    const removed = await jindr('rmr', '--force', 'archy');
    t.is(removed.code, 0, removed.stderr);
    await forgetConnections();
    t.deepEqual(await catalog(host), []);
  });
}
