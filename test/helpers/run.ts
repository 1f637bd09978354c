// Running the built plugin, the docker CLI and other programs from tests.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, copyFileSync, linkSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const pluginBinary = join(repoRoot, 'dist/docker-jindr');

export interface RunResult {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs a program to its end; never throws for a non-zero exit. */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    // A program that exits without reading its input must not crash the test (EPIPE).
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** A fresh DOCKER_CONFIG directory with the built plugin installed in cli-plugins/. */
export function makeDockerConfig(): { dir: string; env: NodeJS.ProcessEnv; cleanup(): void } {
  if (!existsSync(pluginBinary)) throw new Error(`${pluginBinary} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), 'jindr-docker-config-'));
  mkdirSync(join(dir, 'cli-plugins'));
  // A hard link: the same file, not a 130 MB copy written per test (nothing writes to it,
  // and the build replaces dist/docker-jindr by a rename). A copy where tmp is another file system.
  try {
    linkSync(pluginBinary, join(dir, 'cli-plugins/docker-jindr'));
  } catch {
    copyFileSync(pluginBinary, join(dir, 'cli-plugins/docker-jindr'));
  }
  // The plugin's cache (blob locations, manifests) in the directory too: tests never share one.
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: dir, XDG_CACHE_HOME: join(dir, 'cache') };
  delete env.DOCKER_HOST;
  delete env.DOCKER_CONTEXT;
  return { dir, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `--format json` output as docker prints it: one JSON object per line (none for an empty list). */
export function jsonLines<T = Record<string, unknown>>(stdout: string): T[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/**
 * A usage error in Docker's shape, after checking: exit 2, nothing on stdout, the first
 * line "docker-jindr: MESSAGE", then the usage line and where to read more, no stack.
 * Returns MESSAGE.
 */
export function usageErrorOf(t: ExecutionContext, result: RunResult, usage: string, what = ''): string {
  const context = `${what}: ${result.stderr}`;
  t.is(result.code, 2, context);
  t.is(result.stdout, '', what);
  const match = /^docker-jindr: (.+)\n\nUsage: {2}(.+)\n\n(?:Run|See) '(.+) --help' for more information\n$/.exec(result.stderr);
  t.truthy(match, context);
  t.is(match?.[2], usage, context);
  t.true(usage.startsWith(match?.[3] ?? '-'), context);
  return match?.[1] ?? '';
}

/**
 * docker-jindr run on its own (not through the docker CLI), as most tests run it: through
 * the CLI every command also costs the CLI and a second start of the executable for its
 * metadata (about 0.17 s of CPU). The CLI's path (metadata, Docker's global flags, contexts,
 * DOCKER_HOST, signals, usage errors, completion) has tests of its own: plugin.test.ts,
 * plugin-signals, install, engine-remote, hostile-registry, completion-shells, podman, and
 * lifecycle's main test (`docker jindr up`, push, stop, start).
 */
export function jindr(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(pluginBinary, args, options);
}

export function docker(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run('docker', args, options);
}

/** Like run(), but throws with the program's stderr when it fails; its stdout. */
export async function runOk(file: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await run(file, args, options);
  if (result.code !== 0) throw new Error(`${basename(file)} ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}

/** Like docker(), but throws with docker's stderr when it fails. */
export function dockerOk(args: readonly string[], options: RunOptions = {}): Promise<string> {
  return runOk('docker', args, options);
}

/**
 * Removes the engine's images pulled from `host` (a test registry), including the ones a
 * second `docker pull --platform` of the same tag left untagged. Each goes by its
 * references (REPO:TAG, REPO@DIGEST), never by image ID: the same image pulled from
 * another test's registry shares the ID and must stay.
 */
export async function removePulledImages(host: string): Promise<void> {
  const list = await docker(['images', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}']);
  const refs = new Set<string>();
  for (const [repository, tag, digest] of list.stdout.split('\n').map((line) => line.split(' '))) {
    if (!repository?.startsWith(`${host}/`)) continue;
    if (tag && tag !== '<none>') refs.add(`${repository}:${tag}`);
    if (digest && digest !== '<none>') refs.add(`${repository}@${digest}`);
  }
  if (refs.size) await docker(['rmi', ...refs]);
}

/** A one-layer image of a few random bytes in the engine, tagged REGISTRY/REPOSITORY:1 (jtest/tiny); removed afterwards. */
export async function tinyImage(
  t: { teardown(fn: () => Promise<void>): void },
  registry: string,
  repository = 'jtest/tiny',
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-tiny-'));
  writeFileSync(join(dir, 'hello.txt'), `hello ${Math.random()}\n`);
  execFileSync('tar', ['-C', dir, '-cf', join(dir, 'layer.tar'), 'hello.txt']);
  const ref = `${registry}/${repository}:1`;
  await dockerOk(['import', join(dir, 'layer.tar'), ref]);
  rmSync(dir, { recursive: true, force: true });
  t.teardown(async () => {
    await docker(['rmi', '-f', ref]);
  });
  return ref;
}

/**
 * Runs file with args and, the first time its stderr matches `when` (e.g. the first blob
 * copied), calls `act` (kill a registry, send Ctrl-C...); resolves once it has exited.
 */
export async function runActingOnce(
  file: string,
  args: readonly string[],
  when: RegExp,
  act: (child: ChildProcess) => void,
  env?: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stderr: string; acted: boolean }> {
  const child = spawn(file, args, env ? { env } : {});
  let stderr = '';
  let acted = false;
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (!acted && when.test(stderr)) {
      acted = true;
      act(child);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stderr, acted };
}

/**
 * The one line a failed command printed, after checking: the exit code (`exitCode`, or
 * any but 0), nothing on stdout, one line on stderr starting "docker-jindr: ", and no
 * stack trace.
 */
export function errorLine(t: ExecutionContext, result: RunResult, exitCode?: number, what = ''): string {
  const context = what ? `${what}: ${result.stderr}` : result.stderr;
  if (exitCode === undefined) t.not(result.code, 0, context);
  else t.is(result.code, exitCode, context);
  t.is(result.stdout, '', what);
  const lines = result.stderr.trimEnd().split('\n');
  t.is(lines.length, 1, context);
  t.true(lines[0]!.startsWith('docker-jindr: '), context);
  t.notRegex(result.stderr, /\n\s+at /, what || 'no stack trace');
  return lines[0]!;
}
