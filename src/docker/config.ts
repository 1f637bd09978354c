// The Docker CLI's config.json as far as registry credentials go: where it lives
// (--config, DOCKER_CONFIG, ~/.docker) and which store answers for a registry
// (credHelpers[host], then credsStore, then auths[host]).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ResourceError } from '../errors.ts';
import * as shape from '../json-shape.ts';
import { DOCKER_HUB_KEY, isDockerHub } from '../registry/host.ts';

export { DOCKER_HUB_KEY };

export interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

export interface DockerConfigFile {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** The directory holding config.json: --config, else DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(configFlag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (configFlag) return configFlag;
  if (env.DOCKER_CONFIG) return env.DOCKER_CONFIG;
  return join(env.HOME || homedir(), '.docker');
}

/** config.json of dir; a missing file is an empty config, as for the Docker CLI. */
export async function readDockerConfig(dir: string): Promise<DockerConfigFile> {
  const file = join(dir, 'config.json');
  let text: string;
  try {
    // Read at once: a few KiB, and node:fs is loaded already where node:fs/promises is ~0.4 ms of start-up.
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ResourceError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (text.trim() === '') return {};
  // Problems name the member (auths["host"].auth), never its value: the file holds secrets.
  return shape.readJson(
    text,
    readConfig,
    (problem) => new ResourceError(`${file} is not a valid Docker config (${problem}): fix or remove it`),
  );
}

const AUTH_FIELDS = ['auth', 'username', 'password', 'identitytoken', 'registrytoken'] as const;

/** The members docker-jindr uses, checked as the Docker CLI's Go types would; the rest is left alone. */
function readConfig(json: unknown): DockerConfigFile {
  const f = new shape.Fields(json);
  const config: DockerConfigFile = {};
  const auths = f.fields('auths');
  if (auths) {
    config.auths = {};
    for (const host of Object.keys(auths.raw)) {
      const entry = auths.fields(host);
      const out: AuthEntry = {};
      for (const key of AUTH_FIELDS) {
        const value = entry?.optional(key, shape.string);
        if (value !== undefined) out[key] = value;
      }
      config.auths[host] = out;
    }
  }
  const credsStore = f.optional('credsStore', shape.string);
  if (credsStore !== undefined) config.credsStore = credsStore;
  const credHelpers = f.optional('credHelpers', shape.stringMap);
  if (credHelpers !== undefined) config.credHelpers = credHelpers;
  return config;
}

/** The key Docker uses for a registry host (HOST[:PORT]); every Docker Hub name has Hub's own. */
export function configKey(host: string): string {
  return isDockerHub(host) ? DOCKER_HUB_KEY : host;
}

/** "https://host:port/v1/" -> "host:port", as the Docker CLI matches auths keys. */
export function keyHostname(key: string): string {
  let rest = key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = rest.indexOf('/');
  if (slash >= 0) rest = rest.slice(0, slash);
  return rest;
}

function sameRegistry(key: string, host: string): boolean {
  const keyHost = keyHostname(key);
  if (isDockerHub(host)) return isDockerHub(keyHost);
  return keyHost === host;
}

/** The credential helper answering for host, if any: credHelpers[host], then credsStore. */
export function helperFor(config: DockerConfigFile, host: string): { name: string; perHost: boolean } | undefined {
  const helpers = config.credHelpers ?? {};
  const key = configKey(host);
  const perHost = helpers[key] ?? helpers[host] ?? (isDockerHub(host) ? (helpers['docker.io'] ?? helpers['index.docker.io']) : undefined);
  if (perHost) return { name: perHost, perHost: true };
  if (config.credsStore) return { name: config.credsStore, perHost: false };
  return undefined;
}

/** auths[...] for host: the exact key first, then any key naming the same host (with scheme or path). */
export function authEntryFor(config: DockerConfigFile, host: string): AuthEntry | undefined {
  const auths = config.auths ?? {};
  const key = configKey(host);
  if (Object.hasOwn(auths, key)) return auths[key];
  for (const [k, entry] of Object.entries(auths)) {
    if (sameRegistry(k, host)) return entry;
  }
  return undefined;
}
