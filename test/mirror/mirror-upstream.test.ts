import test from 'ava';
import { parseUpstream, mirrorContainerName } from '../../src/mirror/mirror-upstream.ts';
import { UsageError } from '../../src/errors.ts';

test('Docker Hub by default and by any of its names', (t) => {
  const hub = { name: 'docker.io', url: 'https://registry-1.docker.io', host: 'docker.io', hub: true };
  for (const spec of [
    undefined,
    '',
    'docker.io',
    'hub',
    'index.docker.io',
    'registry-1.docker.io',
    'https://registry-1.docker.io',
    'https://docker.io/',
    'DOCKER.IO',
  ]) {
    t.deepEqual(parseUpstream(spec), hub, String(spec));
  }
});

test('named registries and URLs', (t) => {
  t.deepEqual(parseUpstream('ghcr.io'), { name: 'ghcr.io', url: 'https://ghcr.io', host: 'ghcr.io', hub: false });
  t.deepEqual(parseUpstream('registry.k8s.io'), {
    name: 'registry.k8s.io',
    url: 'https://registry.k8s.io',
    host: 'registry.k8s.io',
    hub: false,
  });
  t.deepEqual(parseUpstream('quay.io').url, 'https://quay.io');
  t.deepEqual(parseUpstream('gcr.io').url, 'https://gcr.io');
  t.deepEqual(parseUpstream('registry.example.com:5000'), {
    name: 'registry.example.com-5000',
    url: 'https://registry.example.com:5000',
    host: 'registry.example.com:5000',
    hub: false,
  });
  t.deepEqual(parseUpstream('http://upstream:5000'), {
    name: 'upstream-5000',
    url: 'http://upstream:5000',
    host: 'upstream:5000',
    hub: false,
  });
  t.deepEqual(parseUpstream('HTTPS://Reg.Example.com/'), {
    name: 'reg.example.com',
    url: 'https://reg.example.com',
    host: 'reg.example.com',
    hub: false,
  });
});

test('refused: other schemes, paths, logins in the URL, Docker Hub over http, garbage', (t) => {
  for (const spec of [
    'ftp://x.io',
    'https://x.io/v2',
    'x.io/team',
    'https://x.io?a=1',
    'not a host',
    'http://docker.io',
    'https://a:b@x.io',
    'https://[bad',
  ]) {
    const err = t.throws(() => parseUpstream(spec), { instanceOf: UsageError }, spec);
    t.notRegex(err.message, /\n/);
  }
  t.regex(t.throws(() => parseUpstream('https://alice:s3cret@x.io')).message, /docker login x\.io/);
  t.notRegex(t.throws(() => parseUpstream('https://alice:s3cret@x.io')).message, /s3cret/);
});

test('container names', (t) => {
  t.is(mirrorContainerName(parseUpstream(undefined)), 'jindr-mirror-docker.io');
  t.is(mirrorContainerName(parseUpstream('http://upstream:5000')), 'jindr-mirror-upstream-5000');
});
