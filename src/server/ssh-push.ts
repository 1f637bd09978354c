// push: an image into the Docker engine of an ssh host, sending only what the host lacks, as
// unregistry's `docker pussh` does. On the host, a registry of ours (push-registry.ts) on
// its loopback; from here, a port forwarded to it by the user's ssh (ssh-tunnel.ts); the
// image copied into it from the local registry (every platform, digests unchanged), or
// pushed into it by the local engine when only the engine has it; then the host's engine
// pulls it from its own loopback (its platform), tags it with the name given, and the
// temporary name and the registry container go. The volume stays: a second push of the
// same image finds every blob there and sends none, and the engine then has every layer.
import type { Engine } from '../engine/engine.ts';
import { connectSshEngine, engineErrorMessage } from '../engine/engine.ts';
import { pullImage, imageExists, type ProgressSink } from '../engine/pull.ts';
import { pushEngineImage } from '../engine/push-image.ts';
import { parseSshHost } from '../engine/ssh.ts';
import { openSshTunnel, type SshTunnel } from '../engine/ssh-tunnel.ts';
import { startPushRegistry } from './push-registry.ts';
import { copyBetween } from '../registry/copy-session.ts';
import type { CopyEvents } from '../registry/copy.ts';
import { resolveDigest } from '../registry/manifest.ts';
import type { OpenClient } from '../registry/per-host.ts';
import { formatReference, parseReference, quote, type ImageReference } from '../registry/reference.ts';
import type { RegistryHost } from '../registry/host.ts';
import {
  EngineUnreachableError,
  InterruptedError,
  NotFoundError,
  RefusedError,
  ResourceError,
  UsageError,
  errorMessage,
} from '../errors.ts';

export interface SshPushOptions {
  /** ssh://[USER@]HOST[:PORT] */
  url: string;
  /** IMAGE as given: its name on the host, and where to find it (-r, else the local engine). */
  image: string;
  registry: RegistryHost;
  open: OpenClient;
  localEngine: () => Promise<Engine>;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  jobs: number;
  progress: ProgressSink;
  events?: CopyEvents;
  info?: (message: string) => void;
  /** Runs fn to its end even after Ctrl-C (the command's Context.critical). */
  critical?: <T>(fn: () => Promise<T>) => Promise<T>;
}

export interface SshPushReport {
  /** The name the host's engine has it under now. */
  image: string;
  host: string;
  source: 'registry' | 'engine';
  /** Where it came from: REGISTRY/REPO:TAG, or the local engine's image name. */
  from: string;
  /** The manifest digest (an index for a multi-platform image), as the host's engine records it. */
  digest: string;
  /** Blobs sent to the host, blobs it had; layers its engine fetched, layers it had. */
  blobs: { sent: number; present: number };
  bytes: number;
  layers: { pulled: number; present: number };
}

type Source = { kind: 'registry'; ref: ImageReference; from: string } | { kind: 'engine'; engine: Engine };

export async function pushOverSsh(options: SshPushOptions): Promise<SshPushReport> {
  const target = parseSshHost(options.url);
  const ref = parseReference(options.image, options.registry);
  if (ref.tag === undefined && ref.digest !== undefined) {
    throw new UsageError(`${quote(options.image)} has no tag: give IMAGE:TAG, the name the image gets on the host`);
  }
  const tag = ref.tag ?? 'latest';
  const name = engineName(options.image);
  const source = await findSource(options, ref, tag);
  const remote = await connectSshEngine(options.url, options.env, options.signal);
  // Ctrl-C stops the transfer (the signal), and waits for the removal of what the host got.
  const critical = options.critical ?? (<T>(fn: () => Promise<T>): Promise<T> => fn());
  return critical(async () => {
    const registry = await startPushRegistry(remote.docker, options.progress, options.signal);
    let tunnel: SshTunnel | undefined;
    try {
      tunnel = await openSshTunnel(target, registry.port, options.env, options.signal);
      await waitServing(tunnel, options.signal, registry.name, target.host);
      const open = tunnel;
      // ssh ending under the transfer is the cause to name, not the port it left closed.
      const sent = await send(options, source, ref, tag, `127.0.0.1:${tunnel.port}`).catch((err: unknown) => {
        throw open.failure() ?? err;
      });
      // The host's engine pulls from its own loopback (the port of the container, not ours), by
      // digest: no temporary tag, and the name it pulled by is the engine's record of the digest
      // (RepoDigests), which removing a tag of the same repository would take with it.
      const pulledAs = `127.0.0.1:${registry.port}/${ref.repository}`;
      options.progress.write(`${options.url}: its engine pulls ${name}:${tag}\n`);
      const pulled = await pullImage(remote.docker, `${pulledAs}@${sent.digest}`, options.progress, options.signal);
      await remote.docker
        .getImage(`${pulledAs}@${sent.digest}`)
        .tag({ repo: name, tag })
        .catch((err: unknown) => {
          throw new ResourceError(`cannot tag ${name}:${tag} on ${options.url}: ${engineErrorMessage(err)}`, { cause: err });
        });
      await forgetEarlierPorts(remote.docker, `${name}:${tag}`, pulledAs);
      return {
        image: `${name}:${tag}`,
        host: options.url,
        source: source.kind,
        from: source.kind === 'registry' ? source.from : options.image,
        digest: sent.digest,
        blobs: sent.blobs,
        bytes: sent.bytes,
        layers: { pulled: pulled.downloaded, present: pulled.present },
      };
    } finally {
      await tunnel?.close();
      await registry.remove();
    }
  });
}

