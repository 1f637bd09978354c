// `docker jindr cp` to registries with token auth (the small token server, a login
// made by `docker login`, which stores an identity token) and with TLS from a test CA
// placed where Docker looks (/etc/docker/certs.d, or JINDR_CERTS_D), including a
// registry that demands a client certificate.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { e2e, startTestRegistry, type TestRegistry } from '../helpers/engine.ts';
import { pushArchy, pushRandomImage } from '../helpers/images.ts';
import { docker, makeDockerConfig, run, type RunResult, jindr as jindrAlone } from '../helpers/run.ts';
import { makePki } from '../fakes/pki.ts';
import { outsideAddress, startTlsRegistry, startTokenRegistry } from '../helpers/registry-containers.ts';

const config = makeDockerConfig();
const pki = makePki();
const cleanups: Array<() => unknown> = [];
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c();
  pki.cleanup();
  config.cleanup();
});

const PASSWORD = 'Tk-' + createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 16);

async function registry(): Promise<TestRegistry> {
  const r = await startTestRegistry();
  cleanups.push(() => r.remove());
  return r;
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A DOCKER_CONFIG of its own, finding the plugin in the shared one. */
function freshConfig(extraEnv: NodeJS.ProcessEnv = {}): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = tempDir('jindr-cp-auth-config-');
  mkdirSync(join(dir, 'cli-plugins'));
  copyFileSync(join(config.dir, 'cli-plugins/docker-jindr'), join(dir, 'cli-plugins/docker-jindr'));
  return { dir, env: { ...config.env, DOCKER_CONFIG: dir, ...extraEnv } };
}

function jindr(args: readonly string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return jindrAlone(args, { env, timeoutMs: 180_000 });
}

function sha256(text: string): string {
  return 'sha256:' + createHash('sha256').update(text).digest('hex');
}

e2e('token auth: docker login stores an identity token; cp exchanges it for scoped tokens, and mounts within the registry', async (t) => {
  const src = await registry();
  const dst = await startTokenRegistry({ alice: PASSWORD });
  cleanups.push(() => dst.remove());
  const index = await pushArchy(src.host, { tag: 'v1' });
  const { dir, env } = freshConfig();
  const login = await docker(['login', '-u', 'alice', '--password-stdin', dst.host], { env, input: PASSWORD });
  t.is(login.code, 0, login.stderr);
  const stored = (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { auths: Record<string, { identitytoken?: string }> })
    .auths[dst.host];
  t.truthy(stored?.identitytoken, 'docker login kept an identity token');

  const result = await jindr(['cp', '-r', src.host, 'archy:v1', dst.host], env);
  t.is(result.code, 0, result.stderr);
  const refreshes = dst.tokens.requests.filter((r) => r.grantType === 'refresh_token');
  t.true(refreshes.length > 0, 'the identity token was exchanged');
  t.true(refreshes.every((r) => r.subject === 'refresh:alice'));
  t.true(
    refreshes.some((r) => r.scopes.includes('repository:archy:pull,push')),
    JSON.stringify(refreshes),
  );
  const skopeo = await run('skopeo', [
    'inspect',
    '--raw',
    '--tls-verify=false',
    '--creds',
    `alice:${PASSWORD}`,
    `docker://${dst.host}/archy:v1`,
  ]);
  t.is(skopeo.code, 0, skopeo.stderr);
  t.is(sha256(skopeo.stdout), index.digest);

  // Within the token registry: blobs are mounted, asking pull on the source repository.
  dst.tokens.requests.length = 0;
  const mirror = await jindr(['cp', '-r', dst.host, 'archy:v1', `${dst.host}/mirror`], env);
  t.is(mirror.code, 0, mirror.stderr);
  t.regex(mirror.stderr, /blobs: 0 copied \(0B\), \d+ mounted, 0 already there/);
  t.true(
    dst.tokens.requests.some((r) => r.scopes.includes('repository:mirror/archy:pull,push') && r.scopes.includes('repository:archy:pull')),
    JSON.stringify(dst.tokens.requests),
  );
  const copy = await run('skopeo', [
    'inspect',
    '--raw',
    '--tls-verify=false',
    '--creds',
    `alice:${PASSWORD}`,
    `docker://${dst.host}/mirror/archy:v1`,
  ]);
  t.is(sha256(copy.stdout), index.digest);

  // A wrong password is refused by the token server: one line, no secret.
  const wrong = freshConfig();
  const bad = Buffer.from(`alice:not-${PASSWORD}`).toString('base64');
  writeFileSync(join(wrong.dir, 'config.json'), JSON.stringify({ auths: { [dst.host]: { auth: bad } } }));
  const refused = await jindr(['cp', '-r', src.host, 'archy:v1', dst.host], wrong.env);
  t.is(refused.code, 1);
  t.is(refused.stderr.trim(), `docker-jindr: ${dst.host} refused the request (401); check your credentials: docker login ${dst.host}`);
  t.false((refused.stdout + refused.stderr).includes(PASSWORD));
});

