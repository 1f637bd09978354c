// A registry that docker-jindr runs (made by `docker jindr up`, on a free port, data in a
// temp dir), and a DOCKER_CONFIG with the built plugin; all removed after the test, with
// any image pulled from it. For the commands that read a registry's storage.
import type { ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import { freePort } from './engine.ts';
import { MEDIA_TYPES, pushBlob, pushManifestBytes, sha256, type Blob } from './images.ts';
import { docker, dockerOk, jsonLines, makeDockerConfig, removePulledImages, type RunResult, jindr as jindrAlone } from './run.ts';

export interface JindrRegistry {
  host: string;
  /** The registry container's name (jindr-PORT). */
  name: string;
  data: string;
  env: NodeJS.ProcessEnv;
  /** `docker-jindr -r HOST ARGS`: the executable on its own, with this registry's DOCKER_CONFIG. */
  jindr(...args: string[]): Promise<RunResult>;
}

/**
 * `timeoutMs`: how long each command may take (gc restarting a registry during a push takes
 * longer than the default). Teardown removes every container labelled for the registry's
 * address, a gc helper left by a killed command included.
 */
export async function startJindrRegistry(t: ExecutionContext, image: string, options: { timeoutMs?: number } = {}): Promise<JindrRegistry> {
  const port = await freePort();
  const host = `localhost:${port}`;
  const root = mkdtempSync(join(tmpdir(), 'jindr-tidy-'));
  const cfg = makeDockerConfig();
  const name = `jindr-${port}`;
  t.teardown(async () => {
    await removePulledImages(host);
    const ids = (await docker(['ps', '-aq', '--filter', `label=jindr.registry=${host}`])).stdout.split('\n').filter(Boolean);
    await docker(['rm', '-f', '-v', name, ...ids]);
    rmSync(root, { recursive: true, force: true });
    cfg.cleanup();
  });
  const jindr = (...args: string[]) =>
    jindrAlone(['-r', host, ...args], { env: cfg.env, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  const up = await jindr('up', '-d', join(root, 'data'), '--image', image);
  if (up.code !== 0) throw new Error(`docker-jindr up failed: ${up.stderr}`);
  return { host, name, data: join(root, 'data'), env: cfg.env, jindr };
}

/** Like jindr(), but the exit code must be 0; stdout (one JSON object) parsed. */
export async function jindrJson<T>(reg: JindrRegistry, ...args: string[]): Promise<T> {
  const result = await reg.jindr(...args, '--format', 'json');
  if (result.code !== 0) throw new Error(`docker-jindr ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Like jindrJson, for a list: one JSON object per line. */
export async function jindrJsonLines<T>(reg: JindrRegistry, ...args: string[]): Promise<T[]> {
  const result = await reg.jindr(...args, '--format', 'json');
  if (result.code !== 0) throw new Error(`docker-jindr ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return jsonLines<T>(result.stdout);
}

/**
 * After a registry restarts, fetch's kept-alive sockets are dead ("other side closed"
 * on the next request): a new pool.
 */
export async function forgetConnections(): Promise<void> {
  const old = getGlobalDispatcher();
  setGlobalDispatcher(new Agent());
  await old.destroy().catch(() => {});
}

const ACCEPT = [...Object.values(MEDIA_TYPES.oci), ...Object.values(MEDIA_TYPES.docker)].join(', ');

/** The HTTP status of GET /v2/REPO/manifests|blobs/REF. */
export async function status(host: string, repo: string, kind: 'manifests' | 'blobs', ref: string): Promise<number> {
  const res = await fetch(`http://${host}/v2/${repo}/${kind}/${ref}`, { headers: { accept: ACCEPT } });
  await res.arrayBuffer();
  return res.status;
}

/** An OCI artifact (a signature, say) whose subject is `subject`, pushed by digest only. */
export async function pushReferrer(host: string, repo: string, subject: Blob): Promise<Blob> {
  const empty = Buffer.from('{}');
  const config: Blob = { digest: sha256(empty), size: empty.length, mediaType: 'application/vnd.oci.empty.v1+json', bytes: empty };
  const payload = randomBytes(64);
  const layer: Blob = { digest: sha256(payload), size: payload.length, mediaType: 'application/vnd.example.signature', bytes: payload };
  const d = (b: Blob) => ({ mediaType: b.mediaType, digest: b.digest, size: b.size });
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.oci.manifest,
      artifactType: 'application/vnd.example.signature',
      config: d(config),
      layers: [d(layer)],
      subject: d(subject),
    }),
  );
  await pushBlob(host, repo, config);
  await pushBlob(host, repo, layer);
  const manifest: Blob = { digest: sha256(bytes), size: bytes.length, mediaType: MEDIA_TYPES.oci.manifest, bytes };
  await pushManifestBytes(host, repo, manifest.digest, manifest);
  return manifest;
}

/** The bytes of every blob data file in the registry's storage, summed inside its container. */
export async function storedBlobBytes(reg: JindrRegistry): Promise<number> {
  const out = await dockerOk([
    'exec',
    reg.name,
    'sh',
    '-c',
    'find /var/lib/registry/docker/registry/v2/blobs -type f -name data -exec cat {} + | wc -c',
  ]);
  return Number(out.trim());
}
