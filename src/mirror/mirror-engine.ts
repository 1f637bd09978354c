// Making the Docker engine pull Docker Hub images through a mirror (`mirror start --engine`)
// and undoing it (`mirror rm`): daemon.json's registry-mirrors, then a SIGHUP, then the
// engine's own answer (docker info) as proof. Only for an engine on this machine whose
// daemon.json this process may write; otherwise the exact lines to add are given instead.
import type Docker from 'dockerode';
import {
  daemonJsonPath,
  daemonJsonWritable,
  dockerdPid,
  readDaemonJson,
  registryMirrors,
  sameMirror,
  withMirror,
  withoutMirror,
  writeDaemonJson,
  REGISTRY_MIRRORS,
} from '../engine/daemon-config.ts';

export type EngineChange =
  /** Written and reloaded; the engine's registry mirrors are now `mirrors`. */
  | { kind: 'reloaded'; path: string; mirrors: string[] }
  /** Nothing to do: the file already says so. */
  | { kind: 'unchanged'; path: string }
  /** Not done, or done only in part: `steps` say what the user has to do. */
  | { kind: 'manual'; why: string; steps: string[] };

export interface EngineAccess {
  docker: Docker;
  local: boolean;
  env: NodeJS.ProcessEnv;
  /** For tests: dockerd's pid file and how a signal is sent. */
  pidFile?: string;
  kill?: (pid: number, signal: NodeJS.Signals) => void;
  /** How long to wait for the engine to show the change (default 10 s). */
  confirmMs?: number;
}

const RELOAD = 'sudo kill -HUP $(pidof dockerd)   # or restart the engine';

/** The mirror URL the engine is given: http://127.0.0.1:5002. */
export function engineMirrorUrl(registry: string): string {
  return `http://${registry.replace(/^localhost(?=:)/, '127.0.0.1')}`;
}

export function addMirrorToEngine(access: EngineAccess, url: string): Promise<EngineChange> {
  return change(access, url, (config) => withMirror(config, url), true);
}

/** Undoes addMirrorToEngine; nothing happens when daemon.json does not list url. */
export function removeMirrorFromEngine(access: EngineAccess, url: string): Promise<EngineChange> {
  return change(access, url, (config) => withoutMirror(config, url), false);
}

async function change(
  access: EngineAccess,
  url: string,
  edit: (c: Record<string, unknown>) => Record<string, unknown>,
  adding: boolean,
): Promise<EngineChange> {
  const path = daemonJsonPath(access.env);
  if (!access.local) {
    return {
      kind: 'manual',
      why: 'the Docker engine is not on this machine',
      steps: [`on the engine's machine, ${adding ? 'add' : 'remove'} ${url} in the "${REGISTRY_MIRRORS}" of ${path}`, RELOAD],
    };
  }
  const file = readDaemonJson(path);
  const next = edit(file.config);
  const wanted = `"${REGISTRY_MIRRORS}": ${JSON.stringify(registryMirrors(next))}`;
  const engineDone = (list: string[]): boolean => list.some((m) => sameMirror(m, url)) === adding;
  const sameFile = JSON.stringify(registryMirrors(next)) === JSON.stringify(registryMirrors(file.config)) && (file.exists || !adding);
  if (sameFile) {
    // The file says so already; reload only when the engine has not caught up.
    if (engineDone(await currentMirrors(access.docker))) return { kind: 'unchanged', path };
  } else {
    if (!daemonJsonWritable(file)) {
      return { kind: 'manual', why: `${path} is not writable by this user`, steps: [`set ${wanted} in ${path}`, RELOAD] };
    }
    writeDaemonJson(file, next);
  }
  const pid = await dockerdPid(access.pidFile);
  if (pid === undefined)
    return { kind: 'manual', why: `${path} now has ${wanted}, but no dockerd process was found to reload`, steps: [RELOAD] };
  try {
    if (access.kill) access.kill(pid, 'SIGHUP');
    else process.kill(pid, 'SIGHUP');
  } catch (err) {
    return {
      kind: 'manual',
      why: `${path} now has ${wanted}, but dockerd (pid ${pid}) could not be told (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      steps: [RELOAD],
    };
  }
  const mirrors = await engineMirrors(access, engineDone);
  if (mirrors === undefined) {
    return {
      kind: 'manual',
      why: `${path} now has ${wanted} and dockerd was reloaded, but the engine does not show it (its log says why; a registry-mirrors flag on dockerd's command line wins over the file)`,
      steps: [],
    };
  }
  return { kind: 'reloaded', path, mirrors };
}

/** The engine's registry mirrors once `done` holds for them; undefined if it does not in time. */
async function engineMirrors(access: EngineAccess, done: (mirrors: string[]) => boolean): Promise<string[] | undefined> {
  const deadline = Date.now() + (access.confirmMs ?? 10_000);
  for (;;) {
    const mirrors = await currentMirrors(access.docker);
    if (done(mirrors)) return mirrors;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function currentMirrors(docker: Docker): Promise<string[]> {
  const info = (await docker.info()) as { RegistryConfig?: { Mirrors?: string[] | null } };
  return info.RegistryConfig?.Mirrors ?? [];
}
