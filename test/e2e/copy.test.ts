// `cp` (the executable on its own) against real registries: logins made
// by the real `docker login` (in auths, through a credential helper via credsStore and
// via credHelpers), OCI indexes and Docker manifest lists checked with skopeo, wrong or
// missing credentials, and a destination that dies mid-copy.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2e, registryImages, startTestRegistry, waitForRegistry, type TestRegistry } from '../helpers/engine.ts';
import { pushArchy, pushRandomImage, type PushedIndex } from '../helpers/images.ts';
import {
  docker,
  dockerOk,
  jindr as jindrAlone,
  makeDockerConfig,
  pluginBinary,
  run,
  runActingOnce,
  type RunResult,
} from '../helpers/run.ts';
import { startHtpasswdRegistry } from '../helpers/registry-containers.ts';
import { startThrottleProxy } from '../fakes/throttle-proxy.ts';
import test from 'ava';

const config = makeDockerConfig();
const cleanups: Array<() => unknown> = [];
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c();
  config.cleanup();
});

const PASSWORD = 'Pw-' + createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 16);
const users = { alice: PASSWORD };

async function registry(image?: string): Promise<TestRegistry> {
  const r = await startTestRegistry({ image });
  cleanups.push(() => r.remove());
  return r;
}

async function authRegistry(image?: string) {
  const r = await startHtpasswdRegistry(users, { image });
  cleanups.push(() => r.remove());
  return r;
}

/** A DOCKER_CONFIG of its own (plugin included) with config.json as given. */
function dockerConfig(json: object = {}): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-cp-config-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  // The plugin is found in the shared config's cli-plugins through cliPluginsExtraDirs.
  const withPlugins = { ...json, cliPluginsExtraDirs: [join(config.dir, 'cli-plugins')] };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(withPlugins));
  return { dir, env: { ...config.env, DOCKER_CONFIG: dir } };
}

function jindr(args: readonly string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return jindrAlone(args, { env, timeoutMs: 180_000 });
}

async function login(host: string, env: NodeJS.ProcessEnv, password = PASSWORD): Promise<void> {
  const result = await docker(['login', '-u', 'alice', '--password-stdin', host], { env, input: password });
  if (result.code !== 0) throw new Error(`docker login ${host}: ${result.stderr}`);
}

async function skopeoDigest(reference: string, creds?: string): Promise<string> {
  const args = ['inspect', '--raw', '--tls-verify=false', ...(creds ? ['--creds', creds] : []), `docker://${reference}`];
  const result = await run('skopeo', args);
  if (result.code !== 0) throw new Error(`skopeo inspect ${reference}: ${result.stderr}`);
  return 'sha256:' + createHash('sha256').update(result.stdout).digest('hex');
}

/** The index and every child at the destination hash to the source's digests (skopeo's view). */
async function assertSameImage(
  t: { is(a: unknown, b: unknown, m?: string): void },
  index: PushedIndex,
  destination: string,
  creds?: string,
): Promise<void> {
  t.is(await skopeoDigest(destination, creds), index.digest, destination);
  const repo = destination.slice(0, destination.lastIndexOf(':'));
  for (const m of index.manifests) t.is(await skopeoDigest(`${repo}@${m.digest}`, creds), m.digest, `${repo}@${m.digest}`);
}

for (const image of registryImages) {
  e2e(`${image}: docker login, then docker jindr cp copies an OCI index and a Docker manifest list with equal digests`, async (t) => {
    const src = await registry(image);
    const dst = await authRegistry(image);
    const oci = await pushArchy(src.host, { format: 'oci', tag: 'oci' });
    const list = await pushArchy(src.host, { format: 'docker', tag: 'list' });
    const { env, dir } = dockerConfig();
    await login(dst.host, env);
    t.truthy((JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { auths: Record<string, unknown> }).auths[dst.host]);
    const result = await jindr(['cp', '-r', src.host, 'archy:oci', `${dst.host}/acme`, 'list'], env);
    t.is(result.code, 0, result.stderr);
    t.regex(result.stdout, new RegExp(`${src.host}/archy:oci\\s+${dst.host}/acme/archy:oci\\s+${oci.digest}`));
    t.regex(result.stdout, new RegExp(`${src.host}/archy:list\\s+${dst.host}/acme/archy:list\\s+${list.digest}`));
    t.regex(result.stderr, /blobs: \d+ copied/);
    await assertSameImage(t, oci, `${dst.host}/acme/archy:oci`, `alice:${PASSWORD}`);
    await assertSameImage(t, list, `${dst.host}/acme/archy:list`, `alice:${PASSWORD}`);
    // Again: everything is there already; --quiet prints only the references.
    const again = await jindr(['cp', '-q', '-r', src.host, 'archy:oci', `${dst.host}/acme`, 'list'], env);
    t.is(again.code, 0, again.stderr);
    t.is(again.stderr, '');
    t.is(again.stdout, `${dst.host}/acme/archy:oci\n${dst.host}/acme/archy:list\n`);
  });
}

