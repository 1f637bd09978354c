// `docker jindr connect` against a stand-in kind node (kind cannot be downloaded here): a
// container labelled as kind labels its nodes, on a network named as kind names it, running
// Debian's containerd with config_path = "/etc/containerd/certs.d". After connect, inside the
// node, `ctr content fetch --all-platforms --hosts-dir` fetches every platform of an image
// from the registry (localhost:PORT) and of a Docker Hub name through a Hub mirror whose
// upstream is an offline test registry, with the digests skopeo reports; kubectl is a
// recording stand-in for the ConfigMap step only, keeping the one ConfigMap in a file and
// answering get as kubectl does (the object, or NotFound with exit 1). `connect --rm` puts
// the node's files back byte for byte, leaves the network, and deletes the ConfigMap or puts
// back the one there was before. A mirror re-created by `mirror start` stays connected.
import type { ExecutionContext } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
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
import { cleanupsAfterAll } from '../helpers/cleanups.ts';

const ID = randomBytes(3).toString('hex');
const CLUSTER = `jindr-${ID}`;
const NODE = `${CLUSTER}-control-plane`;
const IMAGE = `jindr-kind-node:${ID}`;
const UPSTREAM_NET = `jindr-connect-up-${ID}`;
const HUB_TAG = `connect-${ID}`;

const cleanups = cleanupsAfterAll();
const tempDir = (prefix: string): string => cleanups.tempDir(prefix);

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

/**
 * kind's network is named kind; a test must not take over one a real kind (or another run
 * of this test) made, so then it makes its own. The engine lets two networks share a name,
 * and another run may make one at the same moment: made, and then not the only one, it
 * goes again (and where two are already, inspect says none and create refuses). Removed by its ID (a name two share is refused).
 */
async function clusterNetwork(): Promise<string> {
  const made = (await docker(['network', 'inspect', 'kind'])).code !== 0 ? await docker(['network', 'create', 'kind']) : undefined;
  if (made?.code === 0) {
    const id = made.stdout.trim();
    const named = (await dockerOk(['network', 'ls', '-q', '--no-trunc', '--filter', 'name=^kind$'])).split('\n').filter(Boolean);
    if (named.length === 1) {
      cleanups.push(() => removeNetwork(id));
      return 'kind';
    }
    await dockerOk(['network', 'rm', id]);
  }
  const name = `kind-${ID}`;
  await dockerOk(['network', 'create', name]);
  cleanups.push(() => removeNetwork(name));
  return name;
}

/** Removes a network this test made (by name or ID), taking off any container still on it (a mirror of another test's that connect joined, after a failure). */
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
  /** The stand-in kubectl's one ConfigMap (absent: NotFound). */
  kubeStore: string;
  archy: Awaited<ReturnType<typeof pushArchy>>;
  hub: Awaited<ReturnType<typeof pushArchy>>;
}

const NOT_FOUND = 'Error from server (NotFound): configmaps "local-registry-hosting" not found';

/**
 * A stand-in kubectl that records each call (N.args, N.stdin in log) and keeps the one
 * ConfigMap in a file: apply writes what it is given, get prints it (else kubectl's
 * NotFound, exit 1), delete removes it.
 */
function standInKubectl(): { bin: string; log: string; store: string } {
  const bin = tempDir('jindr-connect-bin-');
  const log = tempDir('jindr-connect-kubectl-');
  const store = join(tempDir('jindr-connect-kube-'), 'configmap');
  const script = `#!/bin/sh
n=$(ls '${log}' | grep -c args)
printf '%s\\n' "$@" > '${log}/'$n.args
cat > '${log}/'$n.stdin
for a in "$@"; do case "$a" in get|apply|delete) verb=$a; break;; esac; done
case "$verb" in
  get) if [ -f '${store}' ]; then cat '${store}'; else echo '${NOT_FOUND}' >&2; exit 1; fi ;;
  apply) cp '${log}/'$n.stdin '${store}' ;;
  delete) rm -f '${store}' ;;
esac
`;
  writeFileSync(join(bin, 'kubectl'), script);
  chmodSync(join(bin, 'kubectl'), 0o755);
  return { bin, log, store };
}

async function startNode(cluster: string, node: string, network: string): Promise<void> {
  await dockerOk(
    ['run', '-d', '--name', node, '--label', `io.x-k8s.kind.cluster=${cluster}`, '--label', 'io.x-k8s.kind.role=control-plane'].concat([
      '--network',
      network,
      IMAGE,
    ]),
  );
  cleanups.push(() => docker(['rm', '-f', '-v', node]));
  await waitFor(`containerd in ${node}`, async () => (await exec(node, 'ctr', 'version')).code === 0, 60_000);
}

