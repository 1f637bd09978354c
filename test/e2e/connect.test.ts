// `docker jindr connect` against a stand-in kind node (kind cannot be downloaded here): a
// container labelled as kind labels its nodes, on a network named as kind names it, running
// Debian's containerd with config_path = "/etc/containerd/certs.d". After connect, inside the
// node, `ctr content fetch --all-platforms --hosts-dir` fetches every platform of an image
// from the registry (localhost:PORT) and of a Docker Hub name through a Hub mirror whose
// upstream is an offline test registry, with the digests skopeo reports; kubectl is a
// recording stand-in for the ConfigMap step only. `connect --rm` puts the node's files back
// byte for byte and leaves the network.
import test, { type ExecutionContext } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2e, freePort, startTestRegistry, waitForRegistry } from '../helpers/engine.ts';
import { blobsOf, pushArchy, tar, type TarEntry } from '../helpers/images.ts';
import { startJindrRegistry, type JindrRegistry } from '../helpers/jindr-registry.ts';
import { docker, dockerOk, errorLine, jsonLines, run } from '../helpers/run.ts';
import { waitFor } from '../helpers/wait.ts';
import { configMapYaml, hostsToml, registriesYaml } from '../../src/cluster/cluster-files.ts';
import { connectEngine } from '../../src/engine/engine.ts';
import { inspectRegistryContainer } from '../../src/server/container.ts';
import { recreateRegistryContainer } from '../../src/server/container-recreate.ts';

const ID = randomBytes(3).toString('hex');
const CLUSTER = `jindr-${ID}`;
const NODE = `${CLUSTER}-control-plane`;
const IMAGE = `jindr-kind-node:${ID}`;
const UPSTREAM_NET = `jindr-connect-up-${ID}`;
const HUB_TAG = `connect-${ID}`;