// A credential helper speaking the real protocol (store / get / erase / list), keeping
// what `docker login` stores in files under $JTEST_STORE, and logging each call.
const HELPER = `#!/bin/sh
store="$JTEST_STORE"
key() { printf '%s' "$1" | tr -c 'A-Za-z0-9' _; }
case "$1" in
  store) input=$(cat); url=$(printf '%s' "$input" | sed -n 's/.*"ServerURL":"\\([^"]*\\)".*/\\1/p')
         echo "store $url" >> "$store/calls.log"; printf '%s' "$input" > "$store/$(key "$url").json" ;;
  get) url=$(cat); echo "get $url" >> "$store/calls.log"
       if [ -f "$store/$(key "$url").json" ]; then cat "$store/$(key "$url").json"
       else echo "credentials not found in native keychain"; exit 1; fi ;;
  erase) url=$(cat); rm -f "$store/$(key "$url").json" ;;
  list) echo '{}' ;;
  *) echo "unknown action $1"; exit 1 ;;
esac
`;

function helperEnv(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; store: string } {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-jtest-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'docker-credential-jtest'), HELPER);
  chmodSync(join(dir, 'docker-credential-jtest'), 0o755);
  return { store: dir, env: { ...env, PATH: `${dir}:${env.PATH}`, JTEST_STORE: dir } };
}

for (const via of ['credsStore', 'credHelpers'] as const) {
  e2e(`credentials from a docker-credential helper named by ${via}`, async (t) => {
    const src = await registry();
    const dst = await authRegistry();
    const img = await pushRandomImage(src.host, 'app', 'v1', { layers: 2 });
    const base = dockerConfig(via === 'credsStore' ? { credsStore: 'jtest' } : { credHelpers: { [dst.host]: 'jtest' } });
    const { env, store } = helperEnv(base.env);
    await login(dst.host, env);
    // docker login handed the secret to the helper, not to config.json.
    t.false(readFileSync(join(base.dir, 'config.json'), 'utf8').includes(Buffer.from(`alice:${PASSWORD}`).toString('base64')));
    t.true(existsSync(join(store, `${dst.host.replace(/[^A-Za-z0-9]/g, '_')}.json`)));
    const result = await jindr(['cp', '-r', src.host, 'app:v1', dst.host], env);
    t.is(result.code, 0, result.stderr);
    t.regex(readFileSync(join(store, 'calls.log'), 'utf8'), new RegExp(`^get ${dst.host}$`, 'm'));
    t.is(await skopeoDigest(`${dst.host}/app:v1`, `alice:${PASSWORD}`), img.digest);
  });
}

e2e('docker --config DIR jindr cp reads the logins of DIR, not of DOCKER_CONFIG', async (t) => {
  const src = await registry();
  const dst = await authRegistry();
  const img = await pushRandomImage(src.host, 'app', 'latest', { layers: 1 });
  const other = dockerConfig();
  await docker(['--config', other.dir, 'login', '-u', 'alice', '--password-stdin', dst.host], { env: config.env, input: PASSWORD });
  // DOCKER_CONFIG (config.env) has no login for dst: only --config can make this work.
  const result = await docker(['--config', other.dir, 'jindr', 'cp', '-r', src.host, 'app', dst.host], { env: config.env });
  t.is(result.code, 0, result.stderr);
  t.is(await skopeoDigest(`${dst.host}/app:latest`, `alice:${PASSWORD}`), img.digest);
  const without = await jindr(['cp', '-r', src.host, 'app', `${dst.host}/x`], config.env);
  t.is(without.code, 1);
});

