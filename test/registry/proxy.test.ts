// HTTP_PROXY, HTTPS_PROXY and NO_PROXY honoured by every registry request, in-process: a
// real forwarding proxy (test/fakes/forward-proxy.ts) is the only way to names under
// only-via-proxy.test (they resolve nowhere), in front of the shared registry fake. Whole
// `cp` commands through it (https through CONNECT with the registry's own TLS checks; plain
// HTTP in absolute form), a token realm reached through it, Proxy-Authorization from the
// proxy URL, the NO_PROXY forms and loopback going direct, and the one-line errors.
import test, { type ExecutionContext } from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerRegistryClients } from '../../src/docker/registry-clients.ts';
import { startForwardProxy, type ForwardProxy, type ForwardProxyOptions } from '../fakes/forward-proxy.ts';
import { startOciRegistry, type OciRegistry, type OciRegistryOptions } from '../fakes/oci-registry.ts';
import { makePki, type Pki } from '../fakes/pki.ts';
import { buildArchy } from '../helpers/images.ts';
import { dockerConfigEnv, jindrInProcess } from '../helpers/in-process.ts';
import { outsideAddress } from '../helpers/network.ts';

const SECURE = 'registry.only-via-proxy.test';
const PLAIN = 'plain.only-via-proxy.test:5000';
const archy = buildArchy();

let pki: Pki;
test.before(() => {
  pki = makePki();
});
test.after.always(() => pki?.cleanup());

interface Rig {
  source: OciRegistry;
  secure: OciRegistry;
  plain: OciRegistry;
  proxy: ForwardProxy;
  env: NodeJS.ProcessEnv;
}

/** A loopback source holding archy; an https registry and a plain one reachable by name through the proxy only. */
async function rig(
  t: ExecutionContext,
  options: { proxy?: ForwardProxyOptions; secure?: OciRegistryOptions; plain?: OciRegistryOptions; config?: unknown } = {},
): Promise<Rig> {
  const cert = pki.server('proxied', [], [SECURE]);
  const [source, secure, plain] = await Promise.all([
    startOciRegistry(),
    startOciRegistry({ ...options.secure, tls: { cert: cert.cert, key: cert.key } }),
    startOciRegistry(options.plain),
  ]);
  for (const fake of [source, secure, plain]) t.teardown(fake.close);
  source.store.pushIndex('archy', 'v1', archy);
  const proxy = await startForwardProxy({
    ...options.proxy,
    routes: { [`${SECURE}:443`]: { host: '127.0.0.1', port: secure.port }, [PLAIN]: { host: '127.0.0.1', port: plain.port } },
  });
  t.teardown(proxy.close);
  const config = dockerConfigEnv(options.config ?? {});
  t.teardown(config.cleanup);
  // The proxied registry's CA, where Docker keeps it (certs.d/<host>/ca.crt).
  const certsD = join(String(config.env.DOCKER_CONFIG), 'certs.d');
  mkdirSync(join(certsD, SECURE), { recursive: true });
  writeFileSync(join(certsD, SECURE, 'ca.crt'), pki.ca.cert);
  const env = { ...config.env, JINDR_CERTS_D: certsD, HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url };
  return { source, secure, plain, proxy, env };
}

const methods = (proxy: ForwardProxy): string[] => [...new Set(proxy.seen.map((s) => s.method))].sort();

test('cp to and from a name only the proxy reaches: https through CONNECT, verified with its own CA; the loopback source direct', async (t) => {
  const { source, secure, proxy, env } = await rig(t);
  const to = await jindrInProcess(['cp', `${source.host}/archy:v1`, `${SECURE}/copied`], { env });
  t.is(to.code, 0, to.stderr);
  t.is(secure.store.manifest('copied/archy', 'v1')?.digest, archy.digest);
  t.true(secure.log.length > 0 && secure.log.every((r) => r.tls), 'TLS to the registry, inside the tunnel');
  t.deepEqual(methods(proxy), ['CONNECT']);
  t.true(
    proxy.seen.every((s) => s.target === `${SECURE}:443` && s.status === 200),
    JSON.stringify(proxy.seen),
  );
  t.deepEqual(proxy.reached('127.0.0.1'), [], 'loopback is never proxied');

  // Back to an empty registry: streamed GETs of every blob through the tunnel.
  const empty = await startOciRegistry();
  t.teardown(empty.close);
  const back = await jindrInProcess(['cp', `${SECURE}/copied/archy:v1`, `${empty.host}/back`], { env });
  t.is(back.code, 0, back.stderr);
  t.is(empty.store.manifest('back/copied/archy', 'v1')?.digest, archy.digest);
  t.true(
    secure.log.some((r) => r.method === 'GET' && r.path.includes('/blobs/')),
    'blobs were read through the proxy',
  );
});

