// Which Docker engine to talk to, decided as the Docker CLI decides it
// (docker/cli cli/command/cli.go resolveContextName, cli/flags/options.go, opts/hosts.go):
// --context, else -H/--host or DOCKER_HOST (the "default" context), else DOCKER_CONTEXT,
// else currentContext in config.json, else "default". Plain functions over the file system.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DockerGlobals } from './globals.ts';
import { dockerConfigDir } from '../docker/config.ts';
import { NotFoundError, ResourceError, UsageError, errorMessage } from '../errors.ts';
import * as shape from '../json-shape.ts';

export const DEFAULT_CONTEXT = 'default';
export const DEFAULT_UNIX_HOST = 'unix:///var/run/docker.sock';
export const DEFAULT_TLS_HOST = 'tcp://localhost:2376';
const DEFAULT_TCP_PORT = '2375';

/** Where the context name came from, for messages. */
export type ContextSource = '--context' | '--host' | 'DOCKER_HOST' | 'DOCKER_CONTEXT' | 'config.json' | 'default';

export interface EndpointTls {
  /** false = TLS without checking the server's certificate (--tls, SkipTLSVerify). */
  verify: boolean;
  /** Paths of PEM files; absent when there is none. */
  ca?: string;
  cert?: string;
  key?: string;
}

export interface ResolvedEndpoint {
  /** The engine address as Docker writes it: unix:///path, tcp://host:port, ssh://user@host. */
  host: string;
  context: string;
  source: ContextSource;
  tls?: EndpointTls;
}

/** The context name and where it came from (docker/cli resolveContextName). */
export function resolveContextName(
  globals: DockerGlobals,
  env: NodeJS.ProcessEnv,
  configDir: string,
): { name: string; source: ContextSource } {
  if (globals.context) return { name: globals.context, source: '--context' };
  if (globals.host) return { name: DEFAULT_CONTEXT, source: '--host' };
  if (env.DOCKER_HOST) return { name: DEFAULT_CONTEXT, source: 'DOCKER_HOST' };
  if (env.DOCKER_CONTEXT) return { name: env.DOCKER_CONTEXT, source: 'DOCKER_CONTEXT' };
  const current = readCurrentContext(configDir);
  if (current) return { name: current, source: 'config.json' };
  return { name: DEFAULT_CONTEXT, source: 'default' };
}

function readCurrentContext(configDir: string): string | undefined {
  const file = join(configDir, 'config.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined; // no config.json: the Docker CLI carries on with defaults too
  }
  if (text.trim() === '') return undefined;
  // The problem never quotes the file: it holds credentials.
  const current = shape.readJson(
    text,
    (json) => new shape.Fields(json).optional('currentContext', shape.string),
    (problem) => new ResourceError(`${file} is not a valid Docker config (${problem}): fix or remove it`),
  );
  return current === '' ? undefined : current;
}

/** The context store's directory name for a context: the sha256 of its name, in hex. */
export function contextDirName(name: string): string {
  // node:crypto on demand: commands import this module without ever naming a context.
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(name).digest('hex');
}

interface DockerEndpointMeta {
  Host?: string;
  SkipTLSVerify?: boolean;
}

/** The docker endpoint of a context's meta.json ({"Endpoints": {"docker": {"Host", "SkipTLSVerify"}}}). */
function readContextMeta(json: unknown): DockerEndpointMeta | undefined {
  const docker = new shape.Fields(json).fields('Endpoints')?.fields('docker');
  if (!docker) return undefined;
  const meta: DockerEndpointMeta = {};
  const host = docker.optional('Host', shape.string);
  const skip = docker.optional('SkipTLSVerify', shape.boolean);
  if (host !== undefined) meta.Host = host;
  if (skip !== undefined) meta.SkipTLSVerify = skip;
  return meta;
}

/** The endpoint the Docker CLI would use, reading the context store and TLS files as needed. */
export function resolveEndpoint(globals: DockerGlobals, env: NodeJS.ProcessEnv): ResolvedEndpoint {
  const configDir = dockerConfigDir(globals.config, env);
  const { name, source } = resolveContextName(globals, env, configDir);
  if (name === DEFAULT_CONTEXT) return defaultEndpoint(globals, env, source);
  return contextEndpoint(configDir, name, source);
}

