// The Docker engine connection: the endpoint Docker would pick (endpoint.ts), turned into
// a dockerode client, and pinged once so an unreachable engine fails with one clear line.
import type Docker from 'dockerode';
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { readFileSync } from 'node:fs';
import type { DockerGlobals } from './globals.ts';
import { describeEndpoint, isLocalEngine, resolveEndpoint, type ResolvedEndpoint } from './endpoint.ts';
import { parseSshHost } from './ssh.ts';
import { sshAgent } from './ssh-agent.ts';
import { remoteFailureHint } from './remote-errors.ts';
import { askIdentity, type EngineIdentity } from './identity.ts';
import { EngineUnreachableError, InterruptedError, ResourceError, errorMessage } from '../errors.ts';
import { isJsonObject, isString } from '../json-shape.ts';

export interface Engine {
  docker: Docker;
  /** Where it is, for messages: e.g. `unix:///var/run/docker.sock (context "default")`. */
  describe: string;
  endpoint: ResolvedEndpoint;
  /** The engine runs on this machine: its loopback and file system are ours. */
  local: boolean;
  /** Docker's engine or Podman's, and its name: asked once, on first use (identity.ts). */
  identify(): Promise<EngineIdentity>;
}

/** How long a ping may take before the engine counts as unreachable. */
const PING_TIMEOUT_MS = 20_000;

export async function connectEngine(globals: DockerGlobals, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<Engine> {
  const endpoint = resolveEndpoint(globals, env);
  return connectEndpoint(endpoint, describeEndpoint(endpoint), env, signal);
}

/** The engine at ssh://[USER@]HOST[:PORT] named on the command line (push): described as written. */
export function connectSshEngine(url: string, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<Engine> {
  parseSshHost(url); // a bad URL is a usage error before any ssh
  return connectEndpoint({ host: url, context: 'default', source: 'default' }, url, env, signal);
}

async function connectEndpoint(endpoint: ResolvedEndpoint, describe: string, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<Engine> {
  // docker-modem calls url.parse() for tcp and ssh engines; Node's deprecation warning
  // for it would land in the middle of our output and one-line errors.
  if (!endpoint.host.startsWith('unix://')) process.noDeprecation = true;
  // dockerode is big: loaded here, when an engine is wanted, not at start-up (where it took
  // most of every command's start, engine or not).
  const { default: DockerClient } = await import('dockerode');
  const docker = newDocker(DockerClient, dockerOptions(endpoint, env));
  try {
    const ping = docker.ping as unknown as (opts: { abortSignal: AbortSignal }) => Promise<unknown>;
    await ping.call(docker, { abortSignal: AbortSignal.any([signal, AbortSignal.timeout(PING_TIMEOUT_MS)]) });
  } catch (err) {
    if (signal.aborted) throw new InterruptedError();
    const hint = remoteFailureHint(endpoint, err);
    if (hint !== undefined) throw new EngineUnreachableError(`cannot reach the Docker engine at ${describe}: ${hint}`, { cause: err });
    throw unreachable(describe, err);
  }
  reportLostConnections(docker, describe);
  let identity: Promise<EngineIdentity> | undefined;
  const identify = (): Promise<EngineIdentity> => (identity ??= askIdentity(docker, signal));
  return { docker, describe, endpoint, local: isLocalEngine(endpoint), identify };
}

const descriptions = new WeakMap<Docker, string>();

/**
 * Every later request whose connection breaks (the engine stopped, restarted, or its
 * socket went away) fails with one line naming the engine, not "socket hang up".
 */
function reportLostConnections(docker: Docker, describe: string): void {
  descriptions.set(docker, describe);
  const modem = docker.modem as { dial(options: unknown, callback: (err: unknown, data: unknown) => void): unknown };
  const dial = modem.dial.bind(modem);
  modem.dial = (options, callback) => dial(options, (err, data) => callback(err ? engineLost(docker, err) : err, data));
}

/** A request to the engine failed because its connection went away (not an answer, not an abort). */
export function isConnectionLoss(err: unknown): boolean {
  if (!(err instanceof Error) || err.name === 'AbortError' || engineStatus(err) !== undefined) return false;
  const { code, syscall } = err as NodeJS.ErrnoException;
  if (code === 'ENOENT') return syscall === 'connect';
  return (
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT'].includes(code ?? '') ||
    /^(socket hang up|aborted)$/.test(err.message)
  );
}

/** err, or an EngineUnreachableError naming the engine when the connection to it was lost. */
export function engineLost(docker: Docker, err: unknown): unknown {
  const describe = descriptions.get(docker);
  if (describe === undefined || !isConnectionLoss(err)) return err;
  return new EngineUnreachableError(`lost the connection to the Docker engine at ${describe}: is it still running?`, { cause: err });
}

function unreachable(describe: string, err: unknown): EngineUnreachableError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new EngineUnreachableError(`permission denied on the Docker engine at ${describe}: is your user in the docker group?`, {
      cause: err,
    });
  }
  const cause = err instanceof Error && err.name === 'TimeoutError' ? 'no answer' : engineErrorMessage(err);
  return new EngineUnreachableError(`cannot reach the Docker engine at ${describe}: is it running? (${cause})`, { cause: err });
}

type ModemOptions = Docker.DockerOptions & { agent?: HttpAgent | HttpsAgent };

/**
 * dockerode options for an endpoint; reads the TLS files it names. ssh:// engines are plain
 * HTTP over processes of the ssh binary (ssh-agent.ts), not docker-modem's own ssh support;
 * the host name in their URLs is a placeholder, as docker/cli's (env: the ssh processes').
 */
export function dockerOptions(endpoint: ResolvedEndpoint, env: NodeJS.ProcessEnv): ModemOptions {
  const { host } = endpoint;
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('ssh://'))
    return { protocol: 'http', host: 'docker.example.com', port: 80, agent: sshAgent(parseSshHost(host), env) };
  const url = new URL(host); // tcp://host:port[/path]
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!endpoint.tls) return { protocol: 'http', host: hostname, port: url.port };
  const { tls } = endpoint;
  const read = (what: string, file: string | undefined): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (err) {
      throw new ResourceError(`cannot read the TLS ${what} ${file} for ${describeEndpoint(endpoint)}: ${errorMessage(err)}`);
    }
  };
  // TLS settings live in the agent: docker-modem has no option to skip verification,
  // and an agent's own options win over the per-request ones.
  // node:https (and TLS) on demand: a command that imports this module may never reach the engine over TLS.
  const agent = new (process.getBuiltinModule('node:https').Agent)({
    keepAlive: true,
    rejectUnauthorized: tls.verify,
    ...withValue('ca', tls.verify ? read('CA certificate', tls.ca) : undefined),
    ...withValue('cert', read('certificate', tls.cert)),
    ...withValue('key', read('key', tls.key)),
  });
  return { protocol: 'https', host: hostname, port: url.port, agent };
}