const cleanups: Array<() => unknown> = [];
test.after.always(async () => {
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch((err: unknown) => console.error('cleanup:', err));
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const CONTAINERD_CONFIG = `version = 2
[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "/etc/containerd/certs.d"
`;

/** A node image: busybox, the host's containerd and ctr (they need only libc), kind's containerd config. */
async function buildNodeImage(): Promise<void> {
  const file = (name: string, path: string, mode = 0o755): TarEntry => ({ name, type: 'file', mode, data: readFileSync(path) });
  const dirs = ['bin', 'lib', 'lib/x86_64-linux-gnu', 'lib64', 'etc', 'etc/containerd', 'run', 'tmp', 'var', 'var/lib', 'usr', 'usr/bin'];
  const applets = ['sh', 'cat', 'ls', 'find', 'sort', 'sha256sum', 'test', 'mkdir', 'rmdir', 'rm', 'sleep', 'xargs'];
  const entries: TarEntry[] = [
    ...dirs.map((name): TarEntry => ({ name, type: 'dir' })),
    file('bin/busybox', '/bin/busybox'),
    ...applets.map((a): TarEntry => ({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox' })),
    file('lib/x86_64-linux-gnu/libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6'),
    file('lib64/ld-linux-x86-64.so.2', '/lib64/ld-linux-x86-64.so.2'),
    file('usr/bin/containerd', '/usr/bin/containerd'),
    file('usr/bin/ctr', '/usr/bin/ctr'),
    { name: 'etc/containerd/config.toml', type: 'file', mode: 0o644, data: Buffer.from(CONTAINERD_CONFIG) },
  ];
  await dockerOk(['import', '-c', 'ENV PATH=/usr/bin:/bin', '-c', 'ENTRYPOINT ["/usr/bin/containerd"]', '-', IMAGE], {
    input: tar(entries),
  });
  cleanups.push(() => docker(['rmi', IMAGE]));
}

/** kind's network is named kind; a test must not take over one a real kind made, so then it makes its own. */
async function clusterNetwork(): Promise<string> {
  const taken = (await docker(['network', 'inspect', 'kind'])).code === 0;
  const name = taken ? `kind-${ID}` : 'kind';
  await dockerOk(['network', 'create', name]);
  cleanups.push(() => removeNetwork(name));
  return name;
}

/** Removes a network this test made, taking off any container still on it (a mirror of another test's that connect joined, after a failure). */
async function removeNetwork(name: string): Promise<void> {
  const attached = (await docker(['network', 'inspect', '-f', '{{range .Containers}}{{.Name}} {{end}}', name])).stdout
    .split(' ')
    .filter((c) => c.trim());
  for (const c of attached) await docker(['network', 'disconnect', '-f', name, c.trim()]);
  await docker(['network', 'rm', name]);
}

async function exec(container: string, ...cmd: string[]) {
  return docker(['exec', container, ...cmd], { timeoutMs: 120_000 });
}

/** Every file and directory under /etc/containerd in the node, with the files' hashes. */
async function nodeTree(): Promise<string> {
  const r = await exec(NODE, 'sh', '-c', 'find /etc/containerd | sort; find /etc/containerd -type f | sort | xargs sha256sum');
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout;
}

const fetchArgs = (ref: string) => [
  'ctr',
  '-n',
  'k8s.io',
  'content',
  'fetch',
  '--all-platforms',
  '--hosts-dir',
  '/etc/containerd/certs.d',
  ref,
];

async function contentDigests(): Promise<string[]> {
  const r = await exec(NODE, 'ctr', '-n', 'k8s.io', 'content', 'ls', '-q');
  return r.stdout.split('\n').filter(Boolean);
}

async function skopeoDigest(ref: string): Promise<string> {
  const r = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);
  if (r.code !== 0) throw new Error(`skopeo: ${r.stderr}`);
  return 'sha256:' + createHash('sha256').update(r.stdout).digest('hex');
}

interface Rig {
  reg: JindrRegistry;
  network: string;
  mirror: string;
  kubectlLog: string;
  archy: Awaited<ReturnType<typeof pushArchy>>;
  hub: Awaited<ReturnType<typeof pushArchy>>;
}

async function rig(t: ExecutionContext): Promise<Rig> {
  await buildNodeImage();
  const network = await clusterNetwork();
  await dockerOk(
    ['run', '-d', '--name', NODE, '--label', `io.x-k8s.kind.cluster=${CLUSTER}`, '--label', 'io.x-k8s.kind.role=control-plane'].concat([
      '--network',
      network,
      IMAGE,
    ]),
  );
  cleanups.push(() => docker(['rm', '-f', NODE]));
  await waitFor('containerd in the node', async () => (await exec(NODE, 'ctr', 'version')).code === 0, 60_000);

  const reg = await startJindrRegistry(t, 'registry:2');
  const archy = await pushArchy(reg.host);
  // The user's own hosts.toml for the registry (as kind's script leaves one): replaced, then put back.
  await dockerOk(['exec', NODE, 'mkdir', '-p', `/etc/containerd/certs.d/${reg.host}`]);
  await dockerOk(['exec', '-i', NODE, 'sh', '-c', `cat > '/etc/containerd/certs.d/${reg.host}/hosts.toml'`], {
    input: '[host."http://kind-registry:5000"]\n',
  });

  // A Docker Hub mirror whose upstream is an offline registry on a network of its own.
  await dockerOk(['network', 'create', UPSTREAM_NET]);
  cleanups.push(() => removeNetwork(UPSTREAM_NET));
  const upstream = await startTestRegistry({ runArgs: ['--network', UPSTREAM_NET] });
  cleanups.push(() => upstream.remove());
  const hub = await pushArchy(upstream.host, { repo: 'library/busybox', tag: HUB_TAG });
  const mirrorPort = await freePort();
  const mirror = `jindr-test-mirror-${ID}`;
  await dockerOk(
    ['run', '-d', '--name', mirror, '--label', 'jindr.test=1', '--label', `jindr.registry=localhost:${mirrorPort}`]
      .concat(['--label', 'jindr.mirror=https://registry-1.docker.io', '-e', `REGISTRY_PROXY_REMOTEURL=http://${upstream.name}:5000`])
      .concat(['--network', UPSTREAM_NET, '-p', `127.0.0.1:${mirrorPort}:5000`, 'registry:2']),
  );
  cleanups.push(() => docker(['rm', '-f', '-v', mirror]));
  await waitForRegistry(`http://127.0.0.1:${mirrorPort}/v2/`);

  // A recording kubectl, first on PATH; docker-jindr's own directory a temp one.
  const bin = tempDir('jindr-connect-bin-');
  const kubectlLog = tempDir('jindr-connect-kubectl-');
  writeFileSync(
    join(bin, 'kubectl'),
    `#!/bin/sh\nn=$(ls '${kubectlLog}' | grep -c args)\nprintf '%s\\n' "$@" > '${kubectlLog}/'$n.args\ncat > '${kubectlLog}/'$n.stdin\n`,
  );
  chmodSync(join(bin, 'kubectl'), 0o755);
  reg.env.PATH = `${bin}:${process.env.PATH}`;
  reg.env.XDG_CONFIG_HOME = tempDir('jindr-connect-xdg-');
  return { reg, network, mirror, kubectlLog, archy, hub };
}

/**
 * connect again until a run changes nothing (at most 4 runs): connect joins every running
 * mirror on the engine, and other tests start and remove theirs meanwhile (on a busy
 * engine, in every run). So what a run changed (JSON's joined and written) may only be
 * such a mirror: it may not name this test's own containers or hosts, and on k3d the
 * registries.yaml rewritten for it keeps the registry's entry first. Returns whether a run
 * changed nothing (false only when every run met a new mirror of another test's).
 */
async function connectAgain(t: ExecutionContext, reg: JindrRegistry, cluster: string, own: string[], node?: string): Promise<boolean> {
  for (let i = 0; i < 4; i++) {
    const r = await reg.jindr('connect', cluster, '--format', 'json');
    t.is(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { outcome: string; joined: { container: string }[]; written: { path: string }[] };
    if (json.outcome === 'already connected') return true;
    const changed = JSON.stringify([json.joined, json.written]);
    for (const name of own) t.false(changed.includes(name), `${name} changed again: ${changed}`);
    if (node !== undefined) {
      const yaml = (await exec(node, 'cat', '/etc/rancher/k3s/registries.yaml')).stdout;
      t.true(yaml.startsWith(registriesYaml([{ host: reg.host, endpoint: `http://${reg.name}:5000` }])), yaml);
    }
  }
  t.log('every connect met a mirror another test had just started: "already connected" not seen');
  return false;
}

function kubectlCalls(dir: string): { args: string[]; stdin: string }[] {
  const count = readdirSync(dir).filter((f) => f.endsWith('.args')).length;
  return Array.from({ length: count }, (_, i) => ({
    args: readFileSync(join(dir, `${i}.args`), 'utf8')
      .trimEnd()
      .split('\n'),
    stdin: readFileSync(join(dir, `${i}.stdin`), 'utf8'),
  }));
}

async function networksOf(container: string): Promise<Record<string, { Aliases: string[] | null }>> {
  return JSON.parse(await dockerOk(['inspect', '-f', '{{json .NetworkSettings.Networks}}', container])) as Record<
    string,
    { Aliases: string[] | null }
  >;
}

e2e(
  'connect: lists the stand-in kind cluster, points its containerd at the registry and a Hub mirror, and --rm undoes it exactly',
  async (t) => {
    const r = await rig(t);
    const { reg } = r;
    const treeBefore = await nodeTree();
    t.not((await exec(NODE, ...fetchArgs(`${reg.host}/archy:latest`))).code, 0, 'before connect, the node cannot reach the registry');

    const listed = await reg.jindr('connect', '--format', 'json');
    t.is(listed.code, 0, listed.stderr);
    const row = jsonLines<{ name: string; tool: string; nodes: string[]; network: string; connected: boolean }>(listed.stdout).find(
      (c) => c.name === CLUSTER,
    );
    t.deepEqual(row, { name: CLUSTER, tool: 'kind', nodes: [NODE], network: r.network, connected: false });

    const connected = await reg.jindr('connect', CLUSTER);
    t.is(connected.code, 0, connected.stderr);
    t.is(connected.stdout, `connected: kind cluster ${CLUSTER} (network ${r.network})\n`);
    const alias = reg.name;
    t.true((await networksOf(reg.name))[r.network]?.Aliases?.includes(alias), 'the registry is on the network under its alias');
    const mirrorAlias = r.mirror; // no dots in its name
    t.true((await networksOf(r.mirror))[r.network]?.Aliases?.includes(mirrorAlias));

    const registryHosts = await exec(NODE, 'cat', `/etc/containerd/certs.d/${reg.host}/hosts.toml`);
    t.is(registryHosts.stdout, hostsToml({ host: reg.host, endpoint: `http://${alias}:5000` }));
    t.regex(registryHosts.stdout, new RegExp(`^\\[host\\."http://${alias}:5000"\\]$`, 'm'));
    const hubHosts = await exec(NODE, 'cat', '/etc/containerd/certs.d/docker.io/hosts.toml');
    t.regex(hubHosts.stdout, /^server = "https:\/\/registry-1\.docker\.io"$/m);
    t.regex(hubHosts.stdout, new RegExp(`^\\[host\\."http://${mirrorAlias}:5000"\\]$`, 'm'));

    // The ConfigMap, through kubectl with kind's context.
    const calls = kubectlCalls(r.kubectlLog);
    t.is(calls.length, 1);
    t.deepEqual(calls[0]!.args, ['--context', `kind-${CLUSTER}`, 'apply', '-f', '-']);
    t.is(calls[0]!.stdin, configMapYaml(reg.host, `${alias}:5000`));
    t.regex(calls[0]!.stdin, /^ {2}name: local-registry-hosting\n {2}namespace: kube-public$/m);
    t.regex(calls[0]!.stdin, new RegExp(`^ {4}host: "${reg.host}"$`, 'm'));

    // Every platform, from the registry, with skopeo's digests.
    const fetched = await exec(NODE, ...fetchArgs(`${reg.host}/archy:latest`));
    t.is(fetched.code, 0, fetched.stderr);
    const index = await skopeoDigest(`${reg.host}/archy:latest`);
    t.is(index, r.archy.digest);
    let have = await contentDigests();
    for (const d of [index, ...r.archy.manifests.map((m) => m.digest), ...blobsOf(r.archy).map((b) => b.digest)])
      t.true(have.includes(d), d);

    // A Docker Hub name, through the mirror (its upstream offline to the node and to the world).
    const viaMirror = await exec(NODE, ...fetchArgs(`docker.io/library/busybox:${HUB_TAG}`));
    t.is(viaMirror.code, 0, viaMirror.stderr);
    t.is(
      await skopeoDigest(`localhost:${(await dockerOk(['port', r.mirror, '5000'])).trim().split(':').at(-1)}/library/busybox:${HUB_TAG}`),
      r.hub.digest,
    );
    have = await contentDigests();
    for (const d of [r.hub.digest, ...r.hub.manifests.map((m) => m.digest)]) t.true(have.includes(d), d);

    // Twice: nothing changes.
    const ours = [`/etc/containerd/certs.d/${reg.host}/hosts.toml`, '/etc/containerd/certs.d/docker.io/hosts.toml'];
    const oursBefore = await exec(NODE, 'sha256sum', ...ours);
    if (await connectAgain(t, reg, CLUSTER, [reg.name, r.mirror, reg.host, 'docker.io'])) {
      const human = await reg.jindr('connect', CLUSTER);
      if (human.stderr === '') t.is(human.stdout, `already connected: kind cluster ${CLUSTER} (network ${r.network})\n`);
      else for (const name of [reg.name, r.mirror, reg.host, 'docker.io']) t.false(human.stderr.includes(name), human.stderr);
    }
    t.is((await exec(NODE, 'sha256sum', ...ours)).stdout, oursBefore.stdout);
    t.is(kubectlCalls(r.kubectlLog).length, 1, 'the ConfigMap is not applied again');

    const info = await reg.jindr('info');
    t.regex(info.stderr, new RegExp(`connected: kind cluster ${CLUSTER} \\(network ${r.network}\\)`));

    // A re-created registry container is joined again by up.
    await dockerOk(['rm', '-f', reg.name]);
    const up = await reg.jindr('up', '-d', reg.data, '--image', 'registry:2');
    t.is(up.code, 0, up.stderr);
    t.regex(up.stderr, new RegExp(`joined ${reg.name} to the network ${r.network} again`));
    t.true((await networksOf(reg.name))[r.network]?.Aliases?.includes(alias));

    // A container re-created with another environment (as mirror start does) keeps the cluster's network and alias.
    const engine = await connectEngine({ debug: false, tls: false, tlsVerify: false }, reg.env, new AbortController().signal);
    const current = await inspectRegistryContainer(engine.docker, { id: reg.name, name: reg.name });
    await recreateRegistryContainer(engine.docker, current, current.details.Config.Env ?? []);
    t.true((await networksOf(reg.name))[r.network]?.Aliases?.includes(alias), 'kept across a re-creation');

    const removed = await reg.jindr('connect', '--rm', CLUSTER);
    t.is(removed.code, 0, removed.stderr);
    t.is(removed.stdout, `disconnected: kind cluster ${CLUSTER}\n`);
    t.is(await nodeTree(), treeBefore, "the node's files are as they were");
    t.is((await networksOf(reg.name))[r.network], undefined);
    t.is((await networksOf(r.mirror))[r.network], undefined);
    const last = kubectlCalls(r.kubectlLog).at(-1)!;
    t.deepEqual(last.args, [
      '--context',
      `kind-${CLUSTER}`,
      'delete',
      'configmap',
      'local-registry-hosting',
      '--namespace',
      'kube-public',
      '--ignore-not-found',
    ]);
    const after = jsonLines<{ name: string; connected: boolean }>((await reg.jindr('connect', '--format', 'json')).stdout);
    t.is(after.find((c) => c.name === CLUSTER)?.connected, false);
    const twice = await reg.jindr('connect', '--rm', CLUSTER);
    t.is(twice.stdout, `not connected: ${CLUSTER}\n`);
  },
);

e2e('connect: one-line errors for an unknown cluster, no registry, a stopped node, a node without config_path', async (t) => {
  const reg = await startJindrRegistry(t, 'registry:2');
  reg.env.XDG_CONFIG_HOME = tempDir('jindr-connect-xdg-');
  t.regex(errorLine(t, await reg.jindr('connect', `nosuch-${ID}`), 1), /no local cluster named nosuch-\w+: docker jindr connect lists/);
  t.regex(errorLine(t, await reg.jindr('connect', '--rm'), 2), /connect --rm needs the CLUSTER/);

  const stopped = `jindr-stopped-${ID}`;
  await dockerOk(['create', '--name', `${stopped}-control-plane`, '--label', `io.x-k8s.kind.cluster=${stopped}`, 'registry:2']);
  cleanups.push(() => docker(['rm', '-f', `${stopped}-control-plane`]));
  t.regex(
    errorLine(t, await reg.jindr('connect', stopped), 1),
    /the node jindr-stopped-\w+-control-plane of jindr-stopped-\w+ is not running: start it/,
  );

  const bare = `jindr-bare-${ID}`;
  const net = `jindr-connect-bare-${ID}`;
  await dockerOk(['network', 'create', net]);
  cleanups.push(() => removeNetwork(net));
  // registry:2 has no containerd config at all: a node whose containerd has no config_path.
  await dockerOk([
    'run',
    '-d',
    '--name',
    `${bare}-control-plane`,
    '--label',
    `io.x-k8s.kind.cluster=${bare}`,
    '--network',
    net,
    'registry:2',
  ]);
  cleanups.push(() => docker(['rm', '-f', `${bare}-control-plane`]));
  const before = await networksOf(reg.name);
  t.regex(errorLine(t, await reg.jindr('connect', bare), 1), /has no registry config_path.*containerdConfigPatches/);
  t.deepEqual(await networksOf(reg.name), before, 'nothing was joined');

  const free = await freePort();
  t.regex(
    errorLine(t, await reg.jindr('-r', `localhost:${free}`, 'connect', bare), 1),
    new RegExp(`no registry running at localhost:${free}: start it`),
  );
});

e2e("connect: a k3d node gets k3s's registries.yaml, and --rm takes it away; without kubectl the ConfigMap is printed", async (t) => {
  await buildNodeImage();
  const cluster = `jindr-k3d-${ID}`;
  const server = `k3d-${cluster}-server-0`;
  const net = `k3d-${cluster}`;
  await dockerOk(['network', 'create', net]);
  cleanups.push(() => removeNetwork(net));
  await dockerOk([
    'run',
    '-d',
    '--name',
    server,
    '--label',
    `k3d.cluster=${cluster}`,
    '--label',
    'k3d.role=server',
    '--network',
    net,
    IMAGE,
  ]);
  cleanups.push(() => docker(['rm', '-f', server]));
  // k3d's load balancer carries the cluster's label too, and is no node.
  await dockerOk([
    'run',
    '-d',
    '--name',
    `${server}-lb`,
    '--label',
    `k3d.cluster=${cluster}`,
    '--label',
    'k3d.role=loadbalancer',
    '--network',
    net,
    IMAGE,
  ]);
  cleanups.push(() => docker(['rm', '-f', `${server}-lb`]));
  const tree = async (): Promise<string> => (await exec(server, 'find', '/etc')).stdout;
  const before = await tree();

  const reg = await startJindrRegistry(t, 'registry:2');
  reg.env.XDG_CONFIG_HOME = tempDir('jindr-connect-xdg-');
  // A PATH with docker and no kubectl.
  const bin = tempDir('jindr-connect-nokubectl-');
  symlinkSync((await run('sh', ['-c', 'command -v docker'])).stdout.trim(), join(bin, 'docker'));
  reg.env.PATH = bin;

  const listed = jsonLines<{ name: string; nodes: string[]; tool: string }>((await reg.jindr('connect', '--format', 'json')).stdout);
  t.deepEqual(
    listed.find((c) => c.name === cluster),
    { name: cluster, tool: 'k3d', nodes: [server], network: net, connected: false },
  );

  const connected = await reg.jindr('connect', cluster);
  t.is(connected.code, 0, connected.stderr);
  t.regex(
    connected.stderr,
    /the ConfigMap local-registry-hosting is not applied \(kubectl is not on PATH\): apply it with kubectl --context k3d-jindr-k3d-\w+ apply -f -/,
  );
  t.regex(connected.stderr, /k3s reads registries.yaml when it starts/);
  t.is(connected.stdout, configMapYaml(reg.host, `${reg.name}:5000`) + `connected: k3d cluster ${cluster} (network ${net})\n`);
  const yaml = await exec(server, 'cat', '/etc/rancher/k3s/registries.yaml');
  // Running mirrors (other tests' too) follow the registry's entry; k3s falls back to each host's default endpoint.
  t.true(yaml.stdout.startsWith(registriesYaml([{ host: reg.host, endpoint: `http://${reg.name}:5000` }])), yaml.stdout);

  if (await connectAgain(t, reg, cluster, [reg.name], server)) {
    const json = JSON.parse((await reg.jindr('connect', cluster, '--format', 'json')).stdout) as Record<string, unknown>;
    t.like(json, { tool: 'k3d', configMap: 'not applied', configMapYaml: configMapYaml(reg.host, `${reg.name}:5000`) });
  }

  const removed = await reg.jindr('connect', '--rm', cluster);
  t.is(removed.code, 0, removed.stderr);
  t.is(await tree(), before, 'registries.yaml and the directories made for it are gone');
  t.is((await networksOf(reg.name))[net], undefined);
});
