// Nothing of the build's own run is frozen into the executable. The build runs the bundle
// (build/warm-up.cjs runs commands against a registry of its own to make the code caches;
// a V8 start-up snapshot, if one is ever used, would hold the evaluated bundle), so a value
// a module read once at load time (the argument list, HOME, XDG_CACHE_HOME, DOCKER_CONFIG,
// the working directory, the clock) could be the build machine's. Each is given here a value
// the build never saw, and the real built executable must answer from it.
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOciRegistry } from '../fakes/oci-registry.ts';
import { jindr } from '../helpers/run.ts';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const digest = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

test('argv, HOME, XDG_CACHE_HOME, a relative DOCKER_CONFIG, the working directory and the clock are those of the run', async (t) => {
  const fake = await startOciRegistry({ auth: { basic: { users: { alice: 'pw' } } } });
  t.teardown(fake.close);
  // An image made three hours ago: `lsi` shows its age against the clock of the run.
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: new Date(Date.now() - 3 * 3600_000 - 60_000).toISOString(),
      rootfs: { type: 'layers', diff_ids: [] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest(config), size: config.length },
      layers: [],
    }),
  );
  // A name no build has seen: the command line is read at run time.
  const repo = `run-time-${randomBytes(4).toString('hex')}`;
  fake.store.putBlob(repo, config);
  fake.store.putManifest(repo, 'v1', manifest, OCI_MANIFEST);

  const dir = mkdtempSync(join(tmpdir(), 'jindr-run-time-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const here = join(dir, 'here');
  mkdirSync(join(here, 'conf'), { recursive: true });
  writeFileSync(
    join(here, 'conf/config.json'),
    JSON.stringify({ auths: { [fake.host]: { auth: Buffer.from('alice:pw').toString('base64') } } }),
  );
  // No XDG_CACHE_HOME: the cache goes under this run's HOME. DOCKER_CONFIG relative to this run's directory.
  const env = { PATH: process.env.PATH, HOME: join(dir, 'home'), DOCKER_CONFIG: 'conf' };

  const first = await jindr(['-r', fake.host, 'lsi'], { env, cwd: here });
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, new RegExp(`${fake.host}/${repo}\\s+v1\\s.*\\s3 hours ago\\s`));
  t.true(readdirSync(join(dir, 'home/.cache/docker-jindr/manifests')).length > 0, "the manifest cache is under this run's HOME");

  // Another directory: the relative DOCKER_CONFIG names no credentials there, so the registry refuses.
  const xdg = join(dir, 'xdg');
  const elsewhere = await jindr(['-r', fake.host, 'lsi'], { env: { ...env, XDG_CACHE_HOME: xdg }, cwd: dir });
  t.not(elsewhere.code, 0, elsewhere.stdout);
  t.notRegex(elsewhere.stdout, new RegExp(repo));
  t.false(existsSync(join(dir, 'conf')), 'nothing written where no config was');

  // And XDG_CACHE_HOME of the run, when it is set, with the credentials found again.
  const third = await jindr(['-r', fake.host, 'lsi'], { env: { ...env, XDG_CACHE_HOME: xdg }, cwd: here });
  t.is(third.code, 0, third.stderr);
  t.true(readdirSync(join(xdg, 'docker-jindr/manifests')).length > 0, "the manifest cache is under this run's XDG_CACHE_HOME");
});