e2e('wrong credentials: one line naming the registry and docker login, exit 1, no secret even with --debug', async (t) => {
  const src = await registry();
  const dst = await authRegistry();
  await pushRandomImage(src.host, 'app', 'latest', { layers: 1 });
  const wrong = 'Wrong-' + PASSWORD;
  const auth = Buffer.from(`alice:${wrong}`).toString('base64');
  const { env } = dockerConfig({ auths: { [dst.host]: { auth } } });
  const result = await jindr(['cp', '-r', src.host, 'app', dst.host], env);
  t.is(result.code, 1);
  t.is(result.stdout, '');
  const lines = result.stderr.trim().split('\n');
  t.is(lines.at(-1), `docker-jindr: ${dst.host} refused the request (401); check your credentials: docker login ${dst.host}`);
  t.false(lines.some((l) => l.startsWith('docker-jindr:') && l !== lines.at(-1)));
  const debug = await jindr(['cp', '--debug', '-r', src.host, 'app', dst.host], env);
  t.is(debug.code, 1);
  for (const output of [result.stdout, result.stderr, debug.stdout, debug.stderr]) {
    t.false(output.includes(wrong));
    t.false(output.includes(auth));
    t.false(output.includes(Buffer.from(wrong).toString('base64')));
  }
  t.regex(debug.stderr, /debug: /);
  // No login at all: told to log in.
  const none = await jindr(['cp', '-r', src.host, 'app', dst.host], dockerConfig().env);
  t.is(none.code, 1);
  t.is(none.stderr.trim(), `docker-jindr: ${dst.host} refused the request (401); log in first: docker login ${dst.host}`);
});

e2e('a missing tag: nothing is written, exit 1 naming it', async (t) => {
  const src = await registry();
  const dst = await registry();
  await pushRandomImage(src.host, 'app', 'v1', { layers: 1 });
  const result = await jindr(['cp', '-r', src.host, 'app:v1', dst.host, 'v2'], config.env);
  t.is(result.code, 1);
  t.is(result.stderr.trim(), `docker-jindr: no image ${src.host}/app:v2: nothing was copied`);
  t.is((await fetch(`http://${dst.host}/v2/app/tags/list`)).status, 404);
});

e2e('the destination dies mid-copy: no tag is left behind, and running the copy again finishes it', async (t) => {
  const src = await registry();
  const dst = await registry();
  const img = await pushRandomImage(src.host, 'big', 'v1', { layers: 4, layerSize: 2_000_000 });
  // 2 MB/s through the proxy: each layer takes about a second to upload.
  const proxy = await startThrottleProxy(dst.port, 2_000_000);
  cleanups.push(() => proxy.close());
  const args = ['jindr', 'cp', '-j', '1', '-r', src.host, 'big:v1', proxy.host];
  // The uploads are held while the destination is killed: the copy cannot end first, however long the kill takes.
  const kill = async () => {
    proxy.hold();
    await dockerOk(['kill', dst.name]);
    proxy.unthrottle();
  };
  const { code, stderr, acted } = await runActingOnce('docker', args, /: copied \(/, () => void kill(), config.env);
  t.true(acted, stderr);
  t.is(code, 1, stderr);
  t.regex(stderr.trim().split('\n').at(-1) ?? '', new RegExp(`^docker-jindr: ${proxy.host}`));
  await dockerOk(['start', dst.name]);
  await waitForRegistry(`http://127.0.0.1:${dst.port}/v2/`);
  const tags = await fetch(`http://${dst.host}/v2/big/tags/list`);
  t.true(tags.status === 404 || ((await tags.json()) as { tags: string[] | null }).tags === null, 'no tag after an interrupted copy');
  const again = await jindr(['cp', '-r', src.host, 'big:v1', dst.host], config.env);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stderr, /blobs: [1-4] copied \(.*\), 0 mounted, [1-4] already there/);
  t.is(await skopeoDigest(`${dst.host}/big:v1`), img.digest);
});

e2e('Ctrl-C mid-copy: exit 130, no tag at the destination', async (t) => {
  const src = await registry();
  const dst = await registry();
  await pushRandomImage(src.host, 'slow', 'v1', { layers: 3, layerSize: 2_000_000 });
  const proxy = await startThrottleProxy(dst.port, 1_000_000);
  cleanups.push(() => proxy.close());
  const args = ['cp', '-j', '1', '-r', src.host, 'slow:v1', proxy.host];
  const { code, stderr, acted } = await runActingOnce(pluginBinary, args, /: copied \(/, (child) => child.kill('SIGINT'), config.env);
  t.true(acted, stderr);
  t.is(code, 130, stderr);
  const tags = await fetch(`http://${dst.host}/v2/slow/tags/list`);
  t.true(tags.status === 404 || ((await tags.json()) as { tags: string[] | null }).tags === null, 'no tag after Ctrl-C');
});