function withValue<K extends string>(key: K, value: Buffer | undefined): Partial<Record<K, Buffer>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, Buffer>);
}

/**
 * docker-modem starts from defaults read from process.env (DOCKER_HOST, DOCKER_CERT_PATH, ...),
 * which may throw or override what we resolved (its ssh options do). We resolved the endpoint
 * ourselves, so it must not see DOCKER_HOST while it is built.
 */
function newDocker(DockerClient: typeof Docker, options: ModemOptions): Docker {
  const saved = process.env.DOCKER_HOST;
  delete process.env.DOCKER_HOST;
  try {
    return new DockerClient(options);
  } finally {
    if (saved !== undefined) process.env.DOCKER_HOST = saved;
  }
}

/** The engine's own message from a dockerode error, on one line, without the HTTP code prefix. */
export function engineErrorMessage(err: unknown): string {
  const json = (err as { json?: unknown }).json;
  let message: string;
  if (isJsonObject(json) && isString(json.message)) {
    message = json.message;
  } else if (Buffer.isBuffer(json) && json.length > 0) {
    message = json.toString();
  } else {
    message = errorMessage(err).replace(/^\(HTTP code \d+\)[^-]*- /, '');
  }
  return message.replace(/\s+/g, ' ').trim();
}

/** The HTTP status of a failed engine request, if it got that far. */
export function engineStatus(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}
