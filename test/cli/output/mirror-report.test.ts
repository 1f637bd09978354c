// mirror start, stop, rm and config with --format: one JSON object (and nothing else on
// stdout), templates over their fields, and, without --format, the words they always printed.
import test from 'ava';
import type { Context } from '../../../src/cli/context.ts';
import {
  announceMirrorStart,
  printMirrorConfig,
  printMirrorRemove,
  printMirrorStart,
  printMirrorStop,
  type EngineMirror,
} from '../../../src/cli/output/mirror-report.ts';
import { printEngineChange } from '../../../src/cli/mirror/engine-output.ts';
import type { RegistryContainer } from '../../../src/server/container.ts';
import type { MirrorRemoval } from '../../../src/mirror/mirror-remove.ts';
import { mirrorSnippetParts, mirrorSnippets } from '../../../src/mirror/mirror-snippets.ts';
import type { MirrorStartResult } from '../../../src/mirror/mirror-start.ts';
import { parseUpstream } from '../../../src/mirror/mirror-upstream.ts';

function recording(format = 'table') {
  const out: string[] = [];
  const err: string[] = [];
  const ctx = {
    format,
    env: {},
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    info: (m: string) => err.push(m + '\n'),
  } as unknown as Context;
  return { ctx, out: () => out.join(''), err: () => err.join('') };
}

const DATA = '/home/me/.jindr/mirrors/up-5000/data';
const upstream = parseUpstream('http://up:5000');

/** A mirror container as listContainers makes it: on the network kind, its data in DATA. */
function container(over: Partial<RegistryContainer> = {}): RegistryContainer {
  return {
    id: 'abc',
    name: 'jindr-mirror-up-5000',
    image: 'registry:3',
    state: 'running',
    running: true,
    status: 'Up',
    registry: 'localhost:5003',
    bindings: [{ hostIp: '127.0.0.1', port: 5003 }],
    storage: { kind: 'bind', path: DATA },
    managed: true,
    configPath: '/etc/jindr/mirror.yml',
    details: { HostConfig: { NetworkMode: 'kind' }, Config: { Labels: { 'jindr.mirror': upstream.url } }, Mounts: [] },
    ...over,
  } as unknown as RegistryContainer;
}

const started = (over: Partial<MirrorStartResult> = {}): MirrorStartResult => ({
  outcome: 'created',
  upstream,
  container: container(),
  address: 'localhost:5003',
  login: { kind: 'login', login: { username: 'alice', password: 's3cret' }, username: 'alice', from: 'up:5000' },
  ignored: [],
  ...over,
});

/** mirror start as start.ts runs it: announced, the engine told (with --engine), then the row. */
function runStart(format: string, result: MirrorStartResult, engine?: EngineMirror) {
  const r = recording(format);
  announceMirrorStart(r.ctx, result);
  if (engine) printEngineChange(r.ctx, engine, engine.url, true);
  printMirrorStart(r.ctx, result, engine);
  return r;
}

const reloaded: EngineMirror = {
  url: 'http://127.0.0.1:5003',
  kind: 'reloaded',
  path: '/etc/docker/daemon.json',
  mirrors: ['http://127.0.0.1:5003/'],
};

test('mirror start --format json: one object with the result, the engine change in it; the words for people on stderr only', (t) => {
  const r = runStart('json', started(), reloaded);
  t.true(r.out().endsWith('\n'));
  t.is(r.out().trimEnd().split('\n').length, 1, 'one line on stdout');
  t.deepEqual(JSON.parse(r.out()), {
    name: 'up-5000',
    upstream: 'http://up:5000',
    address: 'localhost:5003',
    port: 5003,
    container: 'jindr-mirror-up-5000',
    image: 'registry:3',
    data: DATA,
    network: 'kind',
    outcome: 'created',
    login: { kind: 'login', from: 'up:5000', username: 'alice' },
    engineMirror: {
      url: 'http://127.0.0.1:5003',
      kind: 'reloaded',
      path: '/etc/docker/daemon.json',
      mirrors: ['http://127.0.0.1:5003/'],
      set: true,
    },
    mode: 'pull-through',
    offline: null,
  });
  t.notRegex(r.out() + r.err(), /s3cret/, 'never the password');
  t.regex(r.err(), /^the mirror pulls with your Docker login to up:5000 \(user "alice"\)$/m);
  t.regex(r.err(), /^docker jindr mirror config up-5000 shows the containerd/m, 'the settings are not printed: where to get them is said');
  t.regex(r.err(), /^the Docker engine now pulls Docker Hub images through http:\/\/127\.0\.0\.1:5003 /m);
});

