import test from 'ava';
import { mirrorSnippets } from '../../src/mirror/mirror-snippets.ts';
import { parseUpstream } from '../../src/mirror/mirror-upstream.ts';
import { panicLine } from '../../src/mirror/mirror-failure.ts';
import { describeLogin, lookupUpstreamLogin } from '../../src/mirror/mirror-login.ts';

test('containerd hosts.toml and Podman registries.conf for Docker Hub on this machine', (t) => {
  const text = mirrorSnippets(parseUpstream(undefined), { local: '127.0.0.1:5002' }, 'jindr-mirror-docker.io');
  t.true(
    text.includes(
      [
        '/etc/containerd/certs.d/docker.io/hosts.toml',
        'server = "https://registry-1.docker.io"',
        '',
        '[host."http://127.0.0.1:5002"]',
        '  capabilities = ["pull", "resolve"]',
      ].join('\n'),
    ),
  );
  t.true(
    text.includes(
      [
        '[[registry]]',
        'prefix = "docker.io"',
        'location = "docker.io"',
        '',
        '[[registry.mirror]]',
        'location = "127.0.0.1:5002"',
        'insecure = true',
      ].join('\n'),
    ),
  );
  t.regex(text, /--network NETWORK .* http:\/\/jindr-mirror-docker\.io:5000/);
});

test('on a Docker network: the hosts.toml and k3d registries.yaml for nodes there', (t) => {
  const text = mirrorSnippets(
    parseUpstream('ghcr.io'),
    { local: '127.0.0.1:5003', network: { name: 'kind', address: 'jindr-mirror-ghcr.io:5000' } },
    'jindr-mirror-ghcr.io',
  );
  t.true(text.includes('/etc/containerd/certs.d/ghcr.io/hosts.toml\nserver = "https://ghcr.io"'));
  t.true(text.includes('[host."http://jindr-mirror-ghcr.io:5000"]'));
  t.true(text.includes('mirrors:\n  "ghcr.io":\n    endpoint:\n      - http://jindr-mirror-ghcr.io:5000'));
});

test('the panic line of a proxy that cannot reach its upstream', (t) => {
  const log =
    'time="..." level=info msg="redis not configured"\npanic: Get "http://up:5000/v2/": dial tcp: lookup up on 127.0.0.11:53: no such host\n\ngoroutine 1 [running]:\nmain.main()\n';
  t.is(panicLine(log), 'Get "http://up:5000/v2/": dial tcp: lookup up on 127.0.0.11:53: no such host');
  t.is(panicLine('all fine\n'), undefined);
});

test('the login: user and password used; none, or an identity token, means anonymous; the secret never in words', async (t) => {
  const asked: string[] = [];
  const found = await lookupUpstreamLogin(async (host) => {
    asked.push(host);
    return { username: 'alice', password: 's3cret' };
  }, 'docker.io');
  t.deepEqual(asked, ['docker.io']);
  t.like(found, { kind: 'login', login: { username: 'alice', password: 's3cret' } });
  t.notRegex(describeLogin(found), /s3cret/);
  const token = await lookupUpstreamLogin(async () => ({ identityToken: 'tok-secret' }), 'ghcr.io');
  t.is(token.kind, 'identity-token');
  t.notRegex(describeLogin(token), /tok-secret/);
  t.is((await lookupUpstreamLogin(async () => undefined, 'quay.io')).kind, 'none');
});
