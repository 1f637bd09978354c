// The Docker CLI's config.json as far as registry credentials go: where it lives
// (--config, DOCKER_CONFIG, ~/.docker) and which store answers for a registry
// (credHelpers[host], then credsStore, then auths[host]).
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ResourceError } from '../errors.ts';
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
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ResourceError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // The message of a JSON error can quote the file's content, which holds secrets.
    throw new ResourceError(`${file} is not valid JSON: fix or remove it`, { cause: err instanceof Error ? new Error('JSON parse error') : undefined });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ResourceError(`${file} does not hold a JSON object: fix or remove it`);
  }
  return parsed as DockerConfigFile;
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
  const perHost = helpers[key] ?? helpers[host] ?? (isDockerHub(host) ? helpers['docker.io'] ?? helpers['index.docker.io'] : undefined);
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
