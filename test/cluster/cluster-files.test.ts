// The text connect writes into nodes: containerd's hosts.toml, k3s's registries.yaml,
// KEP-1755's ConfigMap, and config_path as read from a node's containerd config.toml.
import test from 'ava';
import { configMapYaml, hostsToml, hostsTomlPath, MARKER, parseConfigPath, registriesYaml } from '../../src/cluster/cluster-files.ts';

test('hosts.toml for the registry: the container over the network, no upstream', (t) => {
  t.is(
    hostsToml({ host: 'localhost:5001', endpoint: 'http://jindr-5001:5000' }),
    `${MARKER}\n\n[host."http://jindr-5001:5000"]\n  capabilities = ["pull", "resolve"]\n`,
  );
});

test('hosts.toml for a mirror: the upstream as server, which containerd falls back to', (t) => {
  t.is(
    hostsToml({ host: 'docker.io', endpoint: 'http://jindr-mirror-docker-io:5000', server: 'https://registry-1.docker.io' }),
    `${MARKER}\nserver = "https://registry-1.docker.io"\n\n[host."http://jindr-mirror-docker-io:5000"]\n  capabilities = ["pull", "resolve"]\n`,
  );
});

test('hosts.toml lives in a directory named after the host, under config_path', (t) => {
  t.is(hostsTomlPath('/etc/containerd/certs.d', 'localhost:5001'), '/etc/containerd/certs.d/localhost:5001/hosts.toml');
  t.is(hostsTomlPath('/etc/containerd/certs.d/', 'docker.io'), '/etc/containerd/certs.d/docker.io/hosts.toml');
});

test("registries.yaml: one mirror entry per host, k3s's default endpoint left as the fallback", (t) => {
  t.is(
    registriesYaml([
      { host: 'localhost:5001', endpoint: 'http://jindr-5001:5000' },
      { host: 'docker.io', endpoint: 'http://jindr-mirror-docker-io:5000', server: 'https://registry-1.docker.io' },
    ]),
    [
      MARKER,
      'mirrors:',
      '  "localhost:5001":',
      '    endpoint:',
      '      - "http://jindr-5001:5000"',
      '  "docker.io":',
      '    endpoint:',
      '      - "http://jindr-mirror-docker-io:5000"',
      '',
    ].join('\n'),
  );
});

test("the ConfigMap is KEP-1755's local-registry-hosting in kube-public", (t) => {
  t.is(
    configMapYaml('localhost:5001', 'jindr-5001:5000'),
    [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: local-registry-hosting',
      '  namespace: kube-public',
      'data:',
      '  localRegistryHosting.v1: |',
      '    host: "localhost:5001"',
      '    hostFromContainerRuntime: "localhost:5001"',
      '    hostFromClusterNetwork: "jindr-5001:5000"',
      '    help: "https://github.com/docker-jindr/docker-jindr#local-kubernetes"',
      '',
    ].join('\n'),
  );
});

const configs: ReadonlyArray<readonly [string, string, string | undefined]> = [
  [
    'kind (version 2)',
    'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n',
    '/etc/containerd/certs.d',
  ],
  [
    'containerd 2 (version 3, single quotes)',
    "version = 3\n[plugins.'io.containerd.cri.v1.images'.registry]\n  config_path = '/etc/containerd/certs.d'\n",
    '/etc/containerd/certs.d',
  ],
  ['a comment after it', '[plugins."io.containerd.grpc.v1.cri".registry]\nconfig_path = "/x" # here\n', '/x'],
  ['none set', 'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]\n  endpoint = ["https://x"]\n', undefined],
  ['empty', '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = ""\n', undefined],
  ['config_path of another section', '[plugins."io.containerd.grpc.v1.cri".containerd]\n  config_path = "/nope"\n', undefined],
  ['no file content', '', undefined],
];
for (const [what, text, expected] of configs) {
  test(`config_path: ${what}`, (t) => {
    t.is(parseConfigPath(text), expected);
  });
}