test('cp --insecure to a plain-HTTP registry through the proxy: absolute-form requests, every method the copy needs', async (t) => {
  const { source, plain, proxy, env } = await rig(t);
  const result = await jindrInProcess(['cp', '--insecure', `${source.host}/archy:v1`, `${PLAIN}/copied`], { env });
  t.is(result.code, 0, result.stderr);
  t.is(plain.store.manifest('copied/archy', 'v1')?.digest, archy.digest);
  const forwarded = proxy.seen.filter((s) => s.method !== 'CONNECT');
  t.true(forwarded.length > 0);
  t.true(
    forwarded.every((s) => s.target.startsWith(`http://${PLAIN}/v2/`)),
    JSON.stringify(forwarded.map((s) => s.target)),
  );
  for (const method of ['HEAD', 'POST', 'PUT'])
    t.true(
      forwarded.some((s) => s.method === method),
      `${method} through the proxy`,
    );
  // The TLS attempt of --insecure went to the same name through CONNECT, then plain HTTP.
  t.true(proxy.seen.some((s) => s.method === 'CONNECT' && s.target === PLAIN));
});

test('a Bearer token realm is asked through the proxy too (https tunnel and plain HTTP)', async (t) => {
  const auth = { bearer: { users: { alice: 'pw-alice' } } };
  const login = Buffer.from('alice:pw-alice').toString('base64');
  const { source, secure, plain, proxy, env } = await rig(t, {
    secure: { auth },
    plain: { auth },
    config: { auths: { [SECURE]: { auth: login }, [PLAIN]: { auth: login } } },
  });
  const tunnelled = await jindrInProcess(['cp', `${source.host}/archy:v1`, `${SECURE}/copied`], { env });
  t.is(tunnelled.code, 0, tunnelled.stderr);
  t.true(secure.tokenRequests.length > 0 && secure.tokenRequests.every((r) => r.subject === 'alice'), JSON.stringify(secure.tokenRequests));
  const forwarded = await jindrInProcess(['cp', '--insecure', `${source.host}/archy:v1`, `${PLAIN}/copied`], { env });
  t.is(forwarded.code, 0, forwarded.stderr);
  t.true(
    proxy.seen.some((s) => s.target.startsWith(`http://${PLAIN}/token`)),
    'the realm URL went to the proxy',
  );
  t.is(plain.store.manifest('copied/archy', 'v1')?.digest, archy.digest);
});

test('Proxy-Authorization from the proxy URL; a refusal is one line naming the proxy and never its password', async (t) => {
  const password = 'p@ss:w/Zq9';
  const { source, secure, proxy, env } = await rig(t, { proxy: { auth: { user: 'bob', password } } });
  const withAuth = { ...env, HTTPS_PROXY: `http://bob:${encodeURIComponent(password)}@127.0.0.1:${proxy.port}` };
  const ok = await jindrInProcess(['cp', `${source.host}/archy:v1`, `${SECURE}/copied`], { env: withAuth });
  t.is(ok.code, 0, ok.stderr);
  t.is(secure.store.manifest('copied/archy', 'v1')?.digest, archy.digest);
  t.true(proxy.seen.every((s) => s.proxyAuthorization === `Basic ${Buffer.from(`bob:${password}`).toString('base64')}`));

  const wrong = { ...env, HTTPS_PROXY: `http://bob:wrong-${encodeURIComponent(password)}@127.0.0.1:${proxy.port}` };
  const refused = await jindrInProcess(['cp', `${source.host}/archy:v1`, `${SECURE}/again`], { env: wrong });
  t.is(refused.code, 1);
  const lines = refused.stderr.trim().split('\n');
  t.is(lines.length, 1, refused.stderr);
  t.regex(
    lines[0]!,
    new RegExp(
      `proxy http://127\\.0\\.0\\.1:${proxy.port} refused CONNECT to ${SECURE.replace(/\./g, '\\.')}:443 \\(407 .*user and password`,
    ),
  );
  t.false(/wrong|Zq9|p@ss/.test(refused.stderr), 'no password in the message');
});

