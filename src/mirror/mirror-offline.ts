// A mirror whose upstream cannot be reached still serves its cache. distribution's proxy
// asks its upstream for /v2/ as it starts and panics when it cannot reach it (`panic: Get
// "URL/v2/": dial tcp: ...`, registry 2.8 and 3 alike); the mirror is then started again
// on the same storage as a plain registry: its configuration file written without the
// proxy section and read-only (mirror-config.ts), so it answers pulls of what it holds and
// refuses pushes. The login is not in that file: the next `mirror start` looks it up again
// and tries pull-through first. An upstream that is reached but fails (429, 5xx) needs
// none of this: the proxy starts, and answers a cached tag from its storage when the
// upstream's answer is an error (distribution's proxy tag service falls back to the local
// tag; cached manifests and blobs are read from storage before the upstream is asked).
import type Docker from 'dockerode';
import { existsSync } from 'node:fs';
import type { RegistryContainer } from '../server/container.ts';
import { startRegistryContainer, stopRegistryContainer, waitUntilServing } from '../server/container-control.ts';
import { mirrorConfigYaml, writeMirrorConfig } from './mirror-config.ts';
import { mirrorPanic, mirrorStartFailure, unreachableUpstream } from './mirror-failure.ts';
import { mirrorConfigFile, withoutLoginFile } from './mirrors.ts';
import { cachedImages } from './mirror-contents.ts';
import type { MirrorUpstream } from './mirror-upstream.ts';

export interface OfflineServing {
  /** Tags in its storage (as `mirror ls` counts IMAGES). */
  images: number;
  /** Why the upstream could not be reached, as the registry said it. */
  reason: string;
}

export interface ServeEnvironment {
  docker: Docker;
  local: boolean;
  signal?: AbortSignal;
}

export interface ServeOptions {
  /** The host file mounted as its configuration (replaced by the offline one when needed). */
  configFile: string | undefined;
  /** A mirror that holds nothing fails as before instead of serving nothing offline (a new mirror: a wrong URL or --network). */
  failWhenEmpty: boolean;
  /** Unix seconds before it was (re)started: its earlier log lines are not read. */
  since?: number;
}

const now = (): number => Math.floor(Date.now() / 1000);

/**
 * Starts the mirror's container (started already is fine) and waits until it serves. When
 * its proxy could not reach the upstream, it is stopped, its configuration replaced by the
 * offline one, and started again.
 */
export async function serveMirror(
  env: ServeEnvironment,
  upstream: MirrorUpstream,
  target: { id: string; name: string },
  options: ServeOptions,
): Promise<{ container: RegistryContainer; offline: OfflineServing | undefined }> {
  const { docker, local, signal } = env;
  const since = options.since ?? now();
  await startRegistryContainer(docker, target);
  try {
    return { container: await waitUntilServing(docker, target, { local, signal }), offline: undefined };
  } catch (err) {
    const reason = unreachableUpstream(await mirrorPanic(docker, target, since), upstream.url);
    const file = options.configFile;
    if (reason === undefined || !local || file === undefined) return mirrorStartFailure(docker, target, err, since);
    // Its restart policy may be starting it again and again meanwhile.
    await stopRegistryContainer(docker, target);
    const yaml = mirrorConfigYaml(upstream, undefined, 'offline');
    writeMirrorConfig(file, yaml);
    if (existsSync(withoutLoginFile(file))) writeMirrorConfig(withoutLoginFile(file), yaml);
    const again = now();
    await startRegistryContainer(docker, target);
    const container = await waitUntilServing(docker, target, { local, signal }).catch((e: unknown) =>
      mirrorStartFailure(docker, target, e, again),
    );
    const images = (await cachedImages(docker, container)) ?? 0;
    if (images === 0 && options.failWhenEmpty) {
      await stopRegistryContainer(docker, target).catch(() => {});
      return mirrorStartFailure(docker, target, err, since);
    }
    return { container, offline: { images, reason } };
  }
}

/**
 * A mirror started again after gc stopped it, or after `restart` found it failing (its
 * log read from since, Unix seconds): offline when its upstream cannot be reached.
 */
export function restartMirror(
  env: ServeEnvironment,
  upstream: MirrorUpstream,
  c: RegistryContainer,
  since?: number,
): Promise<{ container: RegistryContainer; offline: OfflineServing | undefined }> {
  return serveMirror(env, upstream, c, {
    configFile: mirrorConfigFile(c),
    failWhenEmpty: false,
    ...(since === undefined ? {} : { since }),
  });
}

/** The lines for people (stderr) when a mirror came up offline; the first one exactly so. */
export function describeOffline(upstream: MirrorUpstream, offline: OfflineServing): string[] {
  return [
    `offline: serving ${offline.images} cached images from cache`,
    `the mirror cannot reach ${upstream.url} (${offline.reason}): it serves what it holds, read-only, until a docker jindr mirror start ${upstream.name} finds the upstream again`,
  ];
}
