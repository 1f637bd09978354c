// proxy-env.ts against Go's own tables: golang.org/x/net/http/httpproxy/proxy_test.go
// (proxyForURLTests, UseProxyTests with its noProxy list, TestInvalidNoProxy,
// TestAllNoProxy, TestFromEnvironment*), ported row by row.
import test from 'ava';
import { proxyChooser, proxyEnvironment, proxyFor } from '../../src/registry/proxy-env.ts';

interface Row {
  http?: string;
  https?: string;
  no?: string;
  cgi?: boolean;
  req?: string;
  want: string;
  error?: string;
}

// Go formats a URL without a trailing slash; so does this.
const show = (url: URL | undefined): string =>
  url === undefined
    ? '<nil>'
    : `${url.protocol}//${url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : ''}${url.host}`;

const proxyForURLTests: Row[] = [
  { http: '127.0.0.1:8080', want: 'http://127.0.0.1:8080' },
  { http: 'cache.corp.example.com:1234', want: 'http://cache.corp.example.com:1234' },
  { http: 'cache.corp.example.com', want: 'http://cache.corp.example.com' },
  // single label domain is recognized as scheme by url.Parse
  { http: 'localhost', want: 'http://localhost' },
  { http: 'https://cache.corp.example.com', want: 'https://cache.corp.example.com' },
  { http: 'http://127.0.0.1:8080', want: 'http://127.0.0.1:8080' },
  { http: 'https://127.0.0.1:8080', want: 'https://127.0.0.1:8080' },
  { http: 'socks5://127.0.0.1', want: 'socks5://127.0.0.1' },
  // Preserve unknown schemes.
  { http: 'foo://host', want: 'foo://host' },
  // Don't use secure for http
  { http: 'http.proxy.tld', https: 'secure.proxy.tld', req: 'http://insecure.tld/', want: 'http://http.proxy.tld' },
  // Use secure for https.
  { http: 'http.proxy.tld', https: 'secure.proxy.tld', req: 'https://secure.tld/', want: 'http://secure.proxy.tld' },
  { http: 'http.proxy.tld', https: 'https://secure.proxy.tld', req: 'https://secure.tld/', want: 'https://secure.proxy.tld' },
  { http: 'http.proxy.tld', req: 'https://secure.tld/', want: '<nil>' },
  { http: 'http.proxy.tld', req: 'ftp://insecure.tld/', want: '<nil>' },
  // Issue 16405: don't use HTTP_PROXY in a CGI environment, where HTTP_PROXY can be attacker-controlled.
  {
    http: 'http://10.1.2.3:8080',
    cgi: true,
    want: '<nil>',
    error: 'refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy',
  },
  // HTTPS proxy is still used even in CGI environment.
  { https: 'https://secure.proxy.tld', cgi: true, req: 'https://secure.tld/', want: 'https://secure.proxy.tld' },
  { want: '<nil>' },
  { no: 'example.com', http: 'proxy', req: 'http://example.com/', want: '<nil>' },
  { no: '.example.com', http: 'proxy', req: 'http://example.com/', want: 'http://proxy' },
  { no: 'ample.com', http: 'proxy', req: 'http://example.com/', want: 'http://proxy' },
  { no: 'example.com', http: 'proxy', req: 'http://foo.example.com/', want: '<nil>' },
  { no: '.foo.com', http: 'proxy', req: 'http://example.com/', want: 'http://proxy' },
  { no: '.示例.com', http: 'proxy', req: 'http://www.示例.com', want: '<nil>' },
  { no: 'xn--fsq092h.com', http: 'proxy', req: 'http://www.示例.com', want: '<nil>' },
  { no: '示例.com', http: 'proxy', req: 'http://www.xn--fsq092h.com', want: '<nil>' },
  // Go's last row, http://[1000::%25.example.com]:123, is a URL Node's parser refuses (a zone
  // in an IPv6 host): no request can be made to it, so none can be proxied.
];

function envOf(row: Row): NodeJS.ProcessEnv {
  return {
    ...(row.http !== undefined ? { HTTP_PROXY: row.http } : {}),
    ...(row.https !== undefined ? { HTTPS_PROXY: row.https } : {}),
    ...(row.no !== undefined ? { NO_PROXY: row.no } : {}),
    ...(row.cgi === true ? { REQUEST_METHOD: 'GET' } : {}),
  };
}

for (const row of proxyForURLTests) {
  const req = row.req ?? 'http://example.com';
  test(`proxyForURL ${JSON.stringify(envOf(row))} req=${req}`, (t) => {
    const env = envOf(row);
    const choose = proxyChooser(env);
    for (const key of Object.keys(env)) delete env[key]; // the chooser read the environment once
    if (row.error !== undefined) {
      t.throws(() => choose(new URL(req)), { message: row.error });
      return;
    }
    t.is(show(choose(new URL(req))), row.want);
  });
}

const noProxy =
  'foobar.com, .barbaz.net, *.wildcard.io, 192.168.1.1, 192.168.1.2:81, 192.168.1.3:80, 10.0.0.0/30, 2001:db8::52:0:1, [2001:db8::52:0:2]:443, [2001:db8::52:0:3]:80, 2002:db8:a::45/64';

