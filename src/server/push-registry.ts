// The registry `push` runs on the far engine for the length of one push: the image `start`
// uses, its storage on a named volume that stays (the next push finds every blob there and
// sends none), its port published on the host's 127.0.0.1 only, on a port the engine picks
// (reached through ssh, never from the host's network; the engine pulls from it as a
// loopback registry, which Docker allows without TLS). Removed after the push, or on failure.
import type Docker from 'dockerode';
import { REGISTRY_CONTAINER_PORT, REGISTRY_STORAGE_PATH } from './container.ts';
import { DEFAULT_IMAGE } from './lifecycle.ts';
import { engineErrorMessage } from '../engine/engine.ts';
import { ensureImage, type ProgressSink } from '../engine/pull.ts';
import { ResourceError } from '../errors.ts';

/** The volume that keeps what was pushed, and the label on it and on the containers. */
export const PUSH_VOLUME = 'jindr-push';
export const LABEL_PUSH = 'jindr.push';

export interface PushRegistry {
  name: string;
  /** Its port on the host's 127.0.0.1. */
  port: number;
  /** Stops and removes the container (the volume stays). Never throws. */
  remove(): Promise<void>;
}

export async function startPushRegistry(docker: Docker, progress: ProgressSink, signal: AbortSignal): Promise<PushRegistry> {
  await ensureImage(docker, DEFAULT_IMAGE, progress, signal);
  const fail = (what: string, err: unknown): ResourceError =>
    new ResourceError(`cannot ${what} on the remote engine: ${engineErrorMessage(err)}`, { cause: err });
  // Creating a volume that exists is no error: the engine hands back the one it has.
  await docker.createVolume({ Name: PUSH_VOLUME, Labels: { [LABEL_PUSH]: '1' } }).catch((err: unknown) => {
    throw fail(`create the volume ${PUSH_VOLUME}`, err);
  });
  const name = `jindr-push-${process.getBuiltinModule('node:crypto').randomBytes(6).toString('hex')}`;
  let container: Docker.Container;
  try {
    container = await docker.createContainer({
      name,
      Image: DEFAULT_IMAGE,
      Labels: { [LABEL_PUSH]: '1' },
      ExposedPorts: { [REGISTRY_CONTAINER_PORT]: {} },
      HostConfig: {
        Binds: [`${PUSH_VOLUME}:${REGISTRY_STORAGE_PATH}`],
        PortBindings: { [REGISTRY_CONTAINER_PORT]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
      },
    });
  } catch (err) {
    throw fail(`create the registry container ${name}`, err);
  }
  const remove = async (): Promise<void> => {
    await container.remove({ force: true, v: false }).catch(() => {});
  };
  try {
    await container.start();
    const details = await container.inspect();
    const port = Number(details.NetworkSettings.Ports?.[REGISTRY_CONTAINER_PORT]?.[0]?.HostPort);
    if (!Number.isInteger(port) || port <= 0) throw new ResourceError(`the remote engine published no port for ${name}`);
    return { name, port, remove };
  } catch (err) {
    await remove();
    throw err instanceof ResourceError ? err : fail(`start the registry container ${name}`, err);
  }
}
