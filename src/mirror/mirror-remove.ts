// `mirror stop` and `mirror rm`: the container stops, or goes with its login file (among the
// user's secrets, or in its directory for a mirror made before they moved) and the
// configuration without the login beside it; its
// cached data stays unless asked (--data); and the engine stops using it (daemon.json's
// registry-mirrors without it, then a reload) when `mirror start --engine` had added it.
import { readdirSync, rmSync, rmdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RegistryContainer } from '../server/container.ts';
import { mirrorConfigFile, mirrorDir, mirrorGcConfig } from './mirrors.ts';
import { engineMirrorUrl, removeMirrorFromEngine, type EngineAccess, type EngineChange } from './mirror-engine.ts';
import { engineErrorMessage, engineStatus } from '../engine/engine.ts';
import { ResourceError, errorMessage } from '../errors.ts';

export interface MirrorRemoval {
  container: string;
  /** The directory whose data was removed (--data), or that keeps it. */
  dataRemoved: string | undefined;
  dataKept: string | undefined;
  engine: EngineChange | { kind: 'failed'; why: string };
}

export async function removeMirror(access: EngineAccess, c: RegistryContainer, options: { data: boolean }): Promise<MirrorRemoval> {
  // The engine first: a mirror it still lists but that is gone would slow every Docker Hub pull.
  let engine: MirrorRemoval['engine'];
  try {
    engine = c.registry === undefined ? { kind: 'unchanged', path: '' } : await removeMirrorFromEngine(access, engineMirrorUrl(c.registry));
  } catch (err) {
    engine = { kind: 'failed', why: errorMessage(err) };
  }
  try {
    await access.docker.getContainer(c.id).remove({ force: true, v: false });
  } catch (err) {
    if (engineStatus(err) !== 404)
      throw new ResourceError(`cannot remove the mirror container ${c.name}: ${engineErrorMessage(err)}`, { cause: err });
  }
  // The login file and the configuration are only for the container (and its gc): they go with it.
  for (const file of [mirrorConfigFile(c), mirrorGcConfig(c)]) {
    if (file === undefined) continue;
    try {
      rmSync(file, { force: true });
    } catch (err) {
      throw new ResourceError(
        `the mirror container ${c.name} is removed, but not its file ${file}: ${errorMessage(err)} (remove it by hand)`,
        { cause: err },
      );
    }
  }
  const data = c.storage.kind === 'bind' ? c.storage.path : undefined;
  if (!options.data || data === undefined) return { container: c.name, dataRemoved: undefined, dataKept: data, engine };
  try {
    rmSync(data, { recursive: true, force: true });
    const dir = mirrorDir(c) ?? dirname(data);
    if (readdirSync(dir).length === 0) rmdirSync(dir);
  } catch (err) {
    throw new ResourceError(
      `the mirror container ${c.name} is removed, but not its data in ${data}: ${errorMessage(err)} (remove it by hand)`,
      { cause: err },
    );
  }
  return { container: c.name, dataRemoved: data, dataKept: undefined, engine };
}
