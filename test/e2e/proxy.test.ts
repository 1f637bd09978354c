// HTTP_PROXY, HTTPS_PROXY and NO_PROXY end to end: the real `docker` CLI running the built
// plugin, real registry containers, and a forwarding proxy (test/fakes/forward-proxy.ts) on
// the Docker bridge's gateway (reachable from this machine and from containers, nowhere
// else) that alone knows the names under only-via-proxy.test: they resolve nowhere.
// cp to and from an https registry through CONNECT (its CA in certs.d) and a plain-HTTP one
// with --insecure (absolute-form requests), NO_PROXY going around it, cpe's AWS API and
// ECR registry through it, and a mirror container whose upstream only the proxy reaches.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as connectTcp, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { join } from 'node:path';
import { e2e, freePort, startTestRegistry, type TestRegistry } from '../helpers/engine.ts';
import { pushArchy, type PushedIndex } from '../helpers/images.ts';
import { startHtpasswdRegistry, startTlsRegistry, type AuthRegistry, type TlsRegistry } from '../helpers/registry-containers.ts';
import { docker, dockerOk, makeDockerConfig, run, type RunResult, jindr as jindrAlone } from '../helpers/run.ts';
import { startEcrFake, type EcrFake } from '../fakes/ecr.ts';
import { startForwardProxy, type ForwardProxy } from '../fakes/forward-proxy.ts';
import { makePki, type Pki } from '../fakes/pki.ts';
import { bridgeGateway } from '../helpers/network.ts';

const SECURE = 'registry.only-via-proxy.test';
const PLAIN = 'plain.only-via-proxy.test:5000';
const ECR_API = 'ecr-api.only-via-proxy.test';
const ECR_REGISTRY = 'ecr.only-via-proxy.test';
const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

const config = makeDockerConfig();
const password = randomBytes(18).toString('base64url');
let pki: Pki;
let plain: TestRegistry;
let secure: TlsRegistry;
let backing: AuthRegistry;
let ecr: EcrFake;
/** HTTPS in front of the ECR fake (as the real API is), for the SDK's https agent through CONNECT. */
let ecrTlsFront: TlsServer;
let proxy: ForwardProxy;
let archy: PushedIndex;
let certsD: string;
const cleanups: Array<() => unknown> = [];

