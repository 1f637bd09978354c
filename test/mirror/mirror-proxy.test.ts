// What a mirror container is given of the proxy settings: Go's names and values as read
// here; never a proxy with credentials (refused when the upstream needs it, left out
// otherwise), never a loopback proxy the container cannot reach.
import test from 'ava';
import { RefusedError } from '../../src/errors.ts';
import { mirrorProxyEnv } from '../../src/mirror/mirror-proxy.ts';

test('no proxy set: nothing', (t) => {
  t.deepEqual(mirrorProxyEnv('https://registry-1.docker.io', {}), []);
  t.deepEqual(mirrorProxyEnv('https://registry-1.docker.io', { NO_PROXY: 'x' }), []);
});

test('the settings as Go reads them (upper case first, else lower case), under the upper-case names', (t) => {
  t.deepEqual(
    mirrorProxyEnv('https://registry-1.docker.io', {
      https_proxy: 'http://172.17.0.1:3128',
      HTTP_PROXY: '172.17.0.1:3128',
      no_proxy: '.corp',
      NO_PROXY: 'internal.example',
    }),
    ['HTTP_PROXY=172.17.0.1:3128', 'HTTPS_PROXY=http://172.17.0.1:3128', 'NO_PROXY=internal.example'],
  );
});

test('a proxy with credentials: refused when the upstream goes through it, never passed', (t) => {
  const err = t.throws(() => mirrorProxyEnv('https://ghcr.io', { HTTPS_PROXY: 'http://bob:s3cret@proxy.corp:3128' }), {
    instanceOf: RefusedError,
  });
  t.regex(
    err.message,
    /^HTTPS_PROXY carries a user and password, which the mirror's container would show to docker inspect: .*HTTPS_PROXY=http:\/\/proxy\.corp:3128 .*NO_PROXY$/,
  );
  t.false(err.message.includes('s3cret') || err.message.includes('bob'));
  // The upstream in NO_PROXY: the mirror does not need that proxy, and does not get it.
  t.deepEqual(
    mirrorProxyEnv('https://ghcr.io', {
      HTTPS_PROXY: 'http://bob:s3cret@proxy.corp:3128',
      HTTP_PROXY: 'http://172.17.0.1:3128',
      NO_PROXY: 'ghcr.io',
    }),
    ['HTTP_PROXY=http://172.17.0.1:3128', 'NO_PROXY=ghcr.io'],
  );
  // An http upstream uses HTTP_PROXY: a credentialed HTTPS_PROXY is left out.
  t.deepEqual(
    mirrorProxyEnv('http://upstream:5000', { HTTPS_PROXY: 'http://bob:s3cret@proxy.corp:3128', HTTP_PROXY: 'http://172.17.0.1:3128' }),
    ['HTTP_PROXY=http://172.17.0.1:3128'],
  );
});

test('a loopback proxy that the upstream would use: refused, naming what containers can reach', (t) => {
  for (const proxy of ['localhost:3128', 'http://127.0.0.1:3128', 'http://[::1]:3128']) {
    const err = t.throws(() => mirrorProxyEnv('https://registry-1.docker.io', { HTTPS_PROXY: proxy }), { instanceOf: RefusedError });
    t.regex(err.message, /^HTTPS_PROXY names a proxy on loopback \(.*\), which the mirror's container cannot reach: .*gateway/, proxy);
  }
  t.deepEqual(mirrorProxyEnv('https://registry-1.docker.io', { HTTPS_PROXY: 'localhost:3128', NO_PROXY: 'docker.io' }), [
    'HTTPS_PROXY=localhost:3128',
    'NO_PROXY=docker.io',
  ]);
});
