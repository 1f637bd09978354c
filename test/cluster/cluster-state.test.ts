// connect's record of what it wrote: written and read back alike, one file per cluster in
// docker-jindr's own directory (mode 0600), a damaged one named in a one-line error.
import test from 'ava';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  allConnections,
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
  configMap: { context: 'kind-dev', yaml: 'apiVersion: v1\n' },
};

test('written and read back alike; listed; removed', (t) => {
  const e = env(t);
  t.is(readConnectionState(e, 'kind', 'dev/1'), undefined);
  writeConnectionState(e, connection);
  t.deepEqual(readConnectionState(e, 'kind', 'dev/1'), connection);
  t.is(readConnectionState(e, 'k3d', 'dev/1'), undefined, 'another tool, another cluster');
  t.deepEqual(allConnections(e), [connection]);
  const dir = join(e.XDG_CONFIG_HOME!, 'docker-jindr', 'clusters');
  t.deepEqual(readdirSync(dir), ['kind-dev%2F1.json'], 'a name with a slash stays one file name');
  t.is(statSync(join(dir, 'kind-dev%2F1.json')).mode & 0o777, 0o600);
  removeConnectionState(e, 'kind', 'dev/1');
  t.deepEqual(allConnections(e), []);
});

test('without a ConfigMap: none read back', (t) => {
  const e = env(t);
  const { configMap: _configMap, ...plain } = connection;
  writeConnectionState(e, plain);
  t.deepEqual(readConnectionState(e, 'kind', 'dev/1'), plain);
});

test('a damaged file: one line naming it', (t) => {
  const e = env(t);
  writeConnectionState(e, connection);
  const file = join(e.XDG_CONFIG_HOME!, 'docker-jindr', 'clusters', 'kind-dev%2F1.json');
  writeFileSync(
    file,
    '{"tool":"kind","cluster":"dev/1","network":"kind","joined":[],"nodes":[{"node":"x","files":[{"path":"/a"}],"dirs":[]}]}',
  );
  const err = t.throws(() => readConnectionState(e, 'kind', 'dev/1'));
  t.is(err.message, `${file} is damaged (nodes[0].files[0].previous: missing, expected a string): remove it`);
});