test.before(async () => {
  pki = makePki();
  certsD = mkdtempSync(join(tmpdir(), 'jindr-proxy-certs-'));
  for (const name of [SECURE, ECR_REGISTRY]) {
    mkdirSync(join(certsD, name));
    writeFileSync(join(certsD, name, 'ca.crt'), pki.ca.cert);
  }
  // ECR's registry speaks HTTPS with a login, as the real one does.
  pki.server('ecr', [], [ECR_REGISTRY]); // ecr.pem and ecr-key.pem in pki.dir
  const tlsEnv = { REGISTRY_HTTP_TLS_CERTIFICATE: '/ecr-tls/ecr.pem', REGISTRY_HTTP_TLS_KEY: '/ecr-tls/ecr-key.pem' };
  [plain, secure, backing] = await Promise.all([
    startTestRegistry(),
    startTlsRegistry(pki, { dnsNames: [SECURE] }),
    startHtpasswdRegistry({ AWS: password }, { env: tlsEnv, volumes: { [pki.dir]: '/ecr-tls' } }),
  ]);
  archy = await pushArchy(plain.host, { tag: 'v1' });
  ecr = await startEcrFake({ proxyEndpoint: `https://${ECR_REGISTRY}`, password });
  const ecrPort = Number(new URL(ecr.endpoint).port);
  const apiTls = pki.server('ecr-api', [], [ECR_API]);
  ecrTlsFront = createTlsServer({ cert: apiTls.cert, key: apiTls.key }, (socket) => {
    const upstream = connectTcp(ecrPort, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => ecrTlsFront.listen(0, '127.0.0.1', resolve));
  proxy = await startForwardProxy({
    host: await bridgeGateway(),
    routes: {
      [`${SECURE}:443`]: { host: '127.0.0.1', port: secure.port },
      [PLAIN]: { host: '127.0.0.1', port: plain.port },
      [`${ECR_API}:80`]: { host: '127.0.0.1', port: ecrPort },
      [`${ECR_API}:443`]: { host: '127.0.0.1', port: (ecrTlsFront.address() as AddressInfo).port },
      [`${ECR_REGISTRY}:443`]: { host: '127.0.0.1', port: backing.port },
    },
  });
});
test.after.always(async () => {
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch((err: unknown) => console.error('cleanup:', err));
  await proxy?.close();
  await ecr?.close();
  ecrTlsFront?.close();
  await Promise.all([plain?.remove(), secure?.remove(), backing?.remove()]);
  pki?.cleanup();
  if (certsD) rmSync(certsD, { recursive: true, force: true });
  config.cleanup();
});

/** The test's environment without any proxy of the machine's, plus these. */
function envWith(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...config.env, JINDR_CERTS_D: certsD };
  for (const name of PROXY_VARIABLES) delete env[name];
  return { ...env, ...extra };
}

const proxied = (): NodeJS.ProcessEnv => envWith({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url });

function jindr(args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return jindrAlone(args, { env, timeoutMs: 180_000 });
}

async function rawAt(reference: string, creds?: string): Promise<string> {
  const result = await run('skopeo', [
    'inspect',
    '--raw',
    '--tls-verify=false',
    ...(creds ? ['--creds', creds] : []),
    `docker://${reference}`,
  ]);
  if (result.code !== 0) throw new Error(`skopeo inspect ${reference}: ${result.stderr}`);
  return result.stdout;
}

const oneLine = (r: RunResult): string => {
  const lines = r.stderr.trim().split('\n');
  if (lines.length !== 1) throw new Error(`not one line:\n${r.stderr}`);
  return lines[0]!;
};

e2e(
  'without the proxy the names resolve nowhere; through it, cp to and from an https registry over CONNECT, verified with its CA',
  async (t) => {
    const direct = await jindr(['cp', `${plain.host}/archy:v1`, `${SECURE}/copied`], envWith());
    t.is(direct.code, 1);
    t.regex(oneLine(direct), new RegExp(`^docker-jindr: .*cannot resolve the registry host ${SECURE.replace(/\./g, '\\.')}`));

    const before = proxy.seen.length;
    const to = await jindr(['cp', `${plain.host}/archy:v1`, `${SECURE}/copied`], proxied());
    t.is(to.code, 0, to.stderr);
    t.is(await rawAt(`localhost:${secure.port}/copied/archy:v1`), archy.bytes.toString(), 'skopeo reads the copy from the registry itself');
    const seen = proxy.seen.slice(before);
    t.true(
      seen.length > 0 && seen.every((s) => s.method === 'CONNECT' && s.target === `${SECURE}:443` && s.status === 200),
      JSON.stringify(seen),
    );
    t.deepEqual(proxy.reached('localhost').concat(proxy.reached('127.0.0.1')), [], 'the loopback source was read directly');

    const back = await jindr(['cp', `${SECURE}/copied/archy:v1`, `${plain.host}/back`], proxied());
    t.is(back.code, 0, back.stderr);
    t.is(await rawAt(`${plain.host}/back/copied/archy:v1`), archy.bytes.toString());
  },
);

e2e('cp --insecure to a plain-HTTP registry through the proxy: absolute-form requests with every method an upload needs', async (t) => {
  const before = proxy.seen.length;
  const result = await jindr(['cp', '--insecure', `${plain.host}/archy:v1`, `${PLAIN}/insecure`], proxied());
  t.is(result.code, 0, result.stderr);
  t.is(await rawAt(`${plain.host}/insecure/archy:v1`), archy.bytes.toString());
  const forwarded = proxy.seen.slice(before).filter((s) => s.method !== 'CONNECT');
  t.true(
    forwarded.every((s) => s.target.startsWith(`http://${PLAIN}/v2/`)),
    JSON.stringify(forwarded),
  );
  for (const method of ['HEAD', 'POST', 'PUT'])
    t.true(
      forwarded.some((s) => s.method === method),
      method,
    );
});

e2e(
  'an https:// proxy that wants a login: TLS to the proxy, Proxy-Authorization from the URL, TLS to the registry inside; absolute form over TLS',
  async (t) => {
    const gateway = await bridgeGateway();
    const proxyTls = pki.server('proxy', [gateway]);
    const user = 'bob';
    const secret = `pw:${randomBytes(4).toString('hex')}@x`;
    const tlsProxy = await startForwardProxy({
      host: gateway,
      tls: { cert: proxyTls.cert, key: proxyTls.key },
      auth: { user, password: secret },
      routes: { [`${SECURE}:443`]: { host: '127.0.0.1', port: secure.port }, [PLAIN]: { host: '127.0.0.1', port: plain.port } },
    });
    cleanups.push(() => tlsProxy.close());
    const url = `https://${user}:${encodeURIComponent(secret)}@${gateway}:${tlsProxy.port}`;
    const env = envWith({ HTTPS_PROXY: url, HTTP_PROXY: url, NODE_EXTRA_CA_CERTS: pki.ca.certFile });
    const expected = `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;

    const tunnelled = await jindr(['cp', `${plain.host}/archy:v1`, `${SECURE}/via-tls-proxy`], env);
    t.is(tunnelled.code, 0, tunnelled.stderr);
    t.is(await rawAt(`localhost:${secure.port}/via-tls-proxy/archy:v1`), archy.bytes.toString());
    const forwarded = await jindr(['cp', '--insecure', `${plain.host}/archy:v1`, `${PLAIN}/via-tls-proxy`], env);
    t.is(forwarded.code, 0, forwarded.stderr);
    t.is(await rawAt(`${plain.host}/via-tls-proxy/archy:v1`), archy.bytes.toString());
    t.true(tlsProxy.seen.some((s) => s.method === 'CONNECT') && tlsProxy.seen.some((s) => s.method === 'PUT'));
    t.true(
      tlsProxy.seen.every((s) => s.proxyAuthorization === expected && s.status !== 407),
      JSON.stringify(tlsProxy.seen.map((s) => [s.method, s.status])),
    );
    t.false((tunnelled.stderr + forwarded.stderr).includes(secret));
  },
);

e2e(
  'NO_PROXY (host, .domain, host:port, *) goes around the proxy: the name then resolves nowhere and the proxy sees nothing',
  async (t) => {
    for (const noProxy of [SECURE, '.only-via-proxy.test', `${SECURE}:443`, '*']) {
      const before = proxy.seen.length;
      const result = await jindr(['cp', `${plain.host}/archy:v1`, `${SECURE}/bypass`], { ...proxied(), NO_PROXY: noProxy });
      t.is(result.code, 1, noProxy);
      t.regex(oneLine(result), /cannot resolve the registry host/, noProxy);
      t.is(proxy.seen.length, before, noProxy);
    }
  },
);

e2e(
  'cpe through the proxy: the AWS API (https through CONNECT; plain HTTP signed, then sent in absolute form) and the ECR registry, by names only the proxy knows',
  async (t) => {
    const env = envWith({
      NODE_EXTRA_CA_CERTS: pki.ca.certFile,
      HTTP_PROXY: proxy.url,
      HTTPS_PROXY: proxy.url,
      AWS_ENDPOINT_URL_ECR: `http://${ECR_API}`,
      AWS_ACCESS_KEY_ID: 'AKIDJINDRTEST',
      AWS_SECRET_ACCESS_KEY: 'jindr-test-secret',
      AWS_CONFIG_FILE: '/nonexistent/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    });
    for (const name of ['AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_SESSION_TOKEN']) delete env[name];
    const before = proxy.seen.length;
    const result = await jindr(['cpe', '-r', plain.host, '--region', 'eu-west-1', 'archy:v1'], env);
    t.is(result.code, 0, result.stderr);
    t.deepEqual(ecr.calls.map((c) => c.operation).slice(0, 2), ['GetAuthorizationToken', 'DescribeRepositories']);
    t.is(ecr.calls[0]!.accessKeyId, 'AKIDJINDRTEST', 'the signature survived the proxy');
    const seen = proxy.seen.slice(before);
    t.true(
      seen.some((s) => s.method === 'POST' && s.target === `http://${ECR_API}/` && s.status === 200),
      'the AWS API through the proxy',
    );
    t.true(
      seen.some((s) => s.method === 'CONNECT' && s.target === `${ECR_REGISTRY}:443`),
      'the registry through the proxy',
    );
    t.is(await rawAt(`localhost:${backing.port}/archy:v1`, `AWS:${password}`), archy.bytes.toString());

    const calls = ecr.calls.length;
    const overTls = proxy.seen.length;
    const secureApi = await jindr(['cpe', '-r', plain.host, '--region', 'eu-west-1', 'archy:v1'], {
      ...env,
      AWS_ENDPOINT_URL_ECR: `https://${ECR_API}`,
    });
    t.is(secureApi.code, 0, secureApi.stderr);
    t.true(
      ecr.calls.slice(calls).some((c) => c.operation === 'GetAuthorizationToken'),
      'ECR was asked over https',
    );
    t.true(
      proxy.seen.slice(overTls).some((s) => s.method === 'CONNECT' && s.target === `${ECR_API}:443` && s.status === 200),
      'through CONNECT',
    );
  },
);

e2e(
  'a mirror whose upstream only the proxy reaches: HTTP_PROXY in its container, pulls through the proxy; a proxy with a password is refused',
  async (t) => {
    const data = mkdtempSync(join(tmpdir(), 'jindr-proxy-mirror-'));
    cleanups.push(() => rmSync(data, { recursive: true, force: true }));
    const port = await freePort();
    const container = `jindr-mirror-plain.only-via-proxy.test-5000`;
    cleanups.push(() => docker(['rm', '-f', '-v', container]));

    const secret = `s3cret-${randomBytes(4).toString('hex')}`;
    const withPassword = { ...envWith(), HTTP_PROXY: `http://bob:${secret}@${proxy.host}:${proxy.port}` };
    const refused = await jindr(['-r', `localhost:${port}`, 'mirror', 'start', `http://${PLAIN}`, '-d', data], withPassword);
    t.is(refused.code, 1);
    t.regex(
      oneLine(refused),
      /^docker-jindr: HTTP_PROXY carries a user and password, which the mirror's container would show to docker inspect: /,
    );
    t.false((refused.stdout + refused.stderr).includes(secret));
    t.not((await docker(['container', 'inspect', container])).code, 0, 'no container was made');

    const env = { ...envWith(), HTTP_PROXY: proxy.url, NO_PROXY: 'internal.example' };
    const start = await jindr(['-r', `localhost:${port}`, 'mirror', 'start', `http://${PLAIN}`, '-d', data], env);
    t.is(start.code, 0, start.stderr);
    const containerEnv = (await dockerOk(['container', 'inspect', '-f', '{{range .Config.Env}}{{println .}}{{end}}', container])).split(
      '\n',
    );
    t.true(containerEnv.includes(`HTTP_PROXY=${proxy.url}`), containerEnv.join(' '));
    t.true(containerEnv.includes('NO_PROXY=internal.example'));

    const before = proxy.seen.length;
    t.is(await rawAt(`localhost:${port}/archy:v1`), archy.bytes.toString(), 'pulled through the mirror');
    const fromMirror = proxy.seen.slice(before);
    t.true(
      fromMirror.some((s) => s.method === 'GET' && s.target === `http://${PLAIN}/v2/archy/manifests/v1`),
      JSON.stringify(fromMirror.map((s) => `${s.method} ${s.target}`)),
    );
    const stop = await jindr(['mirror', 'rm', `http://${PLAIN}`, '--purge'], envWith());
    t.is(stop.code, 0, stop.stderr);
  },
);
