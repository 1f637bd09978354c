// End-to-end tests need a real Docker engine. Outside CI an absent engine skips them
// with a clear message; under CI (CI=true) it fails the run: never a silent skip.
import test, { type SerialFn } from 'ava';
import type Docker from 'dockerode';
import { connect } from 'node:net';
import { exitedError } from '../../src/server/exited.ts';
import { freePort } from './free-port.ts';
import { docker } from './run.ts';

const engineUp = (await docker(['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 })).code === 0;

if (!engineUp) {
  if (process.env.CI === 'true') {
    throw new Error('no Docker engine answers `docker info`: CI must start one (test/rig/engine.sh)');
  }
  console.warn('No Docker engine: skipping end-to-end tests (start one with test/rig/engine.sh)');
}

/** test.serial when an engine answers, test.serial.skip otherwise (never under CI). */
export const e2e: SerialFn = engineUp ? test.serial : (test.serial.skip as unknown as SerialFn);

/** Both registry images: the maintained 3.x and the still-common 2.8.x. */
export const registryImages = ['registry:3', 'registry:2'] as const;

export { freePort };

/** Connecting to port on address: resolves to the error code, 'timeout', or 'connected'. */
export function tryConnect(address: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: 3000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

export interface TestRegistry {
  name: string;
  port: number;
  /** localhost:PORT */
  host: string;
  /** ADDRESS:PORT where it is published too (with `publishOn`) */
  published?: string;
  remove(): Promise<void>;
}

export interface TestRegistryOptions {
  image?: string;
  env?: Record<string, string>;
  /** host path -> container path */
  volumes?: Record<string, string>;
  /** a tmpfs of that size at that container path (a disk that fills) */
  tmpfs?: { target: string; bytes: number };
  /** arguments after the image (the registry's command) */
  command?: string[];
  /**
   * 'host' (the default, the cheapest start: no veth, iptables rules or docker-proxy): the
   * host's network, the registry listening on 127.0.0.1:PORT only. 'bridge' or a network's
   * name: port 5000 published on 127.0.0.1:PORT, for a registry another container reaches
   * (a mirror's upstream), one published elsewhere too, or one docker jindr must find by its
   * published port (gc, du, info, logs, restart find a container that way).
   */
  network?: string;
  /** also published on this address, on a free port of its own (bridge networks only) */
  publishOn?: string;
  /** the port to try first (a test of the retry); a free one otherwise */
  port?: number;
}

let api: Promise<Docker> | undefined;

/** The engine's API (dockerode, on DOCKER_HOST or the default socket): no docker CLI run per container. */
export function engineApi(): Promise<Docker> {
  return (api ??= import('dockerode').then(({ default: Dockerode }) => new Dockerode()));
}

/** The registry could not listen: its port was taken after freePort() saw it free. */
class PortTaken extends Error {}
const portTaken = /address already in use|port is already allocated/;

/** A registry container of its own on a free loopback port, with deletes enabled; a port taken meanwhile: another one. */
export async function startTestRegistry(options: TestRegistryOptions = {}): Promise<TestRegistry> {
  for (let attempt = 1; ; attempt++) {
    const port = attempt === 1 && options.port !== undefined ? options.port : await freePort();
    try {
      return await startOn(port, options);
    } catch (err) {
      if (!(err instanceof PortTaken) || attempt === 5) throw err;
    }
  }
}

async function startOn(port: number, options: TestRegistryOptions): Promise<TestRegistry> {
  const docker = await engineApi();
  const network = options.network ?? 'host';
  const onHost = network === 'host';
  if (onHost && options.publishOn) throw new Error('startTestRegistry: publishOn needs a bridge network, not the host network');
  const name = `jindr-test-${port}-${Math.random().toString(36).slice(2, 8)}`;
  // On the host's network another listener may have taken the port first, and answer: a
  // plain-HTTP registry of ours says it is ours with a header of its own (the image's
  // nosniff header kept). A TLS one cannot be asked over HTTP: its container must still run.
  const tls = options.env?.REGISTRY_HTTP_TLS_CERTIFICATE !== undefined;
  const nonce = onHost && !tls ? Math.random().toString(36).slice(2) : undefined;
  const env = {
    REGISTRY_STORAGE_DELETE_ENABLED: 'true',
    ...(onHost ? { REGISTRY_HTTP_ADDR: `127.0.0.1:${port}` } : {}),
    ...(nonce ? { REGISTRY_HTTP_HEADERS: `{X-Content-Type-Options: [nosniff], X-Jindr-Test: [${nonce}]}` } : {}),
    ...options.env,
  };
  const outside = options.publishOn ? { address: options.publishOn, port: await freePort() } : undefined;
  const bindings = [{ address: '127.0.0.1', port }, ...(outside ? [outside] : [])];
  const image = options.image ?? 'registry:2';
  const create: Docker.ContainerCreateOptions = {
    name,
    Image: image,
    ...(options.command ? { Cmd: options.command } : {}),
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: { 'jindr.test': '1' },
    ...(onHost ? {} : { ExposedPorts: { '5000/tcp': {} } }),
    HostConfig: {
      NetworkMode: network,
      Binds: Object.entries(options.volumes ?? {}).map(([h, c]) => `${h}:${c}`),
      ...(options.tmpfs
        ? {
            Mounts: [
              { Type: 'tmpfs', Source: '', Target: options.tmpfs.target, TmpfsOptions: { SizeBytes: options.tmpfs.bytes, Mode: 0o1777 } },
            ],
          }
        : {}),
      ...(onHost ? {} : { PortBindings: { '5000/tcp': bindings.map((b) => ({ HostIp: b.address, HostPort: String(b.port) })) } }),
    },
  };
  const container = await docker.createContainer(create);
  // As `docker rm -f -v` did: the anonymous volume goes too; a container already gone is no error.
  const remove = () => container.remove({ force: true, v: true }).catch(() => undefined);
  try {
    await container.start().catch((err: unknown) => {
      throw portTaken.test(String(err)) ? new PortTaken(String(err)) : err;
    });
    const alive = async (): Promise<void> => {
      const details = await container.inspect();
      if (details.State.Running) return;
      const exited = await exitedError(docker, { id: details.Id, name, image, details });
      throw portTaken.test(exited.message) ? new PortTaken(exited.message) : exited;
    };
    const ours = nonce ? (res: Response) => res.headers.get('x-jindr-test') === nonce : undefined;
    await waitForRegistry(`http://127.0.0.1:${port}/v2/`, 20_000, alive, ours);
    if (onHost) await alive();
  } catch (err) {
    await remove();
    throw err;
  }
  return { name, port, host: `localhost:${port}`, ...(outside ? { published: `${outside.address}:${outside.port}` } : {}), remove };
}

/**
 * Waits until something answers HTTP(S) at url (any status; with `ours`, an answer it
 * accepts). `alive`, asked after each attempt that failed, throws when what should
 * answer is gone (a container that exited).
 */
export async function waitForRegistry(
  url: string,
  timeoutMs = 20_000,
  alive?: () => Promise<void>,
  ours?: (res: Response) => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (!ours || ours(res)) return;
      failure = new Error('another server answers there');
    } catch (err) {
      failure = err;
    }
    await alive?.();
    if (Date.now() > deadline) throw new Error(`nothing answers at ${url}: ${String(failure)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
