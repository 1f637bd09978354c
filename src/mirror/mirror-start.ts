// Starting a mirror: a registry container in distribution's proxy mode for one upstream, on
// its own loopback port, its data in DIR/mirrors/NAME, labelled like our registries plus
// jindr.mirror=<upstream URL>. The upstream's login is looked up afresh at every start and
// written to a file among the user's secrets (secrets.ts), mounted read-only as the
// registry's configuration: never into env or argv, never into a data directory. When the
// upstream cannot be reached, a mirror that has a cache serves it offline (mirror-offline.ts).
import type Docker from 'dockerode';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { LABEL_MIRROR, listRegistryContainers, MIRRORS_SUBDIR, type RegistryContainer } from '../server/container.ts';
import { DEFAULT_IMAGE, registryContainerOptions } from '../server/lifecycle.ts';
import { checkNameFree, checkPortFree, prepareDataDir } from '../server/prestart-checks.ts';
import { parseLocalRegistry, registryName, type LocalRegistryAddress } from '../server/address.ts';
import { HUB_MIRROR_PORT, FIRST_OTHER_PORT, mirrorContainerName, type MirrorUpstream } from './mirror-upstream.ts';
import { MIRROR_CONFIG_PATH, mirrorConfigYaml, mirrorPaths, writeMirrorConfig } from './mirror-config.ts';
import { lookupUpstreamLogin, type LoginLookup } from './mirror-login.ts';
import { loginInDataDir, mirrorMode, mirrorNetwork, pickMirror, upstreamOf, withoutLoginFile } from './mirrors.ts';
import { startExistingMirror, type MovedLogin } from './mirror-restart.ts';
import { mirrorSecretFile, writeSecretFile } from '../server/secrets.ts';
import { serveMirror, type OfflineServing } from './mirror-offline.ts';
import { engineErrorMessage, engineStatus } from '../engine/engine.ts';
import { ensureImage, type ProgressSink } from '../engine/pull.ts';
import type { EngineKind } from '../engine/identity.ts';
import { sameImage } from '../engine/image-names.ts';
import type { CredentialSource } from '../docker/credentials.ts';
import { RefusedError, ResourceError } from '../errors.ts';

export interface MirrorStartOptions {
  upstream: MirrorUpstream;
  /** -r, when given; else Docker Hub's 5002, or the first free port from 5003. */
  address: LocalRegistryAddress | undefined;
  /** The data directory (-d, default ~/.jindr): the mirror lives in DIR/mirrors/NAME. */
  dataDir: string;
  image: string | undefined;
  /** A user-defined Docker network to attach the mirror to (its upstream, or a kind cluster, is there). */
  network: string | undefined;
  credentials: CredentialSource;
  /** Whose Docker login to use (--login HOST); default the upstream's own. */
  loginFrom: string | undefined;
  /** HTTP_PROXY, HTTPS_PROXY, NO_PROXY for a new container (mirror-proxy.ts), as NAME=value. */
  proxyEnv?: readonly string[];
}

export interface MirrorStartEnvironment {
  docker: Docker;
  local: boolean;
  kind: EngineKind;
  progress: ProgressSink;
  signal: AbortSignal;
  /** For the secrets directory (XDG_CONFIG_HOME, HOME). */
  processEnv: NodeJS.ProcessEnv;
}

export interface MirrorStartResult {
  outcome: 'already-running' | 'started' | 'created';
  /** The mirror's upstream (an existing mirror named by its short name has its own). */
  upstream: MirrorUpstream;
  container: RegistryContainer;
  address: string;
  login: LoginLookup | undefined;
  /** Options given that the existing mirror does not match. */
  ignored: string[];
  /** Where its login file was moved from and to (a mirror made before logins left the data directory). */
  moved?: MovedLogin;
  /** Its upstream could not be reached: it serves its cache, read-only. */
  offline?: OfflineServing;
}