const address = outsideAddress();

e2e('TLS from a self-signed CA in /etc/docker/certs.d/<host:port>/ca.crt is verified and trusted', async (t) => {
  t.truthy(address, 'this machine needs a non-loopback IPv4 address');
  const src = await registry();
  const dst = await startTlsRegistry(pki, { publishOn: address });
  cleanups.push(() => dst.remove());
  const host = dst.verifiedHost!;
  const img = await pushRandomImage(src.host, 'app', 'v1', { layers: 2 });
  const { env } = freshConfig();
  // Without the CA: refused, and told where Docker keeps it.
  const untrusted = await jindr(['cp', '-r', src.host, 'app:v1', host], env);
  t.is(untrusted.code, 1);
  t.regex(
    untrusted.stderr.trim(),
    new RegExp(`^docker-jindr: TLS connection to ${host} failed \\(.*\\): trust its CA in /etc/docker/certs.d/${host}/ca.crt`),
  );
  const certsDir = join('/etc/docker/certs.d', host);
  mkdirSync(certsDir, { recursive: true });
  cleanups.push(() => rmSync(certsDir, { recursive: true, force: true }));
  copyFileSync(pki.ca.certFile, join(certsDir, 'ca.crt'));
  const trusted = await jindr(['cp', '-r', src.host, 'app:v1', host], env);
  t.is(trusted.code, 0, trusted.stderr);
  const skopeo = await run('skopeo', ['inspect', '--raw', '--tls-verify=true', '--cert-dir', certsDir, `docker://${host}/app:v1`]);
  t.is(skopeo.code, 0, skopeo.stderr);
  t.is(sha256(skopeo.stdout), img.digest);
});

e2e('a registry demanding a client certificate gets the *.cert/*.key pair from certs.d (JINDR_CERTS_D)', async (t) => {
  const src = await registry();
  const dst = await startTlsRegistry(pki, { requireClientCert: true });
  cleanups.push(() => dst.remove());
  const img = await pushRandomImage(src.host, 'app', 'v1', { layers: 1 });
  const certsD = tempDir('jindr-certs-d-');
  const hostDir = join(certsD, dst.host);
  mkdirSync(hostDir);
  copyFileSync(pki.ca.certFile, join(hostDir, 'ca.crt'));
  const without = await jindr(['cp', '-r', src.host, 'app:v1', dst.host], freshConfig({ JINDR_CERTS_D: certsD }).env);
  t.is(without.code, 1);
  t.regex(without.stderr.trim().split('\n').at(-1) ?? '', new RegExp(`^docker-jindr: .*${dst.host}`));
  const client = pki.client();
  copyFileSync(client.certFile, join(hostDir, 'client.cert'));
  copyFileSync(client.keyFile, join(hostDir, 'client.key'));
  const withCert = await jindr(['cp', '-r', src.host, 'app:v1', dst.host], freshConfig({ JINDR_CERTS_D: certsD }).env);
  t.is(withCert.code, 0, withCert.stderr);
  const skopeo = await run('skopeo', ['inspect', '--raw', '--tls-verify=true', '--cert-dir', hostDir, `docker://${dst.host}/app:v1`]);
  t.is(skopeo.code, 0, skopeo.stderr);
  t.is(sha256(skopeo.stdout), img.digest);
});

e2e('--insecure: a registry without TLS on a non-loopback address', async (t) => {
  t.truthy(address, 'this machine needs a non-loopback IPv4 address');
  const src = await registry();
  const plain = await startTestRegistry({ network: 'bridge', publishOn: address });
  cleanups.push(() => plain.remove());
  const host = plain.published!;
  const img = await pushRandomImage(src.host, 'app', 'v1', { layers: 1 });
  const refused = await jindr(['cp', '-r', src.host, 'app:v1', host], config.env);
  t.is(refused.code, 1);
  t.regex(refused.stderr.trim().split('\n').at(-1) ?? '', new RegExp(`^docker-jindr: TLS connection to ${host} failed`));
  const insecure = await jindr(['cp', '--insecure', '-r', src.host, 'app:v1', host], config.env);
  t.is(insecure.code, 0, insecure.stderr);
  const skopeo = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${host}/app:v1`]);
  t.is(sha256(skopeo.stdout), img.digest);
});