/** The same record left by earlier pushes, through another port: one is enough. */
async function forgetEarlierPorts(docker: Engine['docker'], image: string, pulledAs: string): Promise<void> {
  const repository = pulledAs.slice(pulledAs.indexOf('/') + 1);
  const { RepoDigests } = await docker.getImage(image).inspect();
  for (const earlier of RepoDigests ?? []) {
    const [at, rest] = [earlier.split('@', 1)[0]!, earlier.slice(earlier.indexOf('/') + 1)];
    if (at === pulledAs || !/^127\.0\.0\.1:\d+\//.test(at) || !rest.startsWith(`${repository}@`)) continue;
    await docker
      .getImage(earlier)
      .remove({ noprune: true })
      .catch(() => {});
  }
}

interface Sent {
  digest: string;
  blobs: SshPushReport['blobs'];
  bytes: number;
}

/** The image into the host's registry, reached here at `here`: copied from the registry, or pushed by the local engine. */
async function send(options: SshPushOptions, source: Source, ref: ImageReference, tag: string, here: string): Promise<Sent> {
  if (source.kind === 'registry') {
    const plan = { from: { registry: ref.registry, repository: ref.repository }, to: { registry: here, repository: ref.repository } };
    const items = [{ source: ref.digest ?? tag, tag }];
    const report = await copyBetween(options.open, { ...plan, items }, { jobs: options.jobs, insecure: false, ...pick(options) });
    const { copied, mounted, exists } = report.blobs;
    return { digest: report.images[0]!.digest, blobs: { sent: copied + mounted, present: exists }, bytes: report.bytes };
  }
  const to = { repository: `${here}/${ref.repository}`, tag };
  const pushed = await pushEngineImage(source.engine.docker, options.image, to, options.progress, options.signal);
  return { digest: pushed.digest, blobs: { sent: pushed.pushed, present: pushed.present }, bytes: 0 };
}

function pick(options: SshPushOptions): { signal: AbortSignal; events?: CopyEvents } {
  return options.events ? { signal: options.signal, events: options.events } : { signal: options.signal };
}

/** IMAGE as typed without its tag or digest: the name the host's engine gets. */
function engineName(image: string): string {
  const bare = image.split('@', 1)[0]!;
  const colon = bare.lastIndexOf(':');
  return colon > bare.lastIndexOf('/') ? bare.slice(0, colon) : bare;
}

/** The local registry when it has the image; else the local engine, when it has it and runs here. */
async function findSource(options: SshPushOptions, ref: ImageReference, tag: string): Promise<Source> {
  const from = formatReference({ ...ref, tag: ref.digest === undefined ? tag : ref.tag });
  let why: string;
  const client = options.open(ref.registry);
  try {
    const digest = await resolveDigest(client, ref.repository, ref.digest ?? tag, options.signal);
    if (digest !== undefined) return { kind: 'registry', ref, from };
    why = `${from} is not in the registry`;
  } catch (err) {
    if (options.signal.aborted) throw new InterruptedError();
    why = `the registry ${ref.registry} did not answer (${errorMessage(err)})`;
  } finally {
    await client.close();
  }
  const engine = await options.localEngine().catch((err: unknown) => {
    if (err instanceof InterruptedError) throw err;
    throw new NotFoundError(`${why}, and the local engine cannot be asked for ${quote(options.image)}: ${errorMessage(err)}`, {
      cause: err,
    });
  });
  if (!(await imageExists(engine.docker, options.image))) {
    throw new NotFoundError(`${why}, and the local engine has no image ${quote(options.image)}: push or pull it first`);
  }
  if (!engine.local) {
    throw new RefusedError(
      `${why}; the engine at ${engine.describe} has ${quote(options.image)} but is not on this machine, ` +
        `so it cannot reach the ssh forwarding: push it to the registry first (docker jindr cp, or docker push)`,
    );
  }
  options.info?.(`${why}: pushing ${options.image} from the local engine`);
  return { kind: 'engine', engine };
}

/** Until the registry answers through the forwarding (it starts in a second or so). */
async function waitServing(tunnel: SshTunnel, signal: AbortSignal, name: string, host: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = '';
  for (;;) {
    if (signal.aborted) throw new InterruptedError();
    try {
      const url = `http://127.0.0.1:${tunnel.port}/v2/`;
      const response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(5000)]) });
      await response.body?.cancel();
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (err) {
      last = errorMessage(err);
    }
    const failure = tunnel.failure();
    if (failure) throw failure;
    // sshd said no to the forwarding itself ("administratively prohibited: open failed").
    const said = tunnel.said();
    if (/open failed/.test(said)) {
      throw new RefusedError(
        `ssh ${host} refused to forward a port (${said}): push needs TCP forwarding, AllowTcpForwarding yes in the sshd_config of ${host}`,
      );
    }
    if (Date.now() > deadline) {
      throw new EngineUnreachableError(`the registry ${name} on ${host} did not answer through ssh within 30 s (${last})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