const UseProxyTests: Array<[string, boolean]> = [
  // Never proxy localhost:
  ['localhost', false],
  ['127.0.0.1', false],
  ['127.0.0.2', false],
  ['[::1]', false],
  ['[::2]', true], // not a loopback address

  ['192.168.1.1', false], // matches exact IPv4
  ['192.168.1.2', true], // ports do not match
  ['192.168.1.3', false], // matches exact IPv4:port
  ['192.168.1.4', true], // no match
  ['10.0.0.2', false], // matches IPv4/CIDR
  ['[2001:db8::52:0:1]', false], // matches exact IPv6
  ['[2001:db8::52:0:2]', true], // no match
  ['[2001:db8::52:0:3]', false], // matches exact [IPv6]:port
  ['[2002:db8:a::123]', false], // matches IPv6/CIDR
  ['[fe80::424b:c8be:1643:a1b6]', true], // no match

  ['barbaz.net', true], // does not match as .barbaz.net
  ['www.barbaz.net', false], // does match as .barbaz.net
  ['foobar.com', false], // does match as foobar.com
  ['www.foobar.com', false], // match because NO_PROXY includes "foobar.com"
  ['foofoobar.com', true], // not match as a part of foobar.com
  ['baz.com', true], // not match as a part of barbaz.com
  ['localhost.net', true], // not match as suffix of address
  ['local.localhost', true], // not match as prefix as address
  ['barbarbaz.net', true], // not match, wrong domain
  ['wildcard.io', true], // does not match as *.wildcard.io
  ['nested.wildcard.io', false], // match as *.wildcard.io
  ['awildcard.io', true], // not a match because of '*'
];

// Go calls useProxy(host + ":80"); here a request to http://host:80 with a proxy set.
const used = (env: NodeJS.ProcessEnv, host: string): boolean =>
  proxyFor(new URL(`http://${host}:80/`), { HTTP_PROXY: 'http://proxy.example.org', ...env }) !== undefined;

test('UseProxy: the NO_PROXY forms, loopback never proxied', (t) => {
  for (const [host, match] of UseProxyTests) t.is(used({ NO_PROXY: noProxy }, host), match, host);
});

test('InvalidNoProxy: ":1" is ignored, not a crash', (t) => {
  t.true(used({ NO_PROXY: ':1' }, 'example.com'));
});

test('AllNoProxy: "*" proxies nothing', (t) => {
  for (const [host] of UseProxyTests) t.false(used({ NO_PROXY: '*' }, host), host);
});

test('FromEnvironment: upper-case names, lower-case when those are unset or empty; REQUEST_METHOD means CGI', (t) => {
  t.deepEqual(proxyEnvironment({ HTTP_PROXY: 'httpproxy', HTTPS_PROXY: 'httpsproxy', NO_PROXY: 'noproxy', REQUEST_METHOD: '' }), {
    httpProxy: 'httpproxy',
    httpsProxy: 'httpsproxy',
    noProxy: 'noproxy',
    cgi: false,
  });
  t.deepEqual(
    proxyEnvironment({ HTTP_PROXY: 'httpproxy', HTTPS_PROXY: 'httpsproxy', NO_PROXY: 'noproxy', REQUEST_METHOD: 'PUT' }).cgi,
    true,
  );
  t.deepEqual(proxyEnvironment({ http_proxy: 'httpproxy', https_proxy: 'httpsproxy', no_proxy: 'noproxy' }), {
    httpProxy: 'httpproxy',
    httpsProxy: 'httpsproxy',
    noProxy: 'noproxy',
    cgi: false,
  });
  // Both set: the upper-case one wins; an empty upper-case one lets the lower-case one through.
  t.is(proxyEnvironment({ HTTPS_PROXY: 'upper', https_proxy: 'lower' }).httpsProxy, 'upper');
  t.is(proxyEnvironment({ HTTPS_PROXY: '', https_proxy: 'lower' }).httpsProxy, 'lower');
  t.is(proxyEnvironment({ NO_PROXY: 'a', no_proxy: 'b' }).noProxy, 'a');
});

test('ports: a NO_PROXY port matches that port only; the default port of the scheme counts', (t) => {
  const env = { HTTPS_PROXY: 'proxy:3128', NO_PROXY: 'registry.example.com:5000,other.example.com:443' };
  t.is(proxyFor(new URL('https://registry.example.com:5000/v2/'), env), undefined);
  t.is(show(proxyFor(new URL('https://registry.example.com/v2/'), env)), 'http://proxy:3128');
  t.is(proxyFor(new URL('https://other.example.com/v2/'), env), undefined);
  t.is(show(proxyFor(new URL('https://other.example.com:8443/v2/'), env)), 'http://proxy:3128');
  // Loopback stays direct even with nothing in NO_PROXY, in every spelling.
  for (const host of ['localhost:5001', '127.0.0.1:5001', '127.8.9.10', '[::1]:5001', '[::ffff:127.0.0.1]:5001'])
    t.is(proxyFor(new URL(`https://${host}/`), env), undefined, host);
  t.is(
    show(proxyFor(new URL('https://user:pw@x.test/'), { HTTPS_PROXY: 'http://u%40x:p%3Aw@proxy:3128' })),
    'http://u%40x:p%3Aw@proxy:3128',
  );
});