test('mirror start offline: the line that says so and why on stderr (not the login, which it does not use), mode and offline in JSON', (t) => {
  const offline = { images: 3, reason: 'dial tcp: lookup up on 127.0.0.11:53: no such host' };
  const r = runStart('json', started({ outcome: 'started', offline }));
  t.like(JSON.parse(r.out()), { outcome: 'started', mode: 'offline', offline });
  const lines = r.err().split('\n');
  t.true(lines.includes('offline: serving 3 cached images from cache'), r.err());
  t.true(
    lines.includes(
      'the mirror cannot reach http://up:5000 (dial tcp: lookup up on 127.0.0.11:53: no such host): it serves what it holds, read-only, until a docker jindr mirror start up-5000 finds the upstream again',
    ),
    r.err(),
  );
  t.notRegex(r.err(), /pulls with your Docker login/);
  const plain = runStart('table', started({ outcome: 'started', offline }));
  t.regex(plain.out(), /^mirror of up:5000 started as jindr-mirror-up-5000 on localhost:5003 /);
  t.regex(plain.err(), /^offline: serving 3 cached images from cache$/m);
});

test('mirror start templates: the fields as shown; no --engine is -, a manual change is not set', (t) => {
  const running = started({
    outcome: 'already-running',
    login: undefined,
    container: container({
      storage: { kind: 'volume', name: 'v' },
      details: { HostConfig: {}, Config: { Labels: {} }, Mounts: [] },
    } as never),
  });
  t.is(
    runStart('{{.Name}} {{.Port}} {{.Outcome}} {{.EngineMirror}} {{.Data}} {{.Network}}', running).out(),
    'up-5000 5003 already-running - - -\n',
  );
  const manual: EngineMirror = { url: 'http://127.0.0.1:5003', kind: 'manual', why: 'not writable', steps: ['set it', 'reload'] };
  const r = runStart('{{.EngineMirror}}|{{.Address}}|{{.Container}}|{{.Upstream}}|{{.Image}}', started({ outcome: 'started' }), manual);
  t.is(
    r.out(),
    'manual|localhost:5003|jindr-mirror-up-5000|http://up:5000|registry:3\n',
    'the steps go to stderr, not into the template output',
  );
  t.regex(r.err(), /to use the mirror:\n {2}set it\n {2}reload\n/);
  t.false(JSON.parse(runStart('json', started(), manual).out()).engineMirror.set);
  t.is(runStart('table {{.Name}}\t{{.EngineMirror}}', started(), reloaded).out(), 'NAME      ENGINE MIRROR\nup-5000   reloaded\n');
});

test('mirror start without --format: its line, then the settings when created, and the engine change, on stdout as before', (t) => {
  const c = container();
  const r = runStart('table', started(), reloaded);
  t.is(
    r.out(),
    `mirror of up:5000 created and started as jindr-mirror-up-5000 on localhost:5003 (http://up:5000, registry:3, data in ${DATA})\n` +
      `\n${mirrorSnippets(upstream, { local: '127.0.0.1:5003', network: { name: 'kind', address: `${c.name}:5000` } }, c.name)}` +
      'the Docker engine now pulls Docker Hub images through http://127.0.0.1:5003 (/etc/docker/daemon.json, reloaded without restarting containers)\n',
  );
  t.notRegex(r.err(), /mirror config/);
  t.is(
    runStart('', started({ outcome: 'already-running', login: undefined })).out(),
    `mirror of up:5000 already running as jindr-mirror-up-5000 on localhost:5003 (http://up:5000, registry:3, data in ${DATA})\n`,
  );
});

test('mirror stop: stopped or not running, in words, as JSON, through a template', (t) => {
  const c = container();
  const say = (format: string, stopped: boolean) => {
    const r = recording(format);
    printMirrorStop(r.ctx, upstream, c, stopped);
    return r.out();
  };
  t.is(say('table', true), 'mirror of up:5000 stopped (jindr-mirror-up-5000; docker jindr mirror start up-5000 starts it again)\n');
  t.is(say('table', false), 'mirror of up:5000 (jindr-mirror-up-5000) is not running\n');
  t.is(
    say('json', true),
    '{"name":"up-5000","upstream":"http://up:5000","address":"localhost:5003","container":"jindr-mirror-up-5000","outcome":"stopped"}\n',
  );
  t.is(say('{{.Container}} {{.Outcome | upper}}', false), 'jindr-mirror-up-5000 NOT-RUNNING\n');
});

