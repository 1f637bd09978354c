// `up` re-creating or creating a registry container:
// - a stopped container re-created for --auth keeps what was not given again (its image,
//   data directory, TLS, published address, name);
// - an --image that is not a registry: the container exits at once, restarting in a loop;
//   `up` notices within seconds, shows its last log lines, and removes it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, copyFileSync, chmodSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { e2e, freePort } from '../helpers/engine.ts';
import { docker, dockerOk, makeDockerConfig, type RunResult, jindr as jindrAlone } from '../helpers/run.ts';

/** A free port, a temp data dir and DOCKER_CONFIG; removes containers, dirs and the certs.d entry afterwards. */
async function setup(t: ExecutionContext) {
  const port = await freePort();
  const host = `localhost:${port}`;
  const root = mkdtempSync(join(tmpdir(), 'jindr-recreate-'));
  const cfg = makeDockerConfig();
  t.teardown(async () => {
    const ids = new Set<string>();
    for (const filter of [`label=jindr.registry=${host}`, `name=^jindr-${port}$`]) {
      for (const id of (await docker(['ps', '-aq', '--filter', filter])).stdout.split('\n')) if (id) ids.add(id);
    }
    if (ids.size > 0) await docker(['rm', '-f', '-v', ...ids]);
    rmSync(join('/etc/docker/certs.d', host), { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
    cfg.cleanup();
  });
  const jindr = (args: string[], input?: string) => jindrAlone(['-r', host, ...args], { env: cfg.env, input });
  return { port, host, root, data: join(root, 'data'), jindr };
}

function ok(t: ExecutionContext, r: RunResult, what: string): void {
  t.is(r.code, 0, `${what} failed: ${r.stderr}`);
}

/** Status of GET /v2/ over HTTPS (the registry's own CA is not checked here). */
function httpsStatus(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/v2/', rejectUnauthorized: false, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

async function inspect(name: string): Promise<{
  Id: string;
  Config: { Image: string; Env: string[] };
  HostConfig: { Binds: string[]; PortBindings: Record<string, { HostIp: string; HostPort: string }[]> };
}> {
  return (JSON.parse(await dockerOk(['inspect', name])) as never[])[0]!;
}

e2e('up --auth on a stopped registry:2 container re-creates it with registry:2, its data directory, TLS, address and name', async (t) => {
  const s = await setup(t);
  const name = `jindr-${s.port}`;
  ok(t, await s.jindr(['up', '-d', s.data, '--image', 'registry:2', '--tls']), 'up --image registry:2 --tls');
  const before = await inspect(name);
  ok(t, await s.jindr(['stop', '-G']), 'stop');

  const up = await s.jindr(['up', '--auth', 'alice', '--password-stdin'], 'wonderland\n');
  ok(t, up, 'up --auth');
  t.is(up.stdout.trim(), `registry created and started as ${name} on ${s.host} (registry:2, data in ${s.data}, htpasswd auth, TLS)`);
  const after = await inspect(name);
  t.not(after.Id, before.Id, 're-created');
  t.is(after.Config.Image, 'registry:2');
  t.deepEqual(after.HostConfig.Binds, before.HostConfig.Binds);
  t.deepEqual(after.HostConfig.PortBindings, before.HostConfig.PortBindings);
  for (const e of before.Config.Env.filter((e) => e.startsWith('REGISTRY_HTTP_TLS_'))) t.true(after.Config.Env.includes(e), e);
  t.true(after.Config.Env.includes('REGISTRY_AUTH=htpasswd'));
  t.is(await httpsStatus(s.port), 401, 'TLS and a login');
  t.is((await dockerOk(['inspect', '-f', '{{.Config.Cmd}}', name])).trim(), '[/etc/docker/registry/config.yml]', "registry:2's own config");
});

/** An image whose command prints two lines and exits: busybox, not a registry. */
function notARegistry(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-notreg-'));
  mkdirSync(join(dir, 'bin'));
  copyFileSync('/bin/busybox', join(dir, 'bin/busybox'));
  chmodSync(join(dir, 'bin/busybox'), 0o755);
  const tag = `jindr-test-not-a-registry:${Math.random().toString(36).slice(2, 8)}`;
  execFileSync('tar', ['-C', dir, '-cf', join(dir, 'root.tar'), 'bin']);
  execFileSync('docker', [
    'import',
    '-c',
    'ENTRYPOINT ["/bin/busybox", "sh", "-c"]',
    '-c',
    'CMD ["echo this is busybox, not a registry; echo giving up with 3; exit 3"]',
    join(dir, 'root.tar'),
    tag,
  ]);
  rmSync(dir, { recursive: true, force: true });
  t.teardown(async () => {
    await docker(['rmi', '-f', tag]);
  });
  return tag;
}

e2e('up --image with an image that is not a registry: fails with its last log lines, and the container is gone', async (t) => {
  const s = await setup(t);
  const image = notARegistry(t);
  const up = await s.jindr(['up', '-d', s.data, '--image', image]);
  t.is(up.code, 1, up.stderr);
  t.is(up.stdout, '');
  const lines = up.stderr.trimEnd().split('\n');
  // The exit code when it was caught exited, none when caught running again (restarted by its policy).
  const first = `^docker-jindr: the registry container jindr-${s.port} stopped right after starting( \\(exit code 3\\))? and was removed: is ${image.replace('.', '\\.')} a registry image\\? Its last log lines:$`;
  t.regex(lines[0] ?? '', new RegExp(first));
  t.true(lines.includes('  this is busybox, not a registry'), up.stderr);
  t.true(lines.includes('  giving up with 3'), up.stderr);
  t.true(lines.length <= 11, 'at most ten log lines');
  t.notRegex(up.stderr, /docker logs/, 'no pointer to the log of a removed container');
  t.notRegex(up.stderr, /\n\s+at /);
  t.is((await dockerOk(['ps', '-aq', '--filter', `name=^jindr-${s.port}$`])).trim(), '', 'the container is removed');
});
