// End-to-end tests need a real Docker engine. Outside CI an absent engine skips them
// with a clear message; under CI (CI=true) it fails the run: never a silent skip.
import test, { type SerialFn } from 'ava';
import { connect } from 'node:net';
import { freePort } from './free-port.ts';
import { docker, dockerOk } from './run.ts';

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
  remove(): Promise<void>;
}

export interface TestRegistryOptions {
  image?: string;
  env?: Record<string, string>;
  /** host path -> container path */
  volumes?: Record<string, string>;
  /** extra arguments to `docker run` before the image */
  runArgs?: string[];
  /** arguments after the image (the registry's command) */
  command?: string[];
}

/** A registry container of its own on a free loopback port, with deletes enabled. */
export async function startTestRegistry(options: TestRegistryOptions = {}): Promise<TestRegistry> {
  const port = await freePort();
  const name = `jindr-test-${port}-${Math.random().toString(36).slice(2, 8)}`;
  const env = { REGISTRY_STORAGE_DELETE_ENABLED: 'true', ...options.env };
  const args = ['run', '-d', '--name', name, '--label', 'jindr.test=1', '-p', `127.0.0.1:${port}:5000`];
  for (const [k, v] of Object.entries(env)) args.push('-e', `${k}=${v}`);
  for (const [h, c] of Object.entries(options.volumes ?? {})) args.push('-v', `${h}:${c}`);
  args.push(...(options.runArgs ?? []), options.image ?? 'registry:2', ...(options.command ?? []));
  await dockerOk(args);
  const host = `localhost:${port}`;
  await waitForRegistry(`http://127.0.0.1:${port}/v2/`);
  return {
    name,
    port,
    host,
    remove: async () => {
      await docker(['rm', '-f', '-v', name]);
    },
  };
}

/** Waits until something answers HTTP(S) at url (any status). */
export async function waitForRegistry(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`nothing answers at ${url}: ${String(err)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
