// Starting a mirror that exists: its login file written afresh, and its configuration
// without the login beside it (for gc's helper). A mirror made before logins left the data
// directory (its login in DATA/mirrors/NAME/config.yml, inside the storage of the registry
// whose data directory holds it) is moved first, running or not: the login goes to the
// secrets directory, the container is created again with that file mounted instead (same
// name, ports, network, data), and the old config.yml is removed.
import type Docker from 'dockerode';
import { rmSync } from 'node:fs';
import { inspectRegistryContainer, type RegistryContainer } from '../server/container.ts';
import { recreateRegistryContainer } from '../server/container-recreate.ts';
import { stopRegistryContainer } from '../server/container-control.ts';
import { prepareDataDir } from '../server/prestart-checks.ts';
import { MIRROR_CONFIG_PATH, writeMirrorConfig } from './mirror-config.ts';
import { loginInDataDir, mirrorConfigFile, mirrorDir, withoutLoginFile } from './mirrors.ts';
import { mirrorSecretFile, writeSecretFile } from '../server/secrets.ts';
import { serveMirror, type OfflineServing } from './mirror-offline.ts';
import type { MirrorUpstream } from './mirror-upstream.ts';
import { ResourceError } from '../errors.ts';

export interface MirrorFiles {
  /** The registry's configuration with the login (only the mirror's container sees it). */
  withLogin: string;
  /** The same without the login. */
  withoutLogin: string;
}

export interface MovedLogin {
  from: string;
  to: string;
}

export async function startExistingMirror(
  env: { docker: Docker; local: boolean; signal: AbortSignal; processEnv: NodeJS.ProcessEnv },
  existing: RegistryContainer,
  files: MirrorFiles,
  upstream: MirrorUpstream,
): Promise<{ container: RegistryContainer; moved: MovedLogin | undefined; offline: OfflineServing | undefined }> {
  const { docker } = env;
  const how = upstream.name;
  const since = Math.floor(Date.now() / 1000);
  const file = mirrorConfigFile(existing);
  if (file === undefined)
    throw new ResourceError(
      `the mirror container ${existing.name} has no configuration file mounted: remove it (docker jindr mirror rm ${how}) and start again`,
    );
  let target: RegistryContainer = existing;
  let moved: MovedLogin | undefined;
  if (loginInDataDir(existing)) {
    const to = mirrorSecretFile(env.processEnv, mirrorDir(existing)!);
    writeSecretFile(env.processEnv, to, files.withLogin);
    writeMirrorConfig(withoutLoginFile(to), files.withoutLogin);
    try {
      // Running, it is stopped, made again and started; the old one comes back if that fails.
      target = await recreateRegistryContainer(docker, existing, existing.details.Config.Env ?? [], (binds) => [
        ...binds.filter((b) => !b.includes(`:${MIRROR_CONFIG_PATH}`)),
        `${to}:${MIRROR_CONFIG_PATH}:ro`,
      ]);
    } catch (err) {
      rmSync(to, { force: true });
      rmSync(withoutLoginFile(to), { force: true });
      throw err;
    }
    rmSync(file, { force: true });
    moved = { from: file, to };
  } else {
    if (existing.running || existing.state === 'restarting') {
      await stopRegistryContainer(docker, existing);
      target = await inspectRegistryContainer(docker, existing);
    }
    writeSecretFile(env.processEnv, file, files.withLogin);
    writeMirrorConfig(withoutLoginFile(file), files.withoutLogin);
  }
  if (target.storage.kind === 'bind') prepareDataDir(target.storage.path);
  const { container, offline } = await serveMirror(env, upstream, target, {
    configFile: moved?.to ?? file,
    failWhenEmpty: false,
    since,
  });
  return { container, moved, offline };
}
