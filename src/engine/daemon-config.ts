// The Docker engine's own configuration file (daemon.json) as far as registry-mirrors goes,
// and reloading the engine with SIGHUP, which re-reads registry-mirrors without restarting
// a container. A reload applies only the keys the file has: removing the key (or the file)
// keeps the old mirrors until a restart, so "no mirrors" is written as `[]`.
import { isJsonObject, parseJson } from '../json-shape.ts';
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ResourceError, errorMessage } from '../errors.ts';

export const DEFAULT_DAEMON_JSON = '/etc/docker/daemon.json';
export const DEFAULT_DOCKERD_PID_FILE = '/var/run/docker.pid';
export const REGISTRY_MIRRORS = 'registry-mirrors';

/** JINDR_DAEMON_JSON overrides where daemon.json is (for tests, or an engine started with --config-file). */
export function daemonJsonPath(env: NodeJS.ProcessEnv): string {
  return env.JINDR_DAEMON_JSON || DEFAULT_DAEMON_JSON;
}

export interface DaemonJson {
  path: string;
  exists: boolean;
  config: Record<string, unknown>;
}

export function readDaemonJson(path: string): DaemonJson {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { path, exists: false, config: {} };
    throw new ResourceError(`cannot read ${path}: ${errorMessage(err)}`, { cause: err });
  }
  if (text.trim() === '') return { path, exists: true, config: {} };
  let parsed: unknown;
  try {
    parsed = parseJson(text);
  } catch {
    throw new ResourceError(`${path} is not valid JSON (the engine would refuse it too): fix it first`);
  }
  if (!isJsonObject(parsed)) throw new ResourceError(`${path} does not hold a JSON object: fix it first`);
  return { path, exists: true, config: parsed };
}

/** The same mirror however it is written: http://127.0.0.1:5002 and http://127.0.0.1:5002/ . */
export function sameMirror(a: string, b: string): boolean {
  return a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();
}

export function registryMirrors(config: Record<string, unknown>): string[] {
  const value = config[REGISTRY_MIRRORS];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** config with url first among registry-mirrors (the engine tries them in order); the rest kept. */
export function withMirror(config: Record<string, unknown>, url: string): Record<string, unknown> {
  return { ...config, [REGISTRY_MIRRORS]: [url, ...registryMirrors(config).filter((m) => !sameMirror(m, url))] };
}

/** config without url among registry-mirrors; `[]` when none is left, so a reload clears them. */
export function withoutMirror(config: Record<string, unknown>, url: string): Record<string, unknown> {
  return { ...config, [REGISTRY_MIRRORS]: registryMirrors(config).filter((m) => !sameMirror(m, url)) };
}

/** Can this process write the file (or create it, when it does not exist)? */
export function daemonJsonWritable(file: DaemonJson): boolean {
  try {
    accessSync(file.exists ? file.path : dirname(file.path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Replaces the file in one step (the engine never reads half of it), keeping its mode. */
export function writeDaemonJson(file: DaemonJson, config: Record<string, unknown>): void {
  const mode = file.exists ? statSync(file.path).mode & 0o777 : 0o644;
  const temp = `${file.path}.jindr-${process.pid}.tmp`;
  try {
    writeFileSync(temp, JSON.stringify(config, null, 2) + '\n', { mode });
    renameSync(temp, file.path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new ResourceError(`cannot write ${file.path}: ${errorMessage(err)}`, { cause: err });
  }
}

/** dockerd's process id: its pid file, else `pidof dockerd`; undefined when neither says. */
export async function dockerdPid(pidFile = DEFAULT_DOCKERD_PID_FILE): Promise<number | undefined> {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 1) {
      process.kill(pid, 0); // alive (and ours to signal)?
      return pid;
    }
  } catch {
    // no pid file, or a stale one: ask pidof
  }
  const out = await new Promise<string>((resolve) => execFile('pidof', ['dockerd'], (err, stdout) => resolve(err ? '' : stdout)));
  const pids = out
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 1);
  return pids.length === 1 ? pids[0] : undefined;
}