test('mirror rm: what went, what stays, what the engine was told; as words, JSON and a template', (t) => {
  const c = container();
  const kept: MirrorRemoval = {
    container: c.name,
    dataRemoved: undefined,
    dataKept: DATA,
    engine: { kind: 'unchanged', path: '/etc/docker/daemon.json' },
  };
  const purged: MirrorRemoval = { container: c.name, dataRemoved: DATA, dataKept: undefined, engine: { kind: 'failed', why: 'no info' } };
  const say = (format: string, removal: MirrorRemoval, engine = true) => {
    const r = recording(format);
    printMirrorRemove(r.ctx, upstream, c, removal, engine ? { url: 'http://127.0.0.1:5003', ...removal.engine } : undefined);
    return r.out();
  };
  t.is(say('table', kept), `mirror of up:5000 removed (container jindr-mirror-up-5000); its data stays in ${DATA} (--purge removes it)\n`);
  t.is(say('table', purged), `mirror of up:5000 removed (container jindr-mirror-up-5000); its data in ${DATA} removed\n`);
  t.deepEqual(JSON.parse(say('json', kept)), {
    name: 'up-5000',
    upstream: 'http://up:5000',
    address: 'localhost:5003',
    container: 'jindr-mirror-up-5000',
    data: DATA,
    dataRemoved: false,
    engineMirror: { url: 'http://127.0.0.1:5003', kind: 'unchanged', path: '/etc/docker/daemon.json' },
  });
  t.like(JSON.parse(say('json', purged, false)), { dataRemoved: true, engineMirror: null });
  t.is(say('{{.DataRemoved}} {{.EngineMirror}} {{.Data}}', purged), `true failed ${DATA}\n`);
  t.is(say('{{.DataRemoved}} {{.EngineMirror}}', kept, false), 'false -\n');
});

test('mirror config: each snippet a field, the same text as the default output has', (t) => {
  const c = container();
  const parts = mirrorSnippetParts(upstream, { local: '127.0.0.1:5003', network: { name: 'kind', address: 'jindr-mirror-up-5000:5000' } });
  const say = (format: string, mirror = c) => {
    const r = recording(format);
    printMirrorConfig(r.ctx, upstream, mirror, 'localhost:5003');
    return r.out();
  };
  t.is(
    say('table'),
    mirrorSnippets(upstream, { local: '127.0.0.1:5003', network: { name: 'kind', address: 'jindr-mirror-up-5000:5000' } }, c.name),
  );
  t.deepEqual(JSON.parse(say('json')), {
    name: 'up-5000',
    upstream: 'http://up:5000',
    address: 'localhost:5003',
    container: 'jindr-mirror-up-5000',
    network: 'kind',
    containerdFile: '/etc/containerd/certs.d/up:5000/hosts.toml',
    containerd: parts.containerd,
    nodeContainerd: parts.nodes!.containerd,
    k3d: parts.nodes!.k3d,
    podmanFile: '/etc/containers/registries.conf.d/jindr-mirror-up-5000.conf',
    podman: parts.podman,
  });
  t.is(parts.containerd, 'server = "http://up:5000"\n\n[host."http://127.0.0.1:5003"]\n  capabilities = ["pull", "resolve"]\n');
  t.is(parts.nodes!.k3d, 'mirrors:\n  "up:5000":\n    endpoint:\n      - http://jindr-mirror-up-5000:5000\n');
  t.is(
    parts.podman,
    '[[registry]]\nprefix = "up:5000"\nlocation = "up:5000"\n\n[[registry.mirror]]\nlocation = "127.0.0.1:5003"\ninsecure = true\n',
  );
  t.is(say('{{.Podman}}'), `${parts.podman}\n`);
  const alone = container({ details: { HostConfig: { NetworkMode: 'bridge' }, Config: { Labels: {} }, Mounts: [] } } as never);
  t.is(say('{{.Network}}|{{.NodeContainerd}}|{{.K3d}}|{{.ContainerdFile}}', alone), '-|||/etc/containerd/certs.d/up:5000/hosts.toml\n');
  t.like(JSON.parse(say('json', alone)), { network: null, nodeContainerd: null, k3d: null });
});
