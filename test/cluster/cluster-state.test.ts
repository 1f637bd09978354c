// connect's record of what it wrote: written and read back alike, one file per cluster in
// docker-jindr's own directory (mode 0600), keyed by the engine too (a file of before the
// engine key read as the default engine's), a damaged one named in a one-line error.
import test from 'ava';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  allConnections,
  DEFAULT_ENGINE,
  engineTag,
  readConnectionState,
  removeConnectionState,
  writeConnectionState,
  type Connection,
} from '../../src/cluster/cluster-state.ts';

function env(t: { teardown(fn: () => void): void }): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-cluster-state-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return { XDG_CONFIG_HOME: dir };
}

const connection: Connection = {
  engine: DEFAULT_ENGINE,
  tool: 'kind',
  cluster: 'dev/1',
  network: 'kind',
  joined: [{ container: 'jindr-5001', alias: 'jindr-5001' }],
  nodes: [
    {
      node: 'dev-control-plane',
      files: [
        { path: '/etc/containerd/certs.d/localhost:5001/hosts.toml', previous: '[host."http://kind-registry:5000"]\n', written: 'new' },
        { path: '/etc/containerd/certs.d/docker.io/hosts.toml', previous: null, written: 'new' },
      ],
      dirs: ['/etc/containerd/certs.d/docker.io'],
    },
  ],
  configMap: { context: 'kind-dev', yaml: 'apiVersion: v1\n', previous: '{"kind": "ConfigMap"}\n' },
};

test('written and read back alike; listed; removed', (t) => {
  const e = env(t);
  t.is(readConnectionState(e, DEFAULT_ENGINE, 'kind', 'dev/1'), undefined);
  writeConnectionState(e, connection);
  t.deepEqual(readConnectionState(e, DEFAULT_ENGINE, 'kind', 'dev/1'), connection);
  t.is(readConnectionState(e, DEFAULT_ENGINE, 'k3d', 'dev/1'), undefined, 'another tool, another cluster');
  t.deepEqual(allConnections(e, DEFAULT_ENGINE), [connection]);
  const dir = join(e.XDG_CONFIG_HOME!, 'docker-jindr', 'clusters');
  const name = `kind-dev%2F1-${engineTag(DEFAULT_ENGINE)}.json`;
  t.deepEqual(readdirSync(dir), [name], 'a name with a slash stays one file name');
  t.is(statSync(join(dir, name)).mode & 0o777, 0o600);
  removeConnectionState(e, DEFAULT_ENGINE, 'kind', 'dev/1');
  t.deepEqual(allConnections(e, DEFAULT_ENGINE), []);
});

test('the same cluster name on two engines: two records', (t) => {
  const e = env(t);
  const other: Connection = { ...connection, engine: 'tcp://10.0.0.2:2376', network: 'kind-other', joined: [] };
  t.regex(engineTag(other.engine), /^[0-9a-f]{12}$/);
  t.not(engineTag(other.engine), engineTag(DEFAULT_ENGINE));
  writeConnectionState(e, connection);
  writeConnectionState(e, other);
  t.deepEqual(readConnectionState(e, DEFAULT_ENGINE, 'kind', 'dev/1'), connection);
  t.deepEqual(readConnectionState(e, other.engine, 'kind', 'dev/1'), other);
  t.deepEqual(allConnections(e, other.engine), [other]);
  t.deepEqual(allConnections(e, DEFAULT_ENGINE), [connection]);
  t.deepEqual(allConnections(e, 'unix:///run/podman/podman.sock'), []);
  removeConnectionState(e, other.engine, 'kind', 'dev/1');
  t.deepEqual(readConnectionState(e, DEFAULT_ENGINE, 'kind', 'dev/1'), connection, "the other engine's record stays");
});

test("a record of before the engine key is the default engine's; written again under the key, the old file goes", (t) => {
  const e = env(t);
  const dir = join(e.XDG_CONFIG_HOME!, 'docker-jindr', 'clusters');
  mkdirSync(dir, { recursive: true });
  // As an earlier docker-jindr wrote it: no engine, a ConfigMap without previous.
  const { engine: _engine, configMap: _configMap, ...old } = connection;
  writeFileSync(join(dir, 'kind-dev%2F1.json'), JSON.stringify({ ...old, configMap: { context: 'kind-dev', yaml: 'apiVersion: v1\n' } }));
  const read = readConnectionState(e, DEFAULT_ENGINE, 'kind', 'dev/1');
  t.deepEqual(
    read,
    { ...connection, configMap: { context: 'kind-dev', yaml: 'apiVersion: v1\n', previous: null } },
    '--rm deletes it, as then',
  );
  t.is(readConnectionState(e, 'tcp://10.0.0.2:2376', 'kind', 'dev/1'), undefined, 'not the other engine’s');
  t.deepEqual(allConnections(e, DEFAULT_ENGINE), [read]);
  t.deepEqual(allConnections(e, 'tcp://10.0.0.2:2376'), []);
  writeConnectionState(e, read!);
  t.deepEqual(readdirSync(dir), [`kind-dev%2F1-${engineTag(DEFAULT_ENGINE)}.json`]);
  t.deepEqual(readConnectionState(e, DEFAULT_ENGINE, 'kind', 'dev/1'), read);
  writeFileSync(join(dir, 'kind-dev%2F1.json'), JSON.stringify(old));
  removeConnectionState(e, DEFAULT_ENGINE, 'kind', 'dev/1');
  t.deepEqual(readdirSync(dir), [], 'both go');
});

test('without a ConfigMap: none read back', (t) => {
  const e = env(t);
  const { configMap: _configMap, ...plain } = connection;
  writeConnectionState(e, plain);
  t.deepEqual(readConnectionState(e, DEFAULT_ENGINE, 'kind', 'dev/1'), plain);
});

test('a damaged file: one line naming it', (t) => {
  const e = env(t);
  writeConnectionState(e, connection);
  const file = join(e.XDG_CONFIG_HOME!, 'docker-jindr', 'clusters', `kind-dev%2F1-${engineTag(DEFAULT_ENGINE)}.json`);
  writeFileSync(
    file,
    '{"tool":"kind","cluster":"dev/1","network":"kind","joined":[],"nodes":[{"node":"x","files":[{"path":"/a"}],"dirs":[]}]}',
  );
  const err = t.throws(() => readConnectionState(e, DEFAULT_ENGINE, 'kind', 'dev/1'));
  t.is(err.message, `${file} is damaged (nodes[0].files[0].previous: missing, expected a string): remove it`);
});