async function rig(t: ExecutionContext): Promise<Rig> {
  await buildNodeImage();
  const network = await clusterNetwork();
  await startNode(CLUSTER, NODE, network);

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
  const upstream = await startTestRegistry({ network: UPSTREAM_NET });
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
  const { bin, log: kubectlLog, store: kubeStore } = standInKubectl();
  reg.env.PATH = `${bin}:${process.env.PATH}`;
  reg.env.XDG_CONFIG_HOME = tempDir('jindr-connect-xdg-');
  return { reg, network, mirror, kubectlLog, kubeStore, archy, hub };
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

const GET_ARGS = [
  '--context',
  `kind-${CLUSTER}`,
  'get',
  'configmap',
  'local-registry-hosting',
  '--namespace',
  'kube-public',
  '--output',
  'json',
] as const;

/** A ConfigMap as kubectl get -o json shows one the user applied: with what the server set. */
const USERS_CONFIG_MAP = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'local-registry-hosting',
    namespace: 'kube-public',
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1","kind":"ConfigMap"}\n', owner: 'me' },
    resourceVersion: '812',
    uid: '0b5c3e2a-5d1e-4f7a-9a57-3f0e5e0c9d11',
    creationTimestamp: '2026-12-01T09:00:00Z',
    managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1' }],
  },
  data: { 'localRegistryHosting.v1': 'host: "localhost:5000"\nhelp: "https://kind.sigs.k8s.io/docs/user/local-registry/"\n' },
};
const USERS_CONFIG_MAP_APPLIED = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'local-registry-hosting', namespace: 'kube-public', annotations: { owner: 'me' } },
  data: USERS_CONFIG_MAP.data,
};

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

    // The ConfigMap, through kubectl with kind's context: the one there read first (none), then applied.
    const calls = kubectlCalls(r.kubectlLog);
    t.is(calls.length, 2);
    t.deepEqual(calls[0]!.args, [...GET_ARGS]);
    t.deepEqual(calls[1]!.args, ['--context', `kind-${CLUSTER}`, 'apply', '-f', '-']);
    t.is(calls[1]!.stdin, configMapYaml(reg.host, `${alias}:5000`));
    t.is(readFileSync(r.kubeStore, 'utf8'), calls[1]!.stdin);
    t.regex(calls[1]!.stdin, /^ {2}name: local-registry-hosting\n {2}namespace: kube-public$/m);
    t.regex(calls[1]!.stdin, new RegExp(`^ {4}host: "${reg.host}"$`, 'm'));

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
    t.is(kubectlCalls(r.kubectlLog).length, 2, 'the ConfigMap is not read or applied again');

    const info = await reg.jindr('info');
    t.regex(info.stderr, new RegExp(`connected: kind cluster ${CLUSTER} \\(network ${r.network}\\)`));

    // A re-created registry container is joined again by up.
    await dockerOk(['rm', '-f', '-v', reg.name]);
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
    t.false(existsSync(r.kubeStore), 'there was none before connect: deleted');
    const after = jsonLines<{ name: string; connected: boolean }>((await reg.jindr('connect', '--format', 'json')).stdout);
    t.is(after.find((c) => c.name === CLUSTER)?.connected, false);
    const twice = await reg.jindr('connect', '--rm', CLUSTER);
    t.is(twice.stdout, `not connected: ${CLUSTER}\n`);

    // A ConfigMap of the user's there before connect: read, replaced, and put back by --rm (without what the server set).
    writeFileSync(r.kubeStore, JSON.stringify(USERS_CONFIG_MAP, null, 2));
    const callsBefore = kubectlCalls(r.kubectlLog).length;
    const again = await reg.jindr('connect', CLUSTER);
    t.is(again.code, 0, again.stderr);
    const [get, apply] = kubectlCalls(r.kubectlLog).slice(callsBefore);
    t.deepEqual(get?.args, [...GET_ARGS]);
    t.is(apply?.stdin, configMapYaml(reg.host, `${alias}:5000`));
    t.is(readFileSync(r.kubeStore, 'utf8'), apply?.stdin ?? 'no apply');
    const restored = await reg.jindr('connect', '--rm', CLUSTER);
    t.is(restored.code, 0, restored.stderr);
    t.regex(restored.stderr, /put back the ConfigMap local-registry-hosting in kube-public that was there before connect/);
    const putBack = kubectlCalls(r.kubectlLog).at(-1)!;
    t.deepEqual(putBack.args, ['--context', `kind-${CLUSTER}`, 'apply', '-f', '-']);
    t.deepEqual(JSON.parse(readFileSync(r.kubeStore, 'utf8')), USERS_CONFIG_MAP_APPLIED);
    t.is(await nodeTree(), treeBefore, "the node's files are as they were, again");
    t.is((await reg.jindr('connect', '--rm', CLUSTER)).stdout, `not connected: ${CLUSTER}\n`);
  },
);