function contextEndpoint(configDir: string, name: string, source: ContextSource): ResolvedEndpoint {
  const hash = contextDirName(name);
  const metaFile = join(configDir, 'contexts', 'meta', hash, 'meta.json');
  const from =
    source === 'config.json'
      ? ` (currentContext in ${join(configDir, 'config.json')})`
      : source === 'DOCKER_CONTEXT'
        ? ' (from DOCKER_CONTEXT)'
        : '';
  let text: string;
  try {
    text = readFileSync(metaFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`context "${name}"${from} does not exist: docker context ls lists them`);
    }
    throw new ResourceError(`cannot read context "${name}"${from} from ${metaFile}: ${errorMessage(err)}`);
  }
  const docker = shape.readJson(
    text,
    readContextMeta,
    (problem) => new ResourceError(`cannot read context "${name}"${from} from ${metaFile}: ${problem}`),
  );
  if (!docker?.Host) throw new NotFoundError(`context "${name}" has no Docker endpoint: docker context inspect ${name} shows it`);
  const tlsDir = join(configDir, 'contexts', 'tls', hash, 'docker');
  const file = (f: string): string | undefined => (existsSync(join(tlsDir, f)) ? join(tlsDir, f) : undefined);
  const [ca, cert, key] = [file('ca.pem'), file('cert.pem'), file('key.pem')];
  const skipVerify = docker.SkipTLSVerify === true;
  // As docker/cli context/docker/load.go: TLS only when the context has TLS material or skips verification.
  const tls = ca || cert || key || skipVerify ? withoutUndefined({ verify: !skipVerify, ca, cert, key }) : undefined;
  return withoutUndefined({ host: parseDockerHost(docker.Host, false), context: name, source, tls });
}

function defaultEndpoint(globals: DockerGlobals, env: NodeJS.ProcessEnv, source: ContextSource): ResolvedEndpoint {
  const verify = globals.tlsVerify || Boolean(env.DOCKER_TLS_VERIFY); // non-empty, even "0"
  const useTls = verify || globals.tls || Boolean(env.DOCKER_TLS);
  const rawHost = globals.host ?? env.DOCKER_HOST ?? '';
  const host = parseDockerHost(rawHost, useTls);
  let tls: EndpointTls | undefined;
  if (useTls) {
    // Docker fixes these defaults when it declares its flags, before --config is read:
    // DOCKER_CERT_PATH, else DOCKER_CONFIG, else ~/.docker.
    const certPath = env.DOCKER_CERT_PATH || env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
    const pick = (flag: string | undefined, fallback: string): string | undefined =>
      flag ?? (existsSync(join(certPath, fallback)) ? join(certPath, fallback) : undefined);
    tls = withoutUndefined({
      verify,
      // With verification the CA file must exist (checked when connecting); without, it is not used.
      ca: verify ? (globals.tlsCaCert ?? join(certPath, 'ca.pem')) : undefined,
      cert: pick(globals.tlsCert, 'cert.pem'),
      key: pick(globals.tlsKey, 'key.pem'),
    });
  }
  return withoutUndefined({ host, context: DEFAULT_CONTEXT, source, tls });
}

/** Normalises an engine address as docker/cli opts.ParseHost does. */
export function parseDockerHost(value: string, useTls: boolean): string {
  const host = value.trim();
  if (host === '') return useTls ? DEFAULT_TLS_HOST : DEFAULT_UNIX_HOST;
  const sep = host.indexOf('://');
  const scheme = sep < 0 ? 'tcp' : host.slice(0, sep);
  const rest = sep < 0 ? host : host.slice(sep + 3);
  switch (scheme) {
    case 'unix':
      return rest === '' ? DEFAULT_UNIX_HOST : `unix://${rest}`;
    case 'ssh':
      return host;
    case 'tcp': {
      let url: URL;
      try {
        url = new URL(`tcp://${rest.startsWith(':') ? 'localhost' + rest : rest}`);
      } catch {
        throw invalidHost(value);
      }
      const hostname = url.hostname || 'localhost';
      const port = url.port || DEFAULT_TCP_PORT;
      const path = url.pathname === '/' ? '' : url.pathname;
      return `tcp://${hostname}:${port}${path}`;
    }
    default:
      throw invalidHost(value);
  }
}

function invalidHost(value: string): UsageError {
  return new UsageError(`invalid Docker host "${value}": use unix:///PATH, tcp://HOST:PORT or ssh://[USER@]HOST[:PORT]`);
}

/** For messages: `unix:///var/run/docker.sock (context "default")`. */
export function describeEndpoint(endpoint: ResolvedEndpoint): string {
  const via =
    endpoint.source === 'DOCKER_HOST' || endpoint.source === 'DOCKER_CONTEXT'
      ? `, from ${endpoint.source}`
      : endpoint.source === '--host'
        ? ', from -H/--host'
        : endpoint.source === 'config.json'
          ? ', the current context in config.json'
          : '';
  return `${endpoint.host} (context "${endpoint.context}"${via})`;
}

/** True when the engine runs on this machine, so its 127.0.0.1 is ours (port checks, data dirs). */
export function isLocalEngine(endpoint: ResolvedEndpoint): boolean {
  if (endpoint.host.startsWith('unix://')) return true;
  if (!endpoint.host.startsWith('tcp://')) return false;
  const hostname = new URL(endpoint.host).hostname;
  return hostname === 'localhost' || hostname === '[::1]' || /^127\./.test(hostname);
}

function withoutUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}