export async function startMirror(env: MirrorStartEnvironment, options: MirrorStartOptions): Promise<MirrorStartResult> {
  const { docker, local, signal } = env;
  if (!local)
    throw new RefusedError(
      'a mirror runs on a local Docker engine only (its login file is written on this machine): use the default engine or a local context',
    );
  const all = await listRegistryContainers(docker);
  const existing = pickMirror(all, options.upstream);
  // Named by its short name (upstream-5000), the mirror's own upstream counts.
  const upstream = existing ? upstreamOf(existing) : options.upstream;
  const ignored = existing ? differences(existing, options, env.kind) : [];
  // One made with its login in the data directory is moved, even while it runs; one running
  // offline, or failing under its restart policy, tries pull-through again.
  if (existing?.running && !loginInDataDir(existing) && existing.state !== 'restarting' && mirrorMode(existing) !== 'offline')
    return { outcome: 'already-running', upstream, container: existing, address: existing.registry ?? '?', login: undefined, ignored };

  const login = await lookupUpstreamLogin(options.credentials, options.loginFrom ?? upstream.host);
  const files = {
    withLogin: mirrorConfigYaml(upstream, login.kind === 'login' ? login.login : undefined),
    withoutLogin: mirrorConfigYaml(upstream, undefined),
  };
  if (existing) {
    const { container, moved, offline } = await startExistingMirror(env, existing, files, upstream);
    const address = container.registry ?? '?';
    return {
      outcome: 'started',
      upstream,
      container,
      address,
      login,
      ignored,
      ...(moved ? { moved } : {}),
      ...(offline ? { offline } : {}),
    };
  }

  const address = options.address ?? (await freeAddress(docker, all, options.upstream));
  const taken = all.find((c) => c.registry === registryName(address.bindIp, address.port));
  if (taken)
    throw new ResourceError(
      `${address.registry} belongs to the registry container ${taken.name}: choose another port with -r localhost:PORT`,
    );
  await checkPortFree(docker, address, local);
  const name = mirrorContainerName(options.upstream);
  await checkNameFree(docker, name, `it is not a mirror: remove it (docker rm ${name}) or rename it`);
  if (options.network !== undefined) await checkNetwork(docker, options.network);
  const paths = mirrorPaths(join(options.dataDir, MIRRORS_SUBDIR, options.upstream.name));
  prepareDataDir(paths.data);
  const image = options.image ?? DEFAULT_IMAGE;
  await ensureImage(docker, image, env.progress, signal);
  const secret = mirrorSecretFile(env.processEnv, paths.dir);
  writeSecretFile(env.processEnv, secret, files.withLogin);
  writeMirrorConfig(withoutLoginFile(secret), files.withoutLogin);
  const removeFiles = (): void => {
    rmSync(secret, { force: true });
    rmSync(withoutLoginFile(secret), { force: true });
  };

  const base = registryContainerOptions(address, name, image, paths.data);
  let created: Docker.Container;
  try {
    created = await docker.createContainer({
      ...base,
      Cmd: [MIRROR_CONFIG_PATH],
      Env: [...(base.Env ?? []), ...(options.proxyEnv ?? [])],
      Labels: { ...base.Labels, [LABEL_MIRROR]: options.upstream.url },
      HostConfig: {
        ...base.HostConfig,
        Binds: [...(base.HostConfig?.Binds ?? []), `${secret}:${MIRROR_CONFIG_PATH}:ro`],
        ...(options.network !== undefined ? { NetworkMode: options.network } : {}),
      },
    });
  } catch (err) {
    removeFiles();
    throw new ResourceError(`cannot create the mirror container ${name}: ${engineErrorMessage(err)}`, { cause: err });
  }
  try {
    // A new mirror over a cache left by an earlier one (mirror rm keeps it) serves it offline too.
    const { container, offline } = await serveMirror(env, upstream, { id: created.id, name }, { configFile: secret, failWhenEmpty: true });
    return { outcome: 'created', upstream, container, address: address.registry, login, ignored: [], ...(offline ? { offline } : {}) };
  } catch (err) {
    // Nothing half-made stays: not the container, not the login file.
    await created.remove({ force: true, v: false }).catch(() => {});
    removeFiles();
    throw err;
  }
}

function differences(c: RegistryContainer, options: MirrorStartOptions, kind: EngineKind): string[] {
  const out: string[] = [];
  if (options.address !== undefined && c.registry !== registryName(options.address.bindIp, options.address.port))
    out.push(`-r ${options.address.registry}`);
  if (options.image !== undefined && !sameImage(options.image, c.image, kind)) out.push(`--image ${options.image}`);
  if (options.network !== undefined && options.network !== mirrorNetwork(c)) out.push(`--network ${options.network}`);
  return out;
}

/** Docker Hub's 5002, or the first port from 5003 that no container has and nothing here listens on. */
async function freeAddress(docker: Docker, all: readonly RegistryContainer[], upstream: MirrorUpstream): Promise<LocalRegistryAddress> {
  if (upstream.hub) return parseLocalRegistry(`localhost:${HUB_MIRROR_PORT}`);
  const claimed = new Set(all.flatMap((c) => c.bindings.map((b) => b.port)));
  for (let port = FIRST_OTHER_PORT; port < FIRST_OTHER_PORT + 200; port++) {
    if (claimed.has(port)) continue;
    const address = parseLocalRegistry(`localhost:${port}`);
    try {
      await checkPortFree(docker, address, true);
      return address;
    } catch {
      // taken: try the next
    }
  }
  throw new ResourceError(`no free port from ${FIRST_OTHER_PORT} on: choose one with -r localhost:PORT`);
}

async function checkNetwork(docker: Docker, network: string): Promise<void> {
  try {
    await docker.getNetwork(network).inspect();
  } catch (err) {
    if (engineStatus(err) === 404)
      throw new ResourceError(
        `no Docker network ${JSON.stringify(network)}: docker network ls lists them (docker network create ${network} makes one)`,
      );
    throw err;
  }
}