test('NO_PROXY: host, .domain, domain suffix and host:port forms bypass the proxy (the name then resolves nowhere); another port does not', async (t) => {
  const { source, proxy, env } = await rig(t);
  for (const noProxy of [
    SECURE,
    '.only-via-proxy.test',
    'only-via-proxy.test',
    `${SECURE}:443`,
    '*',
    `example.com, ${SECURE.toUpperCase()}`,
  ]) {
    const before = proxy.seen.length;
    const result = await jindrInProcess(['cp', `${source.host}/archy:v1`, `${SECURE}/bypassed`], { env: { ...env, NO_PROXY: noProxy } });
    t.is(result.code, 1, noProxy);
    t.regex(result.stderr.trim(), new RegExp(`cannot resolve the registry host ${SECURE.replace(/\./g, '\\.')}`), noProxy);
    t.is(proxy.seen.length, before, `NO_PROXY=${noProxy}: the proxy saw nothing`);
  }
  const lower = await jindrInProcess(['cp', `${source.host}/archy:v1`, `${SECURE}/bypassed`], { env: { ...env, no_proxy: SECURE } });
  t.is(lower.code, 1, 'no_proxy (lower case) counts too');
  const otherPort = await jindrInProcess(['cp', `${source.host}/archy:v1`, `${SECURE}/proxied`], {
    env: { ...env, NO_PROXY: `${SECURE}:444,only-via-proxy.test.example` },
  });
  t.is(otherPort.code, 0, otherPort.stderr);
});

test('NO_PROXY: IP, IP:port and CIDR forms for a registry on an address that is not loopback', async (t) => {
  const outside = outsideAddress();
  if (outside === undefined) return t.fail('no non-loopback IPv4 address on this machine');
  const fake = await startOciRegistry({ address: outside });
  t.teardown(fake.close);
  const proxy = await startForwardProxy({ routes: { [fake.host]: { host: outside, port: fake.port } } });
  t.teardown(proxy.close);
  const config = dockerConfigEnv();
  t.teardown(config.cleanup);
  const via = async (noProxy: string): Promise<boolean> => {
    const open = dockerRegistryClients({ env: { ...config.env, HTTP_PROXY: proxy.url, NO_PROXY: noProxy }, configFlag: undefined });
    const client = open(fake.host, { insecure: true }); // TLS first, then plain HTTP: both ways go where NO_PROXY says
    const before = proxy.seen.length;
    try {
      t.is((await client.request({ path: '/v2/' })).status, 200);
      t.is((await client.stream({ path: '/v2/_catalog' })).status, 200);
    } finally {
      await client.close();
    }
    return proxy.seen.length > before;
  };
  const net24 = `${outside.split('.').slice(0, 3).join('.')}.0/24`;
  for (const direct of [outside, fake.host, net24, `10.255.255.1,${outside}`, '*'])
    t.false(await via(direct), `NO_PROXY=${direct}: direct`);
  const elsewhere = `${(Number(outside.split('.')[0]) + 1) % 224}.0.0.0/8`;
  for (const proxied of ['', `${outside}:1`, elsewhere, '10.255.255.1'])
    t.true(await via(proxied), `NO_PROXY=${proxied}: through the proxy`);
});

test('loopback registries are never proxied, whatever the environment says', async (t) => {
  const { source, proxy, env } = await rig(t);
  for (const host of [source.host, `localhost:${source.port}`]) {
    const result = await jindrInProcess(['-r', host, 'ls'], { env: { ...env, NO_PROXY: '' } });
    t.is(result.code, 0, result.stderr);
    t.regex(result.stdout, /archy/);
  }
  t.deepEqual(proxy.seen, []);
});

test('a proxy that is not running, or a socks5 proxy: one line, exit code 1 and 2', async (t) => {
  const { source, proxy, env } = await rig(t);
  await proxy.close();
  const down = await jindrInProcess(['cp', `${source.host}/archy:v1`, `${SECURE}/x`], { env });
  t.is(down.code, 1);
  t.regex(
    down.stderr,
    new RegExp(
      `^docker-jindr: .*cannot connect to the proxy ${proxy.url.replace(/\./g, '\\.')} \\(ECONNREFUSED\\): check that it runs, or HTTP_PROXY, HTTPS_PROXY and NO_PROXY\\n$`,
    ),
  );
  const socks = await jindrInProcess(['cp', `${source.host}/archy:v1`, `${SECURE}/x`], {
    env: { ...env, HTTPS_PROXY: 'socks5://127.0.0.1:1080' },
  });
  t.is(socks.code, 2);
  t.is(
    socks.stderr,
    'docker-jindr: HTTPS_PROXY (or https_proxy) names a socks5 proxy (socks5://127.0.0.1:1080), which docker-jindr cannot use: give an http:// or https:// proxy, or unset HTTPS_PROXY (or https_proxy)\n',
  );
});