e2e('connect: one-line errors for an unknown cluster, no registry, a stopped node, a node without config_path', async (t) => {
  const reg = await startJindrRegistry(t, 'registry:2');
  reg.env.XDG_CONFIG_HOME = tempDir('jindr-connect-xdg-');
  t.regex(errorLine(t, await reg.jindr('connect', `nosuch-${ID}`), 1), /no local cluster named nosuch-\w+: docker jindr connect lists/);
  t.regex(errorLine(t, await reg.jindr('connect', '--rm'), 2), /connect --rm needs the CLUSTER/);

  const stopped = `jindr-stopped-${ID}`;
  await dockerOk(['create', '--name', `${stopped}-control-plane`, '--label', `io.x-k8s.kind.cluster=${stopped}`, 'registry:2']);
  cleanups.push(() => docker(['rm', '-f', '-v', `${stopped}-control-plane`]));
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
  cleanups.push(() => docker(['rm', '-f', '-v', `${bare}-control-plane`]));
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
  cleanups.push(() => docker(['rm', '-f', '-v', server]));
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
  cleanups.push(() => docker(['rm', '-f', '-v', `${server}-lb`]));
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

e2e(
  "connect: a mirror re-created by mirror start (after mirror rm) is joined again under its alias, and the node's hosts.toml still reaches it",
  async (t) => {
    await buildNodeImage();
    const cluster = `jindr-mirrored-${ID}`;
    const node = `${cluster}-control-plane`;
    const net = `jindr-connect-mirrored-${ID}`;
    await dockerOk(['network', 'create', net]);
    cleanups.push(() => removeNetwork(net));
    await startNode(cluster, node, net);

    const reg = await startJindrRegistry(t, 'registry:2');
    reg.env.PATH = `${standInKubectl().bin}:${process.env.PATH}`;
    reg.env.XDG_CONFIG_HOME = tempDir('jindr-connect-xdg-');
    // A mirror made by mirror start, of an offline test upstream on a network of its own.
    const upstreamNet = `jindr-connect-mup-${ID}`;
    await dockerOk(['network', 'create', upstreamNet]);
    cleanups.push(() => removeNetwork(upstreamNet));
    const upstream = await startTestRegistry({ network: upstreamNet });
    cleanups.push(() => upstream.remove());
    const image = await pushArchy(upstream.host, { repo: 'tools/archy', tag: HUB_TAG });
    const url = `http://${upstream.name}:5000`;
    const mirrorAddress = `localhost:${await freePort()}`;
    const data = tempDir('jindr-connect-mdata-');
    const mirror = `jindr-mirror-${upstream.name}-5000`;
    const startMirror = () => reg.jindr('-r', mirrorAddress, 'mirror', 'start', url, '--network', upstreamNet, '-d', data);
    // Last resort, run after the mirror rm below (cleanups run last-first): the container by name.
    cleanups.push(() => docker(['rm', '-f', '-v', mirror]));
    const started = await startMirror();
    t.is(started.code, 0, started.stderr);
    cleanups.push(() => reg.jindr('mirror', 'rm', url, '--purge'));
    const alias = mirror; // no dots in its name

    const connected = await reg.jindr('connect', cluster);
    t.is(connected.code, 0, connected.stderr);
    t.true((await networksOf(mirror))[net]?.Aliases?.includes(alias), 'the mirror is on the network under its alias');
    const hostsPath = `/etc/containerd/certs.d/${upstream.name}:5000/hosts.toml`;
    const hosts = (await exec(node, 'cat', hostsPath)).stdout;
    t.is(hosts, hostsToml({ host: `${upstream.name}:5000`, endpoint: `http://${alias}:5000`, server: url }));

    // The mirror removed (its cache kept) and made again by mirror start: a new container, joined again.
    const idBefore = (await dockerOk(['inspect', '-f', '{{.Id}}', mirror])).trim();
    const removed = await reg.jindr('mirror', 'rm', url);
    t.is(removed.code, 0, removed.stderr);
    const again = await startMirror();
    t.is(again.code, 0, again.stderr);
    t.not((await dockerOk(['inspect', '-f', '{{.Id}}', mirror])).trim(), idBefore, 'mirror start made a new container');
    t.regex(
      again.stderr,
      new RegExp(`joined ${mirror} to the network ${net} again, as ${alias}: the kind cluster ${cluster} stays connected`),
    );
    t.true((await networksOf(mirror))[net]?.Aliases?.includes(alias), 'the new mirror is on the network under its alias');
    t.is((await exec(node, 'cat', hostsPath)).stdout, hosts, "the node's hosts.toml is unchanged");
    // The node pulls through the new mirror by the upstream's name (the upstream is on no network the node is on).
    const fetched = await exec(node, ...fetchArgs(`${upstream.name}:5000/tools/archy:${HUB_TAG}`));
    t.is(fetched.code, 0, fetched.stderr);
    const have = await exec(node, 'ctr', '-n', 'k8s.io', 'content', 'ls', '-q');
    for (const d of [image.digest, ...image.manifests.map((m) => m.digest)]) t.true(have.stdout.includes(d), d);

    // Stopped and started (the container kept): still there, nothing to join.
    t.is((await reg.jindr('mirror', 'stop', url)).code, 0);
    const restarted = await startMirror();
    t.is(restarted.code, 0, restarted.stderr);
    t.false(restarted.stderr.includes('again, as'), restarted.stderr);
    t.true((await networksOf(mirror))[net]?.Aliases?.includes(alias));

    const rm = await reg.jindr('connect', '--rm', cluster);
    t.is(rm.code, 0, rm.stderr);
    t.is((await networksOf(mirror))[net], undefined);
  },
);
